#nullable enable
using KerasNet.Engine;
using KerasNet.Models;
using NumSharp;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// Keras's <c>ImageDataGenerator</c>: per-image random augmentation (rotation, shifts, shear, zoom, flips) and
/// standardisation (<c>preprocessing_function</c>, then <c>rescale</c>), applied by the iterators that
/// <see cref="FlowFromDirectory"/> and <see cref="Flow(Tensor, Tensor?, int, bool, int?)"/> return.
/// </summary>
public sealed class ImageDataGenerator
{
    /// <summary>Creates the generator with Keras's arguments (camelCase).</summary>
    /// <param name="rescale">Multiplies every value after augmentation (e.g. 1.0/255); null or 0 for none.</param>
    /// <param name="rotationRange">Rotation in degrees, drawn uniformly from [-r, r].</param>
    /// <param name="widthShiftRange">Column shift: a fraction of the width if below 1, else pixels; uniform in [-r, r]
    /// (Keras's float behaviour; Keras draws whole pixels when given a Python int).</param>
    /// <param name="heightShiftRange">Row shift: a fraction of the height if below 1, else pixels; uniform in [-r, r].</param>
    /// <param name="shearRange">Shear angle in degrees, uniform in [-r, r].</param>
    /// <param name="zoomRange">z for [1 - z, 1 + z] or (min, max); the row and column zooms are drawn independently.</param>
    /// <param name="horizontalFlip">Flip columns with probability 0.5.</param>
    /// <param name="verticalFlip">Flip rows with probability 0.5.</param>
    /// <param name="fillMode">"nearest", "constant", "reflect" or "wrap" for points outside the image. Keras's default:
    /// <c>"nearest"</c>.</param>
    /// <param name="cval">Fill value for "constant".</param>
    /// <param name="validationSplit">Fraction of each class kept for <c>subset: "validation"</c>; strictly between 0 and 1, or 0.</param>
    /// <param name="preprocessingFunction">Runs on each (H, W, C) image after augmentation and before rescale; returns an image of the same shape.</param>
    public ImageDataGenerator(double? rescale = null, double rotationRange = 0, double widthShiftRange = 0,
        double heightShiftRange = 0, double shearRange = 0, ZoomRange? zoomRange = null, bool horizontalFlip = false,
        bool verticalFlip = false, string fillMode = "nearest", double cval = 0, double validationSplit = 0,
        Func<Tensor, Tensor>? preprocessingFunction = null)
    {
        if (validationSplit != 0 && !(validationSplit > 0 && validationSplit < 1))
            throw new KerasNetException($"ImageDataGenerator: validation_split must be strictly between 0 and 1, got {validationSplit}.");
        foreach (var (name, v) in new[] { ("rotation_range", rotationRange), ("width_shift_range", widthShiftRange), ("height_shift_range", heightShiftRange), ("shear_range", shearRange) })
            if (!double.IsFinite(v) || v < 0) throw new KerasNetException($"ImageDataGenerator: {name} must be a non-negative number, got {v}.");
        FillMode = fillMode switch
        {
            "nearest" => Image.FillMode.Nearest,
            "constant" => Image.FillMode.Constant,
            "reflect" => Image.FillMode.Reflect,
            "wrap" => Image.FillMode.Wrap,
            _ => throw new KerasNetException($"ImageDataGenerator: fill_mode must be one of nearest, constant, reflect, wrap, got \"{fillMode}\"."),
        };
        var zoom = zoomRange ?? ZoomRange.None;
        if (!double.IsFinite(zoom.Min) || !double.IsFinite(zoom.Max) || zoom.Min > zoom.Max)
            throw new KerasNetException($"ImageDataGenerator: zoom_range must be a number or a (min, max) pair with min <= max, got ({zoom.Min}, {zoom.Max}).");
        Rescale = rescale; RotationRange = rotationRange; WidthShiftRange = widthShiftRange; HeightShiftRange = heightShiftRange;
        ShearRange = shearRange; ZoomRange = zoom; HorizontalFlip = horizontalFlip; VerticalFlip = verticalFlip;
        Cval = cval; ValidationSplit = validationSplit; PreprocessingFunction = preprocessingFunction;
    }

