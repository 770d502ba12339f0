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
        public static NDArray ToCategorical(NDArray y, int? numClasses = null) => global::KerasNet.Utils.ArrayUtils.ToCategorical(y, numClasses);

        /// <summary><c>to_categorical</c> of a list of class indices.</summary>
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
        public static NDArray Normalize(NDArray x, int axis = -1, double order = 2) => global::KerasNet.Utils.ArrayUtils.Normalize(x, axis, order);
    }
}
