#nullable enable
using System.Numerics.Tensors;
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

/// <summary>
/// KerasNet's managed CPU engine: SIMD through System.Numerics.Tensors, work split over the cores,
/// convolution as im2col + GEMM with scratch buffers that grow once and are then reused.
/// Not thread-safe: one model step runs at a time.
/// </summary>
public sealed class CpuBackend : IBackend
{
    private float[] _col = Array.Empty<float>();

    /// <inheritdoc/>
    public string Name => "cpu";

    private float[] Scratch(int n)
    {
        if (_col.Length < n) _col = new float[n];
        return _col;
    }

    /// <inheritdoc/>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float[] a, int lda, float[] b, int ldb,
        float[] c, int ldc, bool accumulate) => Kernels.Gemm.Run(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);

    /// <inheritdoc/>
    public void BiasActivation(float[] x, int rows, float[] bias, ActivationKind activation)
    {
        int cols = bias.Length;
        for (int r = 0; r < rows; r++)
        {
            var row = x.AsSpan(r * cols, cols);
            TensorPrimitives.Add(row, bias, row);
        }
        ActivationKernels.Forward(x.AsSpan(0, rows * cols), cols, activation);
    }

    /// <inheritdoc/>
    public void Activation(float[] x, int length, int cols, ActivationKind activation) =>
        ActivationKernels.Forward(x.AsSpan(0, length), cols, activation);

    /// <inheritdoc/>
    public void ActivationBackward(float[] grad, float[] y, int length, int cols, ActivationKind activation) =>
        ActivationKernels.Backward(grad.AsSpan(0, length), y.AsSpan(0, length), cols, activation);

    /// <inheritdoc/>
    public bool PrefersFusedDenseBackward(int rows) => DenseFused.Supports(rows);

    /// <inheritdoc/>
    public void DenseBackwardFused(int rows, int inDim, int units, float[] x, float[] dy, float[] w, float[]? dx, IWeightUpdate update) =>
        DenseFused.Run(rows, inDim, units, x, dy, w, dx, update);

    /// <inheritdoc/>
    public void ColumnSums(float[] x, int rows, int cols, float[] result)
    {
        var res = result.AsSpan(0, cols);
        res.Clear();
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(res, x.AsSpan(r * cols, cols), res);
    }

    private static bool IsPointwise(in ConvGeometry g) =>
        g.KH == 1 && g.KW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadTop == 0 && g.PadLeft == 0;

    /// <inheritdoc/>
    public void Conv2DForward(in ConvGeometry g, float[] x, float[] w, int filters, float[] y)
    {
        float[] col = x;
        if (!IsPointwise(g)) Im2Col.Unfold(g, x, col = Scratch(g.Rows * g.Cols));
        Kernels.Gemm.Run(false, false, g.Rows, filters, g.Cols, col, g.Cols, w, filters, y, filters, false);
    }

    /// <inheritdoc/>
    public void Conv2DBackwardFilter(in ConvGeometry g, float[] x, float[] dy, int filters, float[] dw)
    {
        float[] col = x;
        if (!IsPointwise(g)) Im2Col.Unfold(g, x, col = Scratch(g.Rows * g.Cols));
        Kernels.Gemm.Run(true, false, g.Cols, filters, g.Rows, col, g.Cols, dy, filters, dw, filters, false);
    }

    /// <inheritdoc/>
    public void Conv2DBackwardInput(in ConvGeometry g, float[] dy, float[] w, int filters, float[] dx)
    {
        if (IsPointwise(g))
        {
            Kernels.Gemm.Run(false, true, g.Rows, g.Cols, filters, dy, filters, w, filters, dx, g.Cols, false);
            return;
        }
        var dcol = Scratch(g.Rows * g.Cols);
        Kernels.Gemm.Run(false, true, g.Rows, g.Cols, filters, dy, filters, w, filters, dcol, g.Cols, false);
        Im2Col.Fold(g, dcol, dx);
    }

    /// <inheritdoc/>
    public void MaxPoolForward(in ConvGeometry g, float[] x, float[] y, int[] argmax) => Pooling.MaxForward(g, x, y, argmax);

    /// <inheritdoc/>
    public void MaxPoolBackward(in ConvGeometry g, float[] dy, int[] argmax, float[] dx) => Pooling.MaxBackward(g, dy, argmax, dx);

    /// <inheritdoc/>
    public void AvgPoolForward(in ConvGeometry g, float[] x, float[] y) => Pooling.AvgForward(g, x, y);

    /// <inheritdoc/>
    public void AvgPoolBackward(in ConvGeometry g, float[] dy, float[] dx) => Pooling.AvgBackward(g, dy, dx);
}
