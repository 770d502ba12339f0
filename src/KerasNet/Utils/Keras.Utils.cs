#nullable enable
using KerasNet.Preprocessing.Image;
using NumSharp;

namespace KerasNet;

public static partial class Keras
{
    /// <summary>
    /// Keras's <c>keras.utils</c>: <c>to_categorical</c>, <c>normalize</c>, <c>image_dataset_from_directory</c>,
    /// <c>load_img</c>, <c>img_to_array</c>, <c>array_to_img</c> and <c>save_img</c>, with Keras's argument names
    /// and defaults.
    /// </summary>
    public static class Utils
    {
        /// <summary>
        /// <c>to_categorical(y, num_classes)</c>: one-hot float32 rows for integer class indices. A trailing axis of
        /// size 1 is dropped first (a column of labels), so (n, 1) gives (n, num_classes), as in Keras.
        /// </summary>
        /// <param name="y">Class indices (any numeric dtype; floats are truncated toward zero as numpy's int cast does).</param>
        /// <param name="numClasses">The number of classes; null for <c>max(y) + 1</c>.</param>
        /// <exception cref="KerasNetException">A negative, non-finite or out-of-range label (numpy would wrap a
        /// negative one to another class; KerasNet refuses it).</exception>
        /// <returns>A float32 array of shape (samples, numClasses) (the input's shape plus a class axis).</returns>
        public static NDArray ToCategorical(NDArray y, int? numClasses = null) => global::KerasNet.Utils.ArrayUtils.ToCategorical(y, numClasses);

        /// <summary><c>to_categorical</c> of a list of class indices.</summary>
        /// <param name="y">The class indices, from 0.</param>
        /// <param name="numClasses">The number of classes; null (Keras's default) is the largest index plus
        /// one.</param>
        /// <returns>A float32 (samples, numClasses) array.</returns>
        public static NDArray ToCategorical(IEnumerable<int> y, int? numClasses = null) =>
            global::KerasNet.Utils.ArrayUtils.ToCategorical(np.array((y ?? throw new ArgumentNullException(nameof(y))).ToArray()), numClasses);

        /// <summary>
        /// <c>normalize(x, axis=-1, order=2)</c>: x divided by its <paramref name="order"/>-norm along
        /// <paramref name="axis"/> (np.linalg.norm; a zero norm divides by 1). float32 stays float32, any other
        /// dtype gives float64, as numpy does. A vector comes back as a (1, n) row, as Keras's broadcasting makes it.
        /// </summary>
        /// <param name="x">The array.</param>
        /// <param name="axis">The axis to normalise along (negative counts from the end).</param>
        /// <param name="order">The norm's order: 2 (Euclidean), 1, any other power, 0 (count of non-zeros), or +/- infinity (max/min of |x|).</param>
        /// <returns>The normalized array, of <paramref name="x"/>'s shape.</returns>
        public static NDArray Normalize(NDArray x, int axis = -1, double order = 2) => global::KerasNet.Utils.ArrayUtils.Normalize(x, axis, order);

