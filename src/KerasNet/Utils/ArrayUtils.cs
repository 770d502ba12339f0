#nullable enable
using NumSharp;

namespace KerasNet.Utils;

/// <summary>The arithmetic of <c>keras.utils.to_categorical</c> and <c>keras.utils.normalize</c> (tf.keras 2.4's np_utils).</summary>
internal static class ArrayUtils
{
    public static NDArray ToCategorical(NDArray y, int? numClasses)
    {
        ArgumentNullException.ThrowIfNull(y);
        var shape = y.shape.Select(d => checked((int)d)).ToList();
        // np_utils: a trailing axis of size 1 is dropped (a column of labels), unless it is the only axis.
        if (shape.Count > 1 && shape[^1] == 1) shape.RemoveAt(shape.Count - 1);
        double[] values = (y.dtype == typeof(double) ? y : y.astype(NPTypeCode.Double)).ToArray<double>();
        var labels = new long[values.Length];
        long max = -1;
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            // np.array(y, dtype='int') truncates toward zero; NaN and infinities have no integer.
            if (!double.IsFinite(v)) throw new KerasNetException($"to_categorical: label {i} is {PyText.Repr(v)}, not an integer class index.");
            labels[i] = (long)Math.Truncate(v);
            if (labels[i] < 0) throw new KerasNetException($"to_categorical: label {i} is {labels[i]}; class indices must be non-negative (numpy would wrap it around to another class).");
            max = Math.Max(max, labels[i]);
        }
        if (numClasses is int n && n <= 0) throw new KerasNetException($"to_categorical: num_classes must be positive, got {n}.");
        if (numClasses is null && values.Length == 0) throw new KerasNetException("to_categorical: y is empty and num_classes is not given.");
        int classes = numClasses ?? checked((int)(max + 1));
        if (max >= classes) throw new KerasNetException($"to_categorical: label {max} is out of range for num_classes={classes} (index {max} is out of bounds).");
        var data = new float[checked(labels.Length * classes)];
        for (int i = 0; i < labels.Length; i++) data[i * classes + labels[i]] = 1;
        shape.Add(classes);
        return np.array(data).reshape(shape.ToArray());
    }

    public static NDArray Normalize(NDArray x, int axis, double order)
    {
        ArgumentNullException.ThrowIfNull(x);
        var shape = x.shape.Select(d => checked((int)d)).ToArray();
        if (shape.Length == 0) throw new KerasNetException("normalize: x must have at least one axis.");
        int ax = axis < 0 ? axis + shape.Length : axis;
        if (ax < 0 || ax >= shape.Length) throw new KerasNetException($"normalize: axis {axis} is out of bounds for an array of rank {shape.Length}.");
        if (double.IsNaN(order)) throw new KerasNetException("normalize: order must be a number (1, 2, ..., or infinity).");
        int n = shape[ax], inner = 1, outer = 1;
        for (int i = ax + 1; i < shape.Length; i++) inner *= shape[i];
        for (int i = 0; i < ax; i++) outer *= shape[i];
        double[] v = (x.dtype == typeof(double) ? x : x.astype(NPTypeCode.Double)).ToArray<double>();
        var result = new double[v.Length];
        for (int o = 0; o < outer; o++)
            for (int j = 0; j < inner; j++)
            {
                int b = o * n * inner + j;
                double norm = Norm(v, b, inner, n, order);
                if (norm == 0) norm = 1; // l2[l2 == 0] = 1
                for (int k = 0; k < n; k++) result[b + k * inner] = v[b + k * inner] / norm;
            }
        // numpy keeps float32 for float32 input and gives float64 otherwise. A vector's norm is a scalar that
        // np.atleast_1d and expand_dims turn into shape (1, 1), so Keras returns a vector as a (1, n) row.
        var r = np.array(result).reshape(shape.Length == 1 ? [1, shape[0]] : shape);
        return x.dtype == typeof(float) ? r.astype(NPTypeCode.Single) : r;
    }

    /// <summary>np.linalg.norm of a vector (stride <paramref name="step"/>): ord inf, -inf, 0, 1, 2 or any other power.</summary>
    private static double Norm(double[] v, int start, int step, int n, double order)
    {
        double acc = order == double.NegativeInfinity ? double.PositiveInfinity : 0;
        for (int k = 0; k < n; k++)
        {
            double a = Math.Abs(v[start + k * step]);
            if (order == double.PositiveInfinity) acc = Math.Max(acc, a);
            else if (order == double.NegativeInfinity) acc = Math.Min(acc, a);
            else if (order == 0) acc += a != 0 ? 1 : 0;
            else if (order == 1) acc += a;
            else if (order == 2) acc += a * a;
            else acc += Math.Pow(a, order);
        }
        if (double.IsInfinity(order) || order == 0 || order == 1) return acc;
        return order == 2 ? Math.Sqrt(acc) : Math.Pow(acc, 1 / order);
    }
}