    /// <summary>The rescale factor (null for none).</summary>
    public double? Rescale { get; }
    /// <summary>Rotation range in degrees.</summary>
    public double RotationRange { get; }
    /// <summary>Width (column) shift range.</summary>
    public double WidthShiftRange { get; }
    /// <summary>Height (row) shift range.</summary>
    public double HeightShiftRange { get; }
    /// <summary>Shear range in degrees.</summary>
    public double ShearRange { get; }
    /// <summary>Zoom range as (min, max).</summary>
    public ZoomRange ZoomRange { get; }
    /// <summary>Random horizontal flips.</summary>
    public bool HorizontalFlip { get; }
    /// <summary>Random vertical flips.</summary>
    public bool VerticalFlip { get; }
    /// <summary>Boundary mode of the affine transform.</summary>
    public FillMode FillMode { get; }
    /// <summary>Fill value for the constant mode.</summary>
    public double Cval { get; }
    /// <summary>Fraction held out for the validation subset.</summary>
    public double ValidationSplit { get; }
    /// <summary>The user's per-image function (after augmentation, before rescale).</summary>
    public Func<Tensor, Tensor>? PreprocessingFunction { get; }

    /// <summary>Whether any random geometric augmentation is configured (otherwise images pass through unchanged).</summary>
    public bool Augments => RotationRange != 0 || WidthShiftRange != 0 || HeightShiftRange != 0 || ShearRange != 0 ||
        ZoomRange.Min != 1 || ZoomRange.Max != 1 || HorizontalFlip || VerticalFlip;

    /// <summary>
    /// Draws one set of parameters for an (h, w) image, in Keras's order: theta, tx (rows), ty (columns), shear,
    /// zx and zy, then the two flip coins (always drawn, as Keras does).
    /// </summary>
    /// <param name="height">The image's height in pixels.</param>
    /// <param name="width">The image's width in pixels.</param>
    /// <param name="rng">The generator to draw from.</param>
    /// <returns>The drawn parameters.</returns>
    public TransformParameters GetRandomTransform(int height, int width, Random rng)
    {
        double Uniform(double lo, double hi) => lo + (hi - lo) * rng.NextDouble();
        double theta = RotationRange != 0 ? Uniform(-RotationRange, RotationRange) : 0;
        double tx = 0, ty = 0, shear = 0, zx = 1, zy = 1;
        if (HeightShiftRange != 0)
        {
            tx = Uniform(-HeightShiftRange, HeightShiftRange);
            if (HeightShiftRange < 1) tx *= height;
        }
        if (WidthShiftRange != 0)
        {
            ty = Uniform(-WidthShiftRange, WidthShiftRange);
            if (WidthShiftRange < 1) ty *= width;
        }
        if (ShearRange != 0) shear = Uniform(-ShearRange, ShearRange);
        if (ZoomRange.Min != 1 || ZoomRange.Max != 1)
        {
            zx = Uniform(ZoomRange.Min, ZoomRange.Max);
            zy = Uniform(ZoomRange.Min, ZoomRange.Max);
        }
        bool fh = rng.NextDouble() < 0.5 && HorizontalFlip;
        bool fv = rng.NextDouble() < 0.5 && VerticalFlip;
        return new TransformParameters(theta, tx, ty, shear, zx, zy, fh, fv);
    }

    /// <summary>Keras's <c>apply_transform</c> on one (H, W, C) image: the affine transform, then the flips. Returns a new tensor.</summary>
    /// <param name="x">The (H, W, C) image.</param>
    /// <param name="parameters">The transform (from <see cref="ImageDataGenerator.GetRandomTransform"/>, or your
    /// own).</param>
    /// <returns>The transformed image.</returns>
    public Tensor ApplyTransform(Tensor x, TransformParameters parameters)
    {
        CheckImage(x, "ApplyTransform");
        var y = new Tensor(x.Shape[0], x.Shape[1], x.Shape[2]);
        ApplyTransform(x.Span, y.Span, x.Shape[0], x.Shape[1], x.Shape[2], parameters);
        return y;
    }

