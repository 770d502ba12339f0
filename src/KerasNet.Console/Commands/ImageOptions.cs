#nullable enable
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Models;
using KerasNet.Preprocessing.Image;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>Images (or an array) to feed a model, with what is known about them: file names and true classes.</summary>
/// <param name="Data">The batches, in the order of <paramref name="Files"/>.</param>
/// <param name="Files">One name per sample: the path relative to the folder, the file name, or the row number of an array.</param>
/// <param name="Classes">True class per sample, when the folder has class subfolders.</param>
/// <param name="ClassNames">Class names by index, when the folder has class subfolders.</param>
public sealed record ModelInput(IDataSequence Data, IReadOnlyList<string> Files, int[]? Classes, string[]? ClassNames);

/// <summary>How images become model input: the options <c>predict</c>, <c>evaluate</c> and <c>featuremaps</c> share.</summary>
/// <param name="TargetSize">Resize to (height, width); default the model's input size.</param>
/// <param name="Rescale">Factor applied to 0..255 pixels.</param>
/// <param name="ColorMode">rgb or grayscale; default from the model's input channels.</param>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="SkipInvalid">Skip undecodable images of a class-folder dataset instead of failing.</param>
public sealed record ImageOptions(int[]? TargetSize, double Rescale, string? ColorMode, int BatchSize, bool SkipInvalid = false)
{
    /// <summary>File extensions flow_from_directory accepts (Keras's white list).</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff"];

    /// <summary>
    /// Loads <paramref name="path"/>: a flow_from_directory folder (one subfolder per class), a flat folder of images,
    /// or one image file; in Keras's sorted order.
    /// </summary>
    public ModelInput Load(string path, Model model, bool requireClasses)
    {
        var (size, colorMode) = Resolve(model, path);
        if (Directory.Exists(path) && Directory.EnumerateDirectories(path).Any())
        {
            var iterator = new ImageDataGenerator(rescale: Rescale)
                .FlowFromDirectory(path, targetSize: size, colorMode: colorMode, batchSize: BatchSize, classMode: "categorical", shuffle: false, skipInvalid: SkipInvalid);
            var names = iterator.ClassIndices.OrderBy(p => p.Value).Select(p => p.Key).ToArray();
            return new ModelInput(iterator, iterator.Filenames, iterator.Classes, names);
        }
        if (requireClasses)
            throw new KerasNetException($"{path}: expected a folder with one subfolder of images per class.");
        string[] files;
        if (File.Exists(path)) files = [path];
        else if (Directory.Exists(path))
        {
            files = Directory.GetFiles(path).Where(f => Extensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new KerasNetException($"{path}: no images found (looked for {string.Join(", ", Extensions)}).");
        }
        else throw new KerasNetException($"{path}: image file or folder not found.");

        var images = new List<(string File, Tensor Image)>();
        var skipped = new List<string>();
        foreach (var file in files)
        {
            try { images.Add((file, ImageLoader.Load(file, colorMode, size))); }
            catch (KerasNetException) when (SkipInvalid) { skipped.Add(file); }
        }
        if (skipped.Count > 0) Console.WriteLine($"Skipped {skipped.Count} invalid image(s): {string.Join(", ", skipped)}");
        if (images.Count == 0) throw new KerasNetException($"{path}: none of the {files.Length} image(s) could be decoded.");
        var x = new Tensor([images.Count, .. images[0].Image.Shape]);
        for (int i = 0; i < images.Count; i++)
        {
            var dst = x.Buffer.AsSpan(i * x.SampleSize, x.SampleSize);
            images[i].Image.Span.CopyTo(dst);
            foreach (ref var v in dst) v = (float)(v * Rescale);
        }
        string root = Directory.Exists(path) ? path : System.IO.Path.GetDirectoryName(path) ?? "";
        var names2 = images.Select(im => System.IO.Path.GetRelativePath(root.Length == 0 ? "." : root, im.File)).ToArray();
        return new ModelInput(new ArraySequence(x, null, BatchSize), names2, null, null);
    }

    /// <summary>
    /// One image file as a batch of one, as the tutorial prepares an image for <c>predict</c>: decoded, resized to the
    /// target size (default the model's input size), converted to the colour mode and multiplied by the rescale factor.
    /// </summary>
    public Tensor LoadImage(string file, Model model)
    {
        ModelStore.RequireFile(file, "image file");
        var (size, colorMode) = Resolve(model, file);
        var image = ImageLoader.Load(file, colorMode, size);
        var x = new Tensor([1, .. image.Shape]);
        image.Span.CopyTo(x.Span);
        foreach (ref var v in x.Span) v = (float)(v * Rescale);
        return x;
    }

    /// <summary>.npy arrays as model input, one per model input in its order (rows named by index); see <see cref="NpyArrays"/>.</summary>
    public static ModelInput FromNpy(IReadOnlyList<string> paths, Model model, int batchSize)
    {
        var x = NpyArrays.Inputs(paths, model, "--input");
        return new ModelInput(new ArraySequence(x, null, batchSize), Enumerable.Range(0, x[0].BatchSize).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(), null, null);
    }

    private ((int, int) Size, string ColorMode) Resolve(Model model, string path)
    {
        if (model.Inputs.Count > 1)
            throw new KerasNetException($"{path}: model '{model.Name}' has {model.Inputs.Count} inputs ({string.Join(", ", model.InputNames)}); images feed a model with one input (give --input X.npy once per input).");
        var input = model.InputShape;
        if (TargetSize is { Length: 2 } t) return ((t[0], t[1]), ColorMode ?? ColorFromChannels(input, path));
        if (input is not { Length: 3 })
            throw new KerasNetException($"{path}: the model's input shape is unknown or not an image (H, W, C); give --target-size H W.");
        return ((input[0], input[1]), ColorMode ?? ColorFromChannels(input, path));
    }

    private static string ColorFromChannels(int[]? input, string path) => input is { Length: 3 } ? input[2] switch
    {
        1 => "grayscale",
        3 => "rgb",
        4 => "rgba",
        var c => throw new KerasNetException($"{path}: the model expects {c} channels; images can be grayscale (1), rgb (3) or rgba (4)."),
    } : "rgb";
}
