#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Per-row vector operations on [rows, cols] blocks, at the process's vector width (<see cref="Simd.Detected"/>): the
/// bias + ReLU epilogue (applied by the GEMM to each tile while it is still in L1), column sums and the ReLU gradient
/// mask. Element-wise results are identical to the scalar definitions (x + b, then max(., 0); sums in row order), so
/// they are the same on every width.
/// </summary>
internal static unsafe class RowOps
{
    /// <summary>c[r, j] = act(c[r, j] + bias[j]) for a block; bias may be null; act is Linear or Relu.</summary>
    public static void BiasActivation(float* c, nint ldc, int rows, int cols, float* bias, bool relu)
    {
        if (bias == null && !relu) return;
        switch (Simd.Detected)
        {
            case VectorWidth.W512: BiasActivation<V512, Vector512<float>>(c, ldc, rows, cols, bias, relu); break;
            case VectorWidth.W256: BiasActivation<V256, Vector256<float>>(c, ldc, rows, cols, bias, relu); break;
            default: BiasActivation<V128, Vector128<float>>(c, ldc, rows, cols, bias, relu); break;
        }
    }

    /// <summary>result[j] = sum over rows of x[r, j], rows added in order.</summary>
    public static void ColumnSums(float* x, int rows, int cols, float* result)
    {
        switch (Simd.Detected)
        {
            case VectorWidth.W512: ColumnSums<V512, Vector512<float>>(x, rows, cols, result); break;
            case VectorWidth.W256: ColumnSums<V256, Vector256<float>>(x, rows, cols, result); break;
            default: ColumnSums<V128, Vector128<float>>(x, rows, cols, result); break;
        }
    }

    /// <summary>grad[i] = 0 where the ReLU output y[i] &lt;= 0 (NaN outputs keep their gradient, as the scalar rule).</summary>
    public static void ReluBackward(float* grad, float* y, int length)
    {
        switch (Simd.Detected)
        {
            case VectorWidth.W512: ReluBackward<V512, Vector512<float>>(grad, y, length); break;
            case VectorWidth.W256: ReluBackward<V256, Vector256<float>>(grad, y, length); break;
            default: ReluBackward<V128, Vector128<float>>(grad, y, length); break;
        }
    }

    /// <summary>dst[i] += src[i] for i &lt; len (the im2col folds' scatter-add; exact, so the same on every width).</summary>
    public static void AddTo(float* src, float* dst, int len)
    {
        switch (Simd.Detected)
        {
            case VectorWidth.W512: AddTo<V512, Vector512<float>>(src, dst, len); break;
            case VectorWidth.W256: AddTo<V256, Vector256<float>>(src, dst, len); break;
            default: AddTo<V128, Vector128<float>>(src, dst, len); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo<TS, TV>(float* src, float* dst, int len) where TS : struct, ISimd<TV> where TV : struct
    {
        int i = 0;
        for (; i <= len - TS.Lanes; i += TS.Lanes) TS.Store(TS.Add(TS.Load(dst + i), TS.Load(src + i)), dst + i);
        for (; i < len; i++) dst[i] += src[i];
    }

    /// <summary>As <see cref="BiasActivation(float*, nint, int, int, float*, bool)"/> at a given width (the GEMM's tiles call it directly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void BiasActivation<TS, TV>(float* c, nint ldc, int rows, int cols, float* bias, bool relu)
        where TS : struct, ISimd<TV> where TV : struct
    {
        if (bias == null && !relu) return;
        for (int r = 0; r < rows; r++)
        {
            float* row = c + r * ldc;
            int j = 0;
            for (; j <= cols - TS.Lanes; j += TS.Lanes)
            {
                var v = TS.Load(row + j);
                if (bias != null) v = TS.Add(v, TS.Load(bias + j));
                if (relu) v = TS.Max(v, TS.Zero);
                TS.Store(v, row + j);
            }
            for (; j < cols; j++)
            {
                float v = row[j];
                if (bias != null) v += bias[j];
                row[j] = relu ? MathF.Max(v, 0f) : v;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnSums<TS, TV>(float* x, int rows, int cols, float* result) where TS : struct, ISimd<TV> where TV : struct
    {
        new Span<float>(result, cols).Clear();
        for (int r = 0; r < rows; r++)
        {
            float* row = x + (nint)r * cols;
            int j = 0;
            for (; j <= cols - TS.Lanes; j += TS.Lanes) TS.Store(TS.Add(TS.Load(result + j), TS.Load(row + j)), result + j);
            for (; j < cols; j++) result[j] += row[j];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReluBackward<TS, TV>(float* grad, float* y, int length) where TS : struct, ISimd<TV> where TV : struct
    {
        int i = 0;
        for (; i <= length - TS.Lanes; i += TS.Lanes) TS.Store(TS.ZeroWhereNotPositive(TS.Load(y + i), TS.Load(grad + i)), grad + i);
        for (; i < length; i++) if (y[i] <= 0f) grad[i] = 0f;
    }
}