    internal void ApplyTransform(ReadOnlySpan<float> src, Span<float> dst, int h, int w, int c, TransformParameters p)
    {
        var m = AffineTransform.Matrix(p, h, w);
        if (m == null) src.CopyTo(dst);
        else AffineTransform.Apply(src, dst, h, w, c, m, FillMode, Cval);
        if (p.FlipHorizontal) AffineTransform.Flip(dst, h, w, c, horizontal: true);
        if (p.FlipVertical) AffineTransform.Flip(dst, h, w, c, horizontal: false);
    }

    /// <summary>Keras's <c>random_transform</c>: draws parameters (from <paramref name="seed"/> or the "augment" stream) and applies them.</summary>
    /// <param name="x">The (H, W, C) image.</param>
    /// <param name="seed">A seed for reproducible draws; null (Keras's default <c>seed=None</c>) draws from the
    /// context's random streams, which <see cref="KerasNet.KerasRandom.SetRandomSeed(System.Int32)"/> seeds.</param>
    /// <returns>The transformed image, a new tensor.</returns>
    public Tensor RandomTransform(Tensor x, int? seed = null)
    {
        CheckImage(x, "RandomTransform");
        return ApplyTransform(x, GetRandomTransform(x.Shape[0], x.Shape[1], KerasRandom.For(seed, "augment")));
    }

    /// <summary>Keras's <c>standardize</c> in place on one (H, W, C) image: the preprocessing function, then rescale.</summary>
    /// <param name="x">The (H, W, C) image, changed in place.</param>
    public void Standardize(Tensor x)
    {
        if (PreprocessingFunction != null)
        {
            var r = PreprocessingFunction(x);
            if (r is null || !ShapeUtil.Equal(r.Shape, x.Shape))
                throw new KerasNetException($"ImageDataGenerator: preprocessing_function must return an image of shape {ShapeUtil.Format(x.Shape)}, got {(r is null ? "null" : ShapeUtil.Format(r.Shape))}.");
            if (!ReferenceEquals(r, x)) r.Span.CopyTo(x.Span);
        }
        ApplyRescale(x.Span);
    }

    /// <summary>Standardises one sample held in a batch buffer; the preprocessing function sees it as its own tensor.</summary>
    internal void Standardize(Span<float> x, int[] shape)
    {
        if (PreprocessingFunction != null)
        {
            var t = new Tensor(x.ToArray(), shape);
            Standardize(t);
            t.Span.CopyTo(x);
        }
        else ApplyRescale(x);
    }

    private void ApplyRescale(Span<float> x)
    {
        if (Rescale is not double s || s == 0) return;
        float f = (float)s; // numpy multiplies a float32 array by the scalar cast to float32
        for (int i = 0; i < x.Length; i++) x[i] *= f;
    }

    private static void CheckImage(Tensor x, string what)
    {
        if (x.Rank != 3) throw new ShapeMismatchException($"ImageDataGenerator.{what}: expected one (height, width, channels) image, got shape {ShapeUtil.Format(x.Shape)}.");
    }

