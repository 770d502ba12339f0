#nullable enable
using KerasNet.Engine;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// keras_preprocessing's <c>DataFrameIterator</c> (what <see cref="ImageDataGenerator.FlowFromDataframe"/> and
/// <see cref="ImageDataGenerator.FlowFromCsv"/> return): images named by a table's <c>x_col</c> (relative to
/// <c>directory</c>) with string labels in <c>y_col</c>. As Keras: rows whose file name lacks an image extension or
/// whose file does not exist are dropped with a warning (validate_filenames); classes are the sorted labels (or the
/// given classes, sorted, with the rows of other labels dropped); a subset takes the <c>[start, stop)</c> fraction of
/// the rows; it prints "Found N validated image filenames belonging to K classes.". Images load as load_img does.
/// <para>
/// Every cell is a string (as read from a CSV): Keras's multi-label lists, class_mode "raw" and "multi_output" and
/// weight_col are not supported and are refused.
/// </para>
/// </summary>
public sealed class DataFrameIterator : ImageIterator
{
    private static readonly HashSet<string?> ClassModes = ["categorical", "binary", "sparse", "input", null];
    private static readonly string[] WhiteList = ["png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff"];
    private readonly string[] _paths;
    private readonly int[] _sampleShape;
    private readonly string _colorMode, _interpolation;
    private readonly Size2 _targetSize;
    private readonly byte[]?[] _cache;

    private DataFrameIterator(Listing l, ImageDataGenerator generator, Size2 targetSize, string colorMode, string? classMode,
        int batchSize, bool shuffle, int? seed, string interpolation)
        : base(generator, l.Filenames.Count, batchSize, shuffle, seed)
    {
        Directory = l.Directory; Filenames = l.Filenames; Classes = l.Classes; ClassIndices = l.ClassIndices; ClassMode = classMode;
        _paths = l.Filenames.Select(f => Path.Combine(l.Directory, f)).ToArray();
        _cache = new byte[]?[_paths.Length];
        _targetSize = targetSize; _colorMode = colorMode; _interpolation = interpolation;
        _sampleShape = [targetSize.Height, targetSize.Width, PilImage.BandsOf(ColorConversion.ModeFor(colorMode))];
    }

    private sealed record Listing(string Directory, List<string> Filenames, int[] Classes, Dictionary<string, int> ClassIndices);

    internal static DataFrameIterator Create(IReadOnlyList<IReadOnlyDictionary<string, string>> dataframe, string? directory, string xCol,
        string yCol, ImageDataGenerator generator, Size2 targetSize, string colorMode, string[]? classes, string? classMode,
        int batchSize, bool shuffle, int? seed, string? subset, string interpolation, bool validateFilenames, TextWriter output)
    {
        const string what = "flow_from_dataframe";
        ArgumentNullException.ThrowIfNull(dataframe);
        ImageLoader.Validate(colorMode, targetSize, interpolation, what);
        if (!ClassModes.Contains(classMode))
            throw new KerasNetException(classMode is "raw" or "multi_output"
                ? $"{what}: class_mode \"{classMode}\" is not supported by KerasNet (only categorical, binary, sparse, input and None)."
                : $"{what}: Invalid class_mode: {classMode}; expected one of: {{'binary', 'categorical', 'input', 'multi_output', 'raw', 'sparse', None}}");
        (double From, double To)? split = subset switch
        {
            null => null,
            "validation" => (0, generator.ValidationSplit),
            "training" => (generator.ValidationSplit, 1),
            _ => throw new KerasNetException($"{what}: Invalid subset name: {subset}; expected \"training\" or \"validation\"."),
        };
        bool labelled = classMode is not ("input" or null);
        var rows = new List<(string File, string? Label)>();
        for (int r = 0; r < dataframe.Count; r++)
        {
            if (!dataframe[r].TryGetValue(xCol, out var file) || string.IsNullOrEmpty(file))
                throw new KerasNetException($"{what}: All values in column x_col={xCol} must be strings (row {r} has none).");
            string? label = null;
            if (labelled && (!dataframe[r].TryGetValue(yCol, out label) || string.IsNullOrEmpty(label)))
                throw new KerasNetException($"{what}: If class_mode=\"{classMode}\", y_col=\"{yCol}\" column values must be strings (row {r} has none).");
            rows.Add((file, label));
        }
        if (classMode == "binary")
        {
            int n = classes is { Length: > 0 } ? classes.Distinct().Count() : rows.Select(r => r.Label).Distinct().Count();
            if (n != 2) throw new KerasNetException(classes is { Length: > 0 }
                ? $"{what}: If class_mode=\"binary\" there must be 2 classes. {n} class/es were given."
                : $"{what}: If class_mode=\"binary\" there must be 2 classes. Found {n} classes.");
        }
        string dir = directory ?? "";
        if (validateFilenames)
        {
            int before = rows.Count;
            rows = rows.Where(r => WhiteList.Any(e => r.File.ToLowerInvariant().EndsWith(e, StringComparison.Ordinal)) && File.Exists(Path.Combine(dir, r.File))).ToList();
            if (rows.Count < before) Keras.Warn($"Found {before - rows.Count} invalid image filename(s) in x_col=\"{xCol}\". These filename(s) will be ignored.");
        }
        var indices = new Dictionary<string, int>();
        if (labelled)
        {
            string[] names;
            if (classes is { Length: > 0 })
            {
                var keep = new HashSet<string>(classes);
                rows = rows.Where(r => keep.Contains(r.Label!)).ToList();
                names = keep.ToArray();
            }
            else names = rows.Select(r => r.Label!).Distinct().ToArray();
            Array.Sort(names, StringComparer.Ordinal); // sorted(classes) in both cases
            for (int i = 0; i < names.Length; i++) indices[names[i]] = i;
        }
        if (split is var (from, to))
        {
            int start = (int)(from * rows.Count), stop = (int)(to * rows.Count);
            rows = rows.GetRange(start, stop - start);
        }
        var listing = new Listing(dir, rows.Select(r => r.File).ToList(), labelled ? rows.Select(r => indices[r.Label!]).ToArray() : [], indices);
        string validated = validateFilenames ? "validated" : "non-validated";
        output.WriteLine(labelled
            ? $"Found {rows.Count} {validated} image filenames belonging to {indices.Count} classes."
            : $"Found {rows.Count} {validated} image filenames.");
        return new DataFrameIterator(listing, generator, targetSize, colorMode, classMode, batchSize, shuffle, seed, interpolation);
    }

    /// <summary>The folder the file names are relative to ("" when none was given).</summary>
    public string Directory { get; }
    /// <summary>The file names of the rows kept, in order.</summary>
    public IReadOnlyList<string> Filenames { get; }
    /// <summary>The class index of each row (empty for class_mode "input" or None).</summary>
    public int[] Classes { get; }
    /// <summary>Class name to index.</summary>
    public Dictionary<string, int> ClassIndices { get; }
    /// <summary>The class mode.</summary>
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
    protected override Tensor? Targets(ReadOnlySpan<int> indices, Tensor x, Tensor? y) => ClassTargets.Fill(ClassMode, Classes, ClassIndices.Count, indices, x, y);
}
