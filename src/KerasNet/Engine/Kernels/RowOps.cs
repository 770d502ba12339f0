#nullable enable
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Per-row vector operations on [rows, cols] blocks: the bias + ReLU epilogue (applied by the GEMM to each tile
/// while it is still in L1), column sums and the ReLU gradient mask. Element-wise results are identical to the
/// scalar definitions (x + b, then max(., 0); sums in row order).
/// </summary>
internal static unsafe class RowOps
{
    /// <summary>c[r, j] = act(c[r, j] + bias[j]) for a block; bias may be null; act is Linear or Relu.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void BiasActivation(float* c, nint ldc, int rows, int cols, float* bias, bool relu)
    {
        if (bias == null && !relu) return;
        for (int r = 0; r < rows; r++)
        {
            float* row = c + r * ldc;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; j <= cols - 16; j += 16)
                {
                    var v = Vector512.Load(row + j);
                    if (bias != null) v += Vector512.Load(bias + j);
                    if (relu) v = Vector512.Max(v, Vector512<float>.Zero);
                    v.Store(row + j);
                }
            for (; j < cols; j++)
            {
                float v = row[j];
                if (bias != null) v += bias[j];
                row[j] = relu ? MathF.Max(v, 0f) : v;
            }
        }
    }

    /// <summary>result[j] = sum over rows of x[r, j], rows added in order.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void ColumnSums(float* x, int rows, int cols, float* result)
    {
        new Span<float>(result, cols).Clear();
        for (int r = 0; r < rows; r++)
        {
            float* row = x + (nint)r * cols;
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
                for (; j <= cols - 16; j += 16) (Vector512.Load(result + j) + Vector512.Load(row + j)).Store(result + j);
            for (; j < cols; j++) result[j] += row[j];
        }
    }

    /// <summary>grad[i] = 0 where the ReLU output y[i] &lt;= 0 (NaN outputs keep their gradient, as the scalar rule).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void ReluBackward(float* grad, float* y, int length)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= length - 16; i += 16)
            {
                var off = Vector512.LessThanOrEqual(Vector512.Load(y + i), Vector512<float>.Zero);
                Vector512.ConditionalSelect(off, Vector512<float>.Zero, Vector512.Load(grad + i)).Store(grad + i);
            }
        for (; i < length; i++) if (y[i] <= 0f) grad[i] = 0f;
    }
}
