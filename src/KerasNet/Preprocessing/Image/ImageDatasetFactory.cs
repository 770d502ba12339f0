#nullable enable
using KerasNet.Utils;

namespace KerasNet.Preprocessing.Image;

/// <summary>The argument checks and steps of Keras 2.10's image_dataset_from_directory (see <see cref="Keras.Utils.ImageDatasetFromDirectory"/>).</summary>
internal static class ImageDatasetFactory
{
    private static readonly HashSet<string?> LabelModes = ["int", "categorical", "binary", null];

    public static (ImageDataset? Training, ImageDataset? Validation, ImageDataset? All) Create(string directory, ImageLabels? labels,
        string? labelMode, string[]? classNames, string colorMode, int batchSize, Size2? imageSize, bool shuffle, int? seed,
        double? validationSplit, string? subset, string interpolation, bool followLinks, bool cropToAspectRatio, TextWriter? output)
    {
        const string what = "image_dataset_from_directory";
        labels ??= ImageLabels.Inferred;
        var size = imageSize ?? new Size2(256, 256);
        var writer = output ?? Console.Out;
        if (labels.Kind == "list" && classNames is { Length: > 0 })
            throw new KerasNetException($"{what}: You can only pass `class_names` if `labels=\"inferred\"`. Received: labels=[...], and class_names=[{string.Join(", ", classNames)}]");
        if (!LabelModes.Contains(labelMode))
            throw new KerasNetException($"{what}: `label_mode` argument must be one of \"int\", \"categorical\", \"binary\", or None. Received: label_mode={labelMode}");
        if (labels.Kind == "none") labelMode = null; // labels=None or label_mode=None: no labels
        if (colorMode is not ("rgb" or "rgba" or "grayscale"))
            throw new KerasNetException($"{what}: `color_mode` must be one of {{\"rgb\", \"rgba\", \"grayscale\"}}. Received: color_mode={colorMode}");
        TfResize.Check(interpolation, what);
        if (batchSize <= 0) throw new KerasNetException($"{what}: batch_size must be positive, got {batchSize} (unbatched datasets, batch_size=None, are not supported).");
        if (size.Height <= 0 || size.Width <= 0) throw new KerasNetException($"{what}: image_size must be positive, got {size}.");
        CheckValidationSplit(validationSplit, subset, shuffle, seed);
        if (seed is < 0) throw new KerasNetException($"{what}: seed must be between 0 and 2**32 - 1, got {seed}.");
        uint s = seed is int given ? (uint)given : (uint)Random.Shared.Next(1_000_000); // np.random.randint(1e6)
        var index = DatasetIndex.Index(directory, labels, classNames, shuffle, s, followLinks, writer);
        if (labelMode == "binary" && index.ClassNames.Length != 2)
            throw new KerasNetException($"{what}: When passing `label_mode=\"binary\"`, there must be exactly 2 class_names. Received: class_names=[{string.Join(", ", index.ClassNames.Select(PyText.Repr))}]");
        int[]? labelArray = labelMode == null ? null : index.Labels;
        // A one-hot or binary label outside the classes has no encoding (TensorFlow's one_hot would give a zero row).
        if (labelArray != null && labelMode != "int" && Array.FindIndex(labelArray, l => l < 0 || l >= index.ClassNames.Length) is int at and >= 0)
            throw new KerasNetException($"{what}: label {labelArray[at]} is out of range for {index.ClassNames.Length} classes with label_mode=\"{labelMode}\".");
        ImageDataset Make(List<string> paths, int[]? ls)
        {
            if (paths.Count == 0)
                throw new KerasNetException($"{what}: No images found in directory {directory}. Allowed formats: ({string.Join(", ", DatasetIndex.AllowlistFormats.Select(PyText.Repr))})");
            return new ImageDataset(paths, ls, index.ClassNames, labelMode, colorMode, batchSize, (size.Height, size.Width), shuffle, s, interpolation, cropToAspectRatio);
        }
        if (subset == "both")
        {
            var (tp, tl) = DatasetIndex.Split(index.Paths, labelArray, validationSplit, "training", writer);
            var (vp, vl) = DatasetIndex.Split(index.Paths, labelArray, validationSplit, "validation", writer);
            if (tp.Count == 0) throw new KerasNetException($"{what}: No training images found in directory {directory}. Allowed formats: ({string.Join(", ", DatasetIndex.AllowlistFormats.Select(PyText.Repr))})");
            if (vp.Count == 0) throw new KerasNetException($"{what}: No validation images found in directory {directory}. Allowed formats: ({string.Join(", ", DatasetIndex.AllowlistFormats.Select(PyText.Repr))})");
            return (Make(tp, tl), Make(vp, vl), null);
        }
        var (p, l2) = DatasetIndex.Split(index.Paths, labelArray, validationSplit, subset, writer);
        return (null, null, Make(p, l2));
    }

    /// <summary>dataset_utils.check_validation_split_arg.</summary>
    private static void CheckValidationSplit(double? validationSplit, string? subset, bool shuffle, int? seed)
    {
        bool split = validationSplit is double v && v != 0;
        if (split && !(validationSplit > 0 && validationSplit < 1))
            throw new KerasNetException($"`validation_split` must be between 0 and 1, received: {validationSplit}");
        if ((split || subset != null) && !(split && subset != null))
            throw new KerasNetException("If `subset` is set, `validation_split` must be set, and inversely.");
        if (subset is not (null or "training" or "validation" or "both"))
            throw new KerasNetException($"`subset` must be either \"training\", \"validation\" or \"both\", received: {subset}");
        if (split && shuffle && seed is null)
            throw new KerasNetException("If using `validation_split` and shuffling the data, you must provide a `seed` argument, to make sure that there is no overlap between the training and validation subset.");
    }
}