        /// <summary>
        /// Keras 2.10's <c>image_dataset_from_directory</c>: the images of a folder (one subfolder per class for
        /// inferred labels) as batches for Fit. The file list, its seeded shuffle and the validation split are
        /// Keras's dataset_utils exactly (numpy's RandomState for the shuffle), so <see cref="ImageDataset.FilePaths"/>
        /// equals Keras's <c>file_paths</c>; prints Keras's "Found N files belonging to K classes." and
        /// "Using N files for training." lines.
        /// <para>
        /// Pixels: files are decoded (and converted to the colour mode) as PIL does, as load_img does, where Keras uses
        /// tf.io.decode_image: identical for PNG, BMP and GIF files in their own colour mode; JPEG decoders and
        /// colour-to-grayscale conversions may differ by a grey level. The resize is tf.image.resize's (float values,
        /// no antialiasing), not PIL's: "bilinear" and "nearest" are implemented; the other tf.image methods are refused.
        /// </para>
        /// </summary>
        /// <param name="directory">The data folder.</param>
        /// <param name="labels">null or "inferred" (from the subfolders), an int list (one per file in sorted path
        /// order), or <see cref="ImageLabels.None"/> (no labels; every image below the folder). Keras's default is
        /// <c>"inferred"</c>.</param>
        /// <param name="labelMode">"int" (the class index), "categorical" (one-hot), "binary" (0/1, two classes), or
        /// null (no labels). Keras's default: <c>"int"</c>.</param>
        /// <param name="classNames">The subfolder names in the order that sets the indices (must name every subfolder).</param>
        /// <param name="colorMode">"rgb", "rgba" or "grayscale". Keras's default: <c>"rgb"</c>.</param>
        /// <param name="batchSize">Images per batch.</param>
        /// <param name="imageSize">(height, width) to resize to; default (256, 256).</param>
        /// <param name="shuffle">Shuffle the file order (seeded) and each epoch's batches.</param>
        /// <param name="seed">The shuffle seed; required with a validation split and shuffling.</param>
        /// <param name="validationSplit">Fraction (0, 1) of the files kept for validation (the last ones after shuffling).</param>
        /// <param name="subset">"training" or "validation" with <paramref name="validationSplit"/> ("both": use <see
        /// cref="ImageDatasetFromDirectorySplit"/>). Keras's default: null (<c>None</c>).</param>
        /// <param name="interpolation">tf.image.resize's method (antialias off), in TensorFlow's float32 arithmetic: "bilinear"
        /// (default), "nearest", "bicubic", "area" (ResizeArea's box average), "lanczos3", "lanczos5", "gaussian" or
        /// "mitchellcubic" (ScaleAndTranslate's kernels, not widened when shrinking).</param>
        /// <param name="followLinks">Whether to enter folders that are symbolic links.</param>
        /// <param name="cropToAspectRatio">Centre-crop each image to the target's aspect ratio before resizing (smart_resize).</param>
        /// <param name="output">Where the "Found ..." lines go (Console.Out by default).</param>
        /// <returns>The dataset, an <see cref="KerasNet.Data.IDataSequence"/> to give to Fit, Evaluate or Predict.</returns>
        public static ImageDataset ImageDatasetFromDirectory(string directory, ImageLabels? labels = null, string? labelMode = "int",
            string[]? classNames = null, string colorMode = "rgb", int batchSize = 32, Size2? imageSize = null, bool shuffle = true,
            int? seed = null, double? validationSplit = null, string? subset = null, string interpolation = "bilinear",
            bool followLinks = false, bool cropToAspectRatio = false, TextWriter? output = null)
        {
            if (subset == "both") throw new KerasNetException("image_dataset_from_directory: subset=\"both\" returns two datasets; call ImageDatasetFromDirectorySplit.");
            return ImageDatasetFactory.Create(directory, labels, labelMode, classNames, colorMode, batchSize, imageSize, shuffle, seed,
                validationSplit, subset, interpolation, followLinks, cropToAspectRatio, output).All!;
        }

        /// <summary>
        /// <c>image_dataset_from_directory(..., subset="both")</c>: the training and the validation datasets of one
        /// listing (see <see cref="ImageDatasetFromDirectory"/> for the arguments).
        /// </summary>
        /// <param name="directory">The data folder.</param>
        /// <param name="labels">null or "inferred" (from the subfolders), an int list (one per file in sorted path
        /// order), or <see cref="ImageLabels.None"/> (no labels; every image below the folder). Keras's default is
        /// <c>"inferred"</c>.</param>
        /// <param name="labelMode">"int" (the class index), "categorical" (one-hot), "binary" (0/1, two classes), or
        /// null (no labels). Keras's default: <c>"int"</c>.</param>
        /// <param name="classNames">The subfolder names in the order that sets the indices (must name every subfolder).</param>
        /// <param name="colorMode">"rgb", "rgba" or "grayscale". Keras's default: <c>"rgb"</c>.</param>
        /// <param name="batchSize">Images per batch.</param>
        /// <param name="imageSize">(height, width) to resize to; default (256, 256).</param>
        /// <param name="shuffle">Shuffle the file order (seeded) and each epoch's batches.</param>
        /// <param name="interpolation">tf.image.resize's method (antialias off), in TensorFlow's float32 arithmetic: "bilinear"
        /// (default), "nearest", "bicubic", "area" (ResizeArea's box average), "lanczos3", "lanczos5", "gaussian" or
        /// "mitchellcubic" (ScaleAndTranslate's kernels, not widened when shrinking).</param>
        /// <param name="followLinks">Whether to enter folders that are symbolic links.</param>
        /// <param name="cropToAspectRatio">Centre-crop each image to the target's aspect ratio before resizing (smart_resize).</param>
        /// <param name="output">Where the "Found ..." lines go (Console.Out by default).</param>
        /// <param name="validationSplit">Fraction (0, 1) of the files for the validation dataset (the last ones after
        /// the seeded shuffle).</param>
        /// <param name="seed">The shuffle seed, required (Keras requires one with a validation split) so that both
        /// datasets split one listing.</param>
        /// <returns>The training and the validation datasets.</returns>
        public static (ImageDataset Training, ImageDataset Validation) ImageDatasetFromDirectorySplit(string directory, double validationSplit,
            int seed, ImageLabels? labels = null, string? labelMode = "int", string[]? classNames = null, string colorMode = "rgb",
            int batchSize = 32, Size2? imageSize = null, bool shuffle = true, string interpolation = "bilinear",
            bool followLinks = false, bool cropToAspectRatio = false, TextWriter? output = null)
        {
            var r = ImageDatasetFactory.Create(directory, labels, labelMode, classNames, colorMode, batchSize, imageSize, shuffle, seed,
                validationSplit, "both", interpolation, followLinks, cropToAspectRatio, output);
            return (r.Training!, r.Validation!);
        }

