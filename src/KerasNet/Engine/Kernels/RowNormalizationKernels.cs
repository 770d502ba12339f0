#nullable enable
using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Per-row normalisations on [rows, features] spans (checked by <see cref="CpuBackend"/> first): layer normalisation
/// (two-pass mean and biased variance of each row, as tf.nn.moments) and L2 normalisation (tf.math.l2_normalize's
/// x * rsqrt(max(sum x^2, 1e-12))), with their backward passes; and the axis permutation the layers use when the
/// normalised axes are not the trailing ones.
/// </summary>
internal static class RowNormalizationKernels
{
    /// <summary>Keras's UnitNormalization floor on the squared norm (tf.math.l2_normalize's epsilon, 1e-12).</summary>
    public const float L2Floor = 1e-12f;

    /// <summary>y = (x - mean) * invStd * gamma + beta per row; gamma and beta may be empty; saves each row's mean and 1/sqrt(var + eps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // loops: skip tier-0 code
    public static void Normalize(ReadOnlySpan<float> x, int rows, int features, float epsilon, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        Span<float> y, Span<float> mean, Span<float> invStd)
    {
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * features, features);
            var yr = y.Slice(r * features, features);
            float m = TensorPrimitives.Sum(xr) / features;
            TensorPrimitives.Subtract(xr, m, yr);
            float v = TensorPrimitives.SumOfSquares(yr) / features;
            float inv = 1f / MathF.Sqrt(v + epsilon);
            mean[r] = m;
            invStd[r] = inv;
            if (gamma.IsEmpty) TensorPrimitives.Multiply(yr, inv, yr);
            else
            {
                TensorPrimitives.Multiply(yr, inv, yr);
                TensorPrimitives.Multiply(yr, gamma, yr);
            }
            if (!beta.IsEmpty) TensorPrimitives.Add(yr, beta, yr);
        }
    }

    /// <summary>
    /// The gradients of <see cref="Normalize"/>: with xhat = (x - mean) * invStd and g = dy * gamma,
    /// dx = invStd * (g - mean(g) - xhat * mean(g * xhat)) per row (skipped when dx is empty), and the sums over rows
    /// dGamma = sum dy * xhat, dBeta = sum dy (each skipped when empty; overwritten).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // loops: skip tier-0 code
    public static void NormalizeBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, int rows, int features,
        ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, ReadOnlySpan<float> gamma, Span<float> dx, Span<float> dGamma, Span<float> dBeta)
    {
        dGamma.Clear();
        dBeta.Clear();
        var buf = ArrayPool<float>.Shared.Rent(2 * features);
        var xhat = buf.AsSpan(0, features);
        var g = buf.AsSpan(features, features);
        for (int r = 0; r < rows; r++)
        {
            var dyr = dy.Slice(r * features, features);
            TensorPrimitives.Subtract(x.Slice(r * features, features), mean[r], xhat);
            TensorPrimitives.Multiply(xhat, invStd[r], xhat);
            if (!dGamma.IsEmpty) TensorPrimitives.FusedMultiplyAdd(dyr, xhat, dGamma, dGamma);
            if (!dBeta.IsEmpty) TensorPrimitives.Add(dBeta, dyr, dBeta);
            if (dx.IsEmpty) continue;
            if (gamma.IsEmpty) dyr.CopyTo(g);
            else TensorPrimitives.Multiply(dyr, gamma, g);
            float m1 = TensorPrimitives.Sum(g) / features, m2 = TensorPrimitives.Dot(g, xhat) / features;
            var dxr = dx.Slice(r * features, features);
            // dx = invStd * (g - m1 - xhat * m2) = (xhat * -m2 + g) * invStd - invStd * m1
            TensorPrimitives.MultiplyAdd(xhat, -m2, g, dxr);
            TensorPrimitives.Multiply(dxr, invStd[r], dxr);
            TensorPrimitives.Add(dxr, -invStd[r] * m1, dxr);
        }
        ArrayPool<float>.Shared.Return(buf);
    }

    /// <summary>y = x * rsqrt(max(sum x^2, 1e-12)) per row; saves each row's sum of squares.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // loops: skip tier-0 code
    public static void L2Normalize(ReadOnlySpan<float> x, int rows, int features, Span<float> y, Span<float> sumSquares)
    {
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * features, features);
            float s = TensorPrimitives.SumOfSquares(xr);
            sumSquares[r] = s;
            TensorPrimitives.Multiply(xr, 1f / MathF.Sqrt(MathF.Max(s, L2Floor)), y.Slice(r * features, features));
        }
    }

    /// <summary>
    /// The gradient of <see cref="L2Normalize"/>: dx = (dy - y * sum(dy * y)) / norm per row; where the floor was hit
    /// the norm is the constant 1e-6 (tf.maximum passes no gradient to the smaller side), so dx = dy * 1e6.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // loops: skip tier-0 code
    public static void L2NormalizeBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, ReadOnlySpan<float> sumSquares, int rows, int features, Span<float> dx)
    {
        for (int r = 0; r < rows; r++)
        {
            var dyr = dy.Slice(r * features, features);
            var dxr = dx.Slice(r * features, features);
            float s = sumSquares[r], inv = 1f / MathF.Sqrt(MathF.Max(s, L2Floor));
            if (s >= L2Floor)
            {
                var yr = y.Slice(r * features, features);
                TensorPrimitives.MultiplyAdd(yr, -TensorPrimitives.Dot(dyr, yr), dyr, dxr);
                TensorPrimitives.Multiply(dxr, inv, dxr);
            }
            else TensorPrimitives.Multiply(dyr, inv, dxr);
        }
    }

    /// <summary>
    /// dst = src with each sample's axes permuted: the sample of shape <paramref name="shape"/> becomes one of shape
    /// shape[perm[0]], shape[perm[1]], ...; dst[.., i_perm[0], i_perm[1], ..] = src[.., i_0, i_1, ..].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // loops: skip tier-0 code
    public static void Permute(ReadOnlySpan<float> src, int batch, ReadOnlySpan<int> shape, ReadOnlySpan<int> perm, Span<float> dst)
    {
        int rank = shape.Length, size = 1;
        Span<int> srcStride = stackalloc int[rank], dims = stackalloc int[rank], strides = stackalloc int[rank], index = stackalloc int[rank];
        for (int a = rank - 1; a >= 0; a--) { srcStride[a] = size; size *= shape[a]; }
        for (int a = 0; a < rank; a++) { dims[a] = shape[perm[a]]; strides[a] = srcStride[perm[a]]; }
        for (int b = 0; b < batch; b++)
        {
            var s = src.Slice(b * size, size);
            var d = dst.Slice(b * size, size);
            index.Clear();
            int offset = 0;
            // Walks dst in memory order; offset follows the source position of the current dst index.
            for (int i = 0; i < size; i++)
            {
                d[i] = s[offset];
                for (int a = rank - 1; a >= 0; a--)
                {
                    offset += strides[a];
                    if (++index[a] < dims[a]) break;
                    offset -= strides[a] * dims[a];
                    index[a] = 0;
                }
            }
        }
    }
}
