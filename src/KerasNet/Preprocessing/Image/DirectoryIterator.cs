#nullable enable
using KerasNet.Engine;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// Keras's <c>DirectoryIterator</c> (what <see cref="ImageDataGenerator.FlowFromDirectory"/> returns): the images
/// of a folder with one subfolder per class, as batches for Fit, Evaluate and Predict. Each file is decoded,
/// converted and resized once per iterator and kept (the result is identical every time); augmentation runs per batch.
/// </summary>
public sealed class DirectoryIterator : ImageIterator
{
    private static readonly HashSet<string> ClassModes = ["categorical", "binary", "sparse", "input"];
    private readonly string[] _paths;
    private readonly byte[]?[] _cache;
    private readonly int[] _sampleShape;
    private readonly string _colorMode, _interpolation;
    private readonly Size2 _targetSize;

    private DirectoryIterator(Listing listing, ImageDataGenerator generator, Size2 targetSize, string colorMode,
        string? classMode, int batchSize, bool shuffle, int? seed, string interpolation)
        : base(generator, listing.Filenames.Count, batchSize, shuffle, seed)
    {
        Directory = listing.Directory;
        ClassIndices = listing.ClassIndices;
        Filenames = listing.Filenames;
        Classes = listing.Classes;
        SkippedFiles = listing.Skipped;
        ClassMode = classMode;
        _paths = listing.Filenames.Select(f => Path.Combine(listing.Directory, f)).ToArray();
        _cache = listing.Cache ?? new byte[]?[_paths.Length];
        _targetSize = targetSize; _colorMode = colorMode; _interpolation = interpolation;
        _sampleShape = [targetSize.Height, targetSize.Width, PilImage.BandsOf(ColorConversion.ModeFor(colorMode))];
    }

    internal static DirectoryIterator Create(string directory, ImageDataGenerator generator, Size2 targetSize, string colorMode,
        string[]? classes, string? classMode, int batchSize, bool shuffle, int? seed, string? subset,
        string interpolation, bool skipInvalid, TextWriter? output)
    {
        ImageLoader.Validate(colorMode, targetSize, interpolation, $"flow_from_directory('{directory}')");
        if (classMode != null && !ClassModes.Contains(classMode))
            throw new KerasNetException($"flow_from_directory: class_mode must be one of categorical, binary, sparse, input or null, got \"{classMode}\".");
        if (batchSize <= 0) throw new KerasNetException($"flow_from_directory: batch_size must be positive, got {batchSize}.");
        (double From, double To)? split = subset switch
        {
            null => null,
            "validation" => (0, generator.ValidationSplit),
            "training" => (generator.ValidationSplit, 1),
            _ => throw new KerasNetException($"flow_from_directory: subset must be \"training\" or \"validation\", got \"{subset}\"."),
        };
        if (subset != null && generator.ValidationSplit == 0)
            throw new KerasNetException($"flow_from_directory: subset \"{subset}\" needs an ImageDataGenerator with validationSplit between 0 and 1.");

        DirectoryScanner.CheckDirectory(directory);
        var classNames = classes is { Length: > 0 } ? classes : DirectoryScanner.ListClasses(directory);
        var listing = new Listing(directory);
        for (int k = 0; k < classNames.Length; k++)
        {
            if (!listing.ClassIndices.TryAdd(classNames[k], k))
                throw new KerasNetException($"flow_from_directory: class '{classNames[k]}' is listed twice.");
            var files = DirectoryScanner.ListClassFiles(directory, classNames[k]);
            if (files.Count == 0)
                throw new DataFolderException(Path.Combine(directory, classNames[k]), $"Class folder '{Path.Combine(directory, classNames[k])}' has no images (files ending in {string.Join(", ", DirectoryScanner.WhiteListFormats)}).");
            if (split is var (from, to))
            {
                int start = (int)(from * files.Count), stop = (int)(to * files.Count);
                files = files.GetRange(start, stop - start);
            }
            foreach (var f in files) { listing.Filenames.Add(f); listing.ClassList.Add(k); }
        }
        if (skipInvalid) listing.DropInvalid(colorMode, targetSize, interpolation, output ?? Console.Out);
        (output ?? Console.Out).WriteLine($"Found {listing.Filenames.Count} images belonging to {classNames.Length} classes.");
        return new DirectoryIterator(listing, generator, targetSize, colorMode, classMode, batchSize, shuffle, seed, interpolation);
    }