    /// <summary>
    /// Keras's <c>flow_from_directory</c>: one subfolder per class (sorted, or <paramref name="classes"/>), images
    /// found recursively, decoded once, resized to <paramref name="targetSize"/> and augmented per batch.
    /// Prints <c>Found N images belonging to K classes.</c>
    /// </summary>
    /// <param name="directory">The folder holding one subfolder per class.</param>
    /// <param name="targetSize">(height, width); null means Keras's default (256, 256).</param>
    /// <param name="colorMode">"rgb", "grayscale" or "rgba". Keras's default: <c>"rgb"</c>.</param>
    /// <param name="classes">Class subfolder names in label order; null lists the subfolders alphabetically.</param>
    /// <param name="classMode">"categorical", "binary", "sparse", "input" or null (no labels). Keras's default:
    /// <c>"categorical"</c>.</param>
    /// <param name="batchSize">Images per batch; the last batch may be short.</param>
    /// <param name="shuffle">Reshuffle the order every epoch; false keeps <see cref="DirectoryIterator.Filenames"/> order.</param>
    /// <param name="seed">Makes the shuffling and augmentation repeatable.</param>
    /// <param name="subset">"training" or "validation" with <see cref="ValidationSplit"/>. Keras's default: null
    /// (<c>None</c>).</param>
    /// <param name="interpolation">"nearest" (default), "bilinear", "bicubic", "lanczos", "box", "hamming".</param>
    /// <param name="skipInvalid">Skip (and count in <see cref="DirectoryIterator.SkippedFiles"/>) files that cannot be decoded, instead of failing.</param>
    /// <param name="output">Where the "Found ..." line goes (Console.Out by default).</param>
    /// <returns>The iterator, an <see cref="KerasNet.Data.IDataSequence"/> of augmented batches.</returns>
    public DirectoryIterator FlowFromDirectory(string directory, Size2? targetSize = null, string colorMode = "rgb",
        string[]? classes = null, string? classMode = "categorical", int batchSize = 32, bool shuffle = true,
        int? seed = null, string? subset = null, string interpolation = "nearest", bool skipInvalid = false, TextWriter? output = null)
        => DirectoryIterator.Create(directory, this, targetSize ?? new Size2(256, 256), colorMode, classes, classMode, batchSize, shuffle, seed,
            subset, interpolation, skipInvalid, output);

    /// <summary>
    /// Keras's <c>flow_from_dataframe</c> over a table given as rows of column name to string value (see
    /// <see cref="DataFrameIterator"/> for what is kept and in which order).
    /// </summary>
    /// <param name="dataframe">The rows; <paramref name="xCol"/> holds file names, <paramref name="yCol"/> string labels.</param>
    /// <param name="directory">The folder the file names are relative to; null when they are full paths.</param>
    /// <param name="xCol">The file name column.</param>
    /// <param name="yCol">The label column.</param>
    /// <param name="targetSize">(height, width); default (256, 256).</param>
    /// <param name="colorMode">"rgb", "grayscale" or "rgba". Keras's default: <c>"rgb"</c>.</param>
    /// <param name="classes">The classes to keep (rows of other labels are dropped); null for every label.</param>
    /// <param name="classMode">"categorical", "binary", "sparse", "input" or null. Keras's default:
    /// <c>"categorical"</c>.</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="shuffle">Reshuffle every epoch.</param>
    /// <param name="seed">Makes the shuffling and augmentation repeatable.</param>
    /// <param name="subset">"training" or "validation" with <see cref="ValidationSplit"/>. Keras's default: null
    /// (<c>None</c>).</param>
    /// <param name="interpolation">"nearest" (default), "bilinear", "bicubic", "lanczos", "box", "hamming".</param>
    /// <param name="validateFilenames">Drop rows whose file has no image extension or does not exist.</param>
    /// <param name="output">Where the "Found ..." line goes (Console.Out by default).</param>
    /// <returns>The iterator, an <see cref="KerasNet.Data.IDataSequence"/> of augmented batches.</returns>
    public DataFrameIterator FlowFromDataframe(IReadOnlyList<IReadOnlyDictionary<string, string>> dataframe, string? directory = null,
        string xCol = "filename", string yCol = "class", Size2? targetSize = null, string colorMode = "rgb", string[]? classes = null,
        string? classMode = "categorical", int batchSize = 32, bool shuffle = true, int? seed = null, string? subset = null,
        string interpolation = "nearest", bool validateFilenames = true, TextWriter? output = null)
        => DataFrameIterator.Create(dataframe, directory, xCol, yCol, this, targetSize ?? new Size2(256, 256), colorMode, classes, classMode,
            batchSize, shuffle, seed, subset, interpolation, validateFilenames, output ?? Console.Out);

