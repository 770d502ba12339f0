#nullable enable
using KerasNet.Engine;
using KerasNet.Models;
using KerasNet.Preprocessing.Image;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>How images become model input: the options <c>predict</c>, <c>evaluate</c> and <c>featuremaps</c> share.</summary>
/// <param name="TargetSize">Resize to (height, width); default the model's input size.</param>
/// <param name="Rescale">Factor applied to 0..255 pixels.</param>
/// <param name="ColorMode">rgb or grayscale; default from the model's input channels.</param>
/// <param name="BatchSize">Samples per batch.</param>
/// <param name="SkipInvalid">Skip undecodable images instead of failing.</param>
public sealed record ImageOptions(int[]? TargetSize, double Rescale, string? ColorMode, int BatchSize, bool SkipInvalid = false)
{
    /// <summary>File extensions flow_from_directory accepts (Keras's white list).</summary>
    public static readonly string[] Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".ppm", ".tif", ".tiff"];

    /// <summary>
    /// Lists <paramref name="path"/>: a flow_from_directory folder (one subfolder per class), a flat folder of images,
    /// or one image file, in Keras's sorted order. Nothing is decoded yet: <see cref="SampleSource.Batches"/> decodes
    /// one batch at a time, so memory does not grow with the number of images.
    /// </summary>
    public SampleSource List(string path, Model model, bool requireClasses)
    {
        var (size, colorMode) = Resolve(model, path);
        if (Directory.Exists(path) && Directory.EnumerateDirectories(path).Any())
        {
            // The iterator is only the listing (Keras's order, class indices, the "Found N images" line); its
            // batches would keep every decoded image for the next epoch, which a one-pass command never has.
            var listing = new ImageDataGenerator().FlowFromDirectory(path, targetSize: size, colorMode: colorMode, batchSize: BatchSize,
                classMode: null, shuffle: false);
            var names = listing.ClassIndices.OrderBy(p => p.Value).Select(p => p.Key).ToArray();
            return new ImageSource(this, listing.Filenames, listing.Filepaths, size, colorMode, listing.Classes, names);
        }
        if (requireClasses)
            throw new KerasNetException($"{path}: expected a folder with one subfolder of images per class.");
        string[] files;
        if (File.Exists(path)) files = [path];
        else if (Directory.Exists(path))
        {
            files = Directory.EnumerateFiles(path).Where(f => Extensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new KerasNetException($"{path}: no images found (looked for {string.Join(", ", Extensions)}).");
        }
        else throw new KerasNetException($"{path}: image file or folder not found.");
        string root = Directory.Exists(path) ? path : System.IO.Path.GetDirectoryName(path) ?? "";
        var relative = files.Select(f => System.IO.Path.GetRelativePath(root.Length == 0 ? "." : root, f)).ToArray();
        return new ImageSource(this, relative, files, size, colorMode, null, null);
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
    public static SampleSource FromNpy(IReadOnlyList<string> paths, Model model, int batchSize) =>
        new ArraySource(NpyArrays.Inputs(paths, model, "--input"), batchSize);

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