    /// <summary>The data folder.</summary>
    public string Directory { get; }

    /// <summary>Class name to label index.</summary>
    public Dictionary<string, int> ClassIndices { get; }

    /// <summary>Number of classes.</summary>
    public int NumClasses => ClassIndices.Count;

    /// <summary>The label index of every sample, in <see cref="Filenames"/> order.</summary>
    public int[] Classes { get; }

    /// <summary>Every sample's path relative to the data folder ("class/file.bmp", '/' separators), in Keras's order.</summary>
    public IReadOnlyList<string> Filenames { get; }

    /// <summary>Files left out because they could not be decoded (only with skipInvalid), relative like <see cref="Filenames"/>.</summary>
    public IReadOnlyList<string> SkippedFiles { get; }

    /// <summary>The class_mode ("categorical", "binary", "sparse", "input" or null).</summary>
    public string? ClassMode { get; }

    /// <summary>The full path of every sample.</summary>
    public IReadOnlyList<string> Filepaths => _paths;

    /// <inheritdoc/>
    protected override int[] SampleShape => _sampleShape;

    /// <inheritdoc/>
    protected override void LoadSample(int index, Span<float> dst)
    {
        var bytes = _cache[index] ??= ImageLoader.LoadImage(_paths[index], _colorMode, _targetSize, _interpolation).Data;
        ImageLoader.ToFloats(bytes, dst);
    }

    /// <inheritdoc/>
    protected override Tensor? Targets(ReadOnlySpan<int> indices, Tensor x, Tensor? y) => ClassTargets.Fill(ClassMode, Classes, NumClasses, indices, x, y);

    /// <summary>The folder listing before the iterator exists (the base class needs the sample count).</summary>
    private sealed class Listing(string directory)
    {
        public string Directory { get; } = directory;
        public Dictionary<string, int> ClassIndices { get; } = new();
        public List<string> Filenames { get; } = new();
        public List<int> ClassList { get; } = new();
        public int[] Classes => ClassList.ToArray();
        public List<string> Skipped { get; } = new();
        public byte[]?[]? Cache { get; private set; }

        /// <summary>Decodes every file now (in parallel), keeps the results as the cache and drops the files that fail.</summary>
        public void DropInvalid(string colorMode, Size2 targetSize, string interpolation, TextWriter output)
        {
            var loaded = new byte[]?[Filenames.Count];
            var errors = new string?[Filenames.Count];
            Parallel.For(0, Filenames.Count, i =>
            {
                try { loaded[i] = ImageLoader.LoadImage(Path.Combine(Directory, Filenames[i]), colorMode, targetSize, interpolation).Data; }
                catch (KerasNetException e) { errors[i] = e.Message; }
            });
            var keepNames = new List<string>();
            var keepClasses = new List<int>();
            var keepData = new List<byte[]?>();
            for (int i = 0; i < Filenames.Count; i++)
            {
                if (errors[i] != null) { Skipped.Add(Filenames[i]); output.WriteLine($"Skipping {errors[i]}"); continue; }
                keepNames.Add(Filenames[i]); keepClasses.Add(ClassList[i]); keepData.Add(loaded[i]);
            }
            if (Skipped.Count > 0) output.WriteLine($"Skipped {Skipped.Count} image file(s) that could not be read.");
            Filenames.Clear(); Filenames.AddRange(keepNames);
            ClassList.Clear(); ClassList.AddRange(keepClasses);
            Cache = keepData.ToArray();
        }
    }
}