    /// <summary>
    /// <c>flow_from_dataframe(pd.read_csv(csvPath), ...)</c>: the table is read from a CSV file whose first row names
    /// the columns (every cell a string). The arguments are <see cref="FlowFromDataframe"/>'s.
    /// </summary>
    /// <param name="directory">The folder the file names are relative to; null when they are full paths.</param>
    /// <param name="xCol">The file name column.</param>
    /// <param name="yCol">The label column.</param>
    /// <param name="targetSize">(height, width); default (256, 256).</param>
    /// <param name="colorMode">"rgb", "grayscale" or "rgba". Keras's default: <c>"rgb"</c>.</param>
    /// <param name="classes">The classes to keep (rows of other labels are dropped); null for every label.</param>
    /// <param name="classMode">"categorical", "binary", "sparse", "input" or null. Keras's default:
    /// <c>"categorical"</c>.</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="shuffle">Reshuffle every epoch.</param>
    /// <param name="seed">Makes the shuffling and augmentation repeatable.</param>
    /// <param name="subset">"training" or "validation" with <see cref="ValidationSplit"/>. Keras's default: null
    /// (<c>None</c>).</param>
    /// <param name="interpolation">"nearest" (default), "bilinear", "bicubic", "lanczos", "box", "hamming".</param>
    /// <param name="validateFilenames">Drop rows whose file has no image extension or does not exist.</param>
    /// <param name="output">Where the "Found ..." line goes (Console.Out by default).</param>
    /// <param name="csvPath">The CSV file; its first row names the columns.</param>
    /// <returns>The iterator, an <see cref="KerasNet.Data.IDataSequence"/> of augmented batches.</returns>
    public DataFrameIterator FlowFromCsv(string csvPath, string? directory = null, string xCol = "filename", string yCol = "class",
        Size2? targetSize = null, string colorMode = "rgb", string[]? classes = null, string? classMode = "categorical", int batchSize = 32,
        bool shuffle = true, int? seed = null, string? subset = null, string interpolation = "nearest", bool validateFilenames = true,
        TextWriter? output = null)
        => FlowFromDataframe(CsvTable.Read(csvPath), directory, xCol, yCol, targetSize, colorMode, classes, classMode, batchSize, shuffle,
            seed, subset, interpolation, validateFilenames, output);

    /// <summary>Keras's <c>flow(x, y)</c>: batches over in-memory (N, H, W, C) images with augmentation and standardisation.</summary>
    /// <param name="x">The images, (N, H, W, C).</param>
    /// <param name="y">The targets, one row per image; null for images only.</param>
    /// <param name="batchSize">Images per batch (Keras's default 32).</param>
    /// <param name="shuffle">Whether to reshuffle every epoch (Keras's default true).</param>
    /// <param name="seed">Makes the shuffling and augmentation repeatable; null draws from the context's
    /// streams.</param>
    /// <returns>The iterator, an <see cref="KerasNet.Data.IDataSequence"/> of augmented batches.</returns>
    public ArrayIterator Flow(Tensor x, Tensor? y = null, int batchSize = 32, bool shuffle = true, int? seed = null)
        => new(x, y, this, batchSize, shuffle, seed);

    /// <summary>Keras's <c>flow(x, y)</c> over NumSharp arrays.</summary>
    /// <param name="x">The images, (N, H, W, C).</param>
    /// <param name="y">The targets, one row per image; null for images only.</param>
    /// <param name="batchSize">Images per batch (Keras's default 32).</param>
    /// <param name="shuffle">Whether to reshuffle every epoch (Keras's default true).</param>
    /// <param name="seed">Makes the shuffling and augmentation repeatable; null draws from the context's
    /// streams.</param>
    /// <returns>The iterator, an <see cref="KerasNet.Data.IDataSequence"/> of augmented batches.</returns>
    public ArrayIterator Flow(NDArray x, NDArray? y = null, int batchSize = 32, bool shuffle = true, int? seed = null)
        => new(NDArrays.ToTensor(x), y is null ? null : NDArrays.ToTensor(y), this, batchSize, shuffle, seed);
}
