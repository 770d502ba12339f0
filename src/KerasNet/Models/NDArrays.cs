#nullable enable
using KerasNet.Engine;
using NumSharp;

namespace KerasNet.Models;

/// <summary>Conversions between NumSharp arrays (the API edge) and engine tensors.</summary>
public static class NDArrays
{
    /// <summary>Copies an NDArray of any numeric dtype into a float32 tensor.</summary>
    /// <param name="a">The array.</param>
    /// <returns>A new float32 tensor of the same shape.</returns>
    public static Tensor ToTensor(NDArray a)
    {
        var f = a.dtype == typeof(float) ? a : a.astype(NPTypeCode.Single);
        var data = f.ToArray<float>();
        var shape = a.shape.Length == 0 ? new[] { 1 } : a.shape.Select(d => checked((int)d)).ToArray();
        return new Tensor(data, shape);
    }

    /// <summary>Copies a tensor into a float32 NDArray of the same shape.</summary>
    /// <param name="t">The tensor.</param>
    /// <returns>A new float32 array of the same shape.</returns>
    public static NDArray FromTensor(Tensor t) => np.array(t.ToArray()).reshape(t.Shape);

    /// <summary>A float32 NDArray from a 2-D array.</summary>
    /// <param name="a">The [rows, columns] array.</param>
    /// <returns>A new float32 (rows, columns) array.</returns>
    public static NDArray FromArray(float[,] a) => FromTensor(new Tensor(a.Cast<float>().ToArray(), a.GetLength(0), a.GetLength(1)));

    /// <summary>A 2-D array from a tensor of rank 2.</summary>
    /// <param name="t">The rank-2 tensor.</param>
    /// <returns>A new [rows, columns] array.</returns>
    public static float[,] ToArray2D(Tensor t)
    {
        int rows = t.Shape[0], cols = t.Length / Math.Max(1, rows);
        var r = new float[rows, cols];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) r[i, j] = t[i * cols + j];
        return r;
    }
}