        /// <summary>
        /// <c>load_img(path, grayscale, color_mode, target_size, interpolation, keep_aspect_ratio)</c>: decodes the
        /// file, converts it to the colour mode and resizes it as PIL does (bit-identical to keras_preprocessing).
        /// </summary>
        /// <param name="path">The image file (BMP, PNG, JPEG, GIF or PPM content).</param>
        /// <param name="grayscale">Deprecated in Keras: true means colorMode "grayscale".</param>
        /// <param name="colorMode">"rgb", "grayscale" or "rgba". Keras's default: <c>"rgb"</c>.</param>
        /// <param name="targetSize">(height, width), or null for the file's size.</param>
        /// <param name="interpolation">"nearest" (default), "bilinear", "bicubic", "lanczos", "box" or "hamming".</param>
        /// <param name="keepAspectRatio">Resize the largest centred crop of the target's aspect ratio (Keras 2.9+); with "nearest" only.</param>
        /// <returns>The image.</returns>
        public static KerasImage LoadImg(string path, bool grayscale = false, string colorMode = "rgb", Size2? targetSize = null,
            string interpolation = "nearest", bool keepAspectRatio = false) =>
            ImageArrays.LoadImg(path, grayscale, colorMode, targetSize, interpolation, keepAspectRatio);

        /// <summary><c>img_to_array(img, data_format)</c>: a float32 (height, width, channels) array, or (channels, height, width) for "channels_first".</summary>
        /// <param name="img">The image (as <c>LoadImg</c> returns).</param>
        /// <include file="../Docs/Params.xml" path="params/param[@name='dataFormat']"/>
        /// <returns>A float32 array of the pixel values (0 to 255).</returns>
        public static NDArray ImgToArray(KerasImage img, string dataFormat = "channels_last") => ImageArrays.ImgToArray(img, dataFormat);

        /// <summary>
        /// <c>array_to_img(x, data_format, scale)</c>: a rank-3 array with 1, 3 or 4 channels as an L, RGB or RGBA image;
        /// with <paramref name="scale"/> the values are first mapped to 0..255 (<c>(x - min) / max * 255</c> in float32), then truncated to bytes.
        /// </summary>
        /// <param name="x">A rank-3 array with 1, 3 or 4 channels.</param>
        /// <include file="../Docs/Params.xml" path="params/param[@name='dataFormat']"/>
        /// <param name="scale">Whether to map the values to 0..255 first (Keras default true); false truncates them to bytes as they are.</param>
        /// <returns>The image.</returns>
        public static KerasImage ArrayToImg(NDArray x, string dataFormat = "channels_last", bool scale = true) => ImageArrays.ArrayToImg(x, dataFormat, scale);

        /// <summary><c>save_img(path, x, data_format, file_format, scale)</c>: array_to_img, then PNG (any mode) or BMP (RGB); JPEG is refused.</summary>
        /// <param name="path">The file to write (through a temporary file, then renamed).</param>
        /// <param name="x">A rank-3 array with 1, 3 or 4 channels.</param>
        /// <include file="../Docs/Params.xml" path="params/param[@name='dataFormat']"/>
        /// <param name="fileFormat">"png" or "bmp" (RGB only); null takes it from the path's extension. "jpeg" is
        /// refused (no encoder). Keras's default: null (<c>None</c>).</param>
        /// <param name="scale">Whether to map the values to 0..255 first (Keras default true).</param>
        public static void SaveImg(string path, NDArray x, string dataFormat = "channels_last", string? fileFormat = null, bool scale = true) =>
            ImageArrays.ArrayToImg(x, dataFormat, scale).Save(path, fileFormat);
    }
}
