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
    /// <inheritdoc/>
    public string Name => "cpu";

    private static float[] Scratch(int n) => Workspace.Get(Workspace.Im2Col, n);

    /// <inheritdoc/>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float[] a, int lda, float[] b, int ldb,
        float[] c, int ldc, bool accumulate) => Kernels.Gemm.Run(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);

    /// <inheritdoc/>
    public unsafe void BiasActivation(float[] x, int rows, float[] bias, ActivationKind activation)
    {
        int cols = bias.Length;
        bool relu = activation == ActivationKind.Relu;
        fixed (float* px = x, pb = bias) RowOps.BiasActivation(px, cols, rows, cols, pb, relu);
        if (!relu) ActivationKernels.Forward(x.AsSpan(0, rows * cols), cols, activation);
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
    public unsafe void ColumnSums(float[] x, int rows, int cols, float[] result)
    {
        if (result.Length < cols || x.Length < (long)rows * cols) throw new ArgumentException("ColumnSums: buffers too small.");
        fixed (float* px = x, pr = result) RowOps.ColumnSums(px, rows, cols, pr);
    }

    private static bool IsPointwise(in ConvGeometry g) =>
        g.KH == 1 && g.KW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadTop == 0 && g.PadLeft == 0;

    /// <inheritdoc/>
    public void Conv2DForward(in ConvGeometry g, float[] x, float[] w, int filters, float[] y) =>
        Conv2DForward(g, x, w, null, ActivationKind.Linear, filters, y, null);

    /// <inheritdoc/>
    public void Conv2DForward(in ConvGeometry g, float[] x, float[] w, float[]? bias, ActivationKind activation, int filters, float[] y, ConvWorkspace? workspace)
    {
        bool relu = activation == ActivationKind.Relu;
        float[] col = Unfolded(g, x, workspace, reuse: false);
        Kernels.Gemm.Run(false, false, g.Rows, filters, g.Cols, col, g.Cols, w, filters, y, filters, false, bias, relu);
        if (!relu && activation != ActivationKind.Linear) ActivationKernels.Forward(y.AsSpan(0, g.Rows * filters), filters, activation);
    }

    /// <inheritdoc/>
    public void Conv2DBackwardFilter(in ConvGeometry g, float[] x, float[] dy, int filters, float[] dw) =>
        Conv2DBackwardFilter(g, x, dy, filters, dw, null);

    /// <inheritdoc/>
    public void Conv2DBackwardFilter(in ConvGeometry g, float[] x, float[] dy, int filters, float[] dw, ConvWorkspace? workspace)
    {
        float[] col = Unfolded(g, x, workspace, reuse: true);
        Kernels.Gemm.Run(true, false, g.Cols, filters, g.Rows, col, g.Cols, dy, filters, dw, filters, false);
    }

    /// <summary>
    /// The im2col matrix of x: x itself for 1x1 stride-1 unpadded kernels; with a workspace, the layer's own buffer
    /// (reused when it already holds this x and geometry and <paramref name="reuse"/>); otherwise shared scratch.
    /// </summary>
    private float[] Unfolded(in ConvGeometry g, float[] x, ConvWorkspace? ws, bool reuse)
    {
        if (IsPointwise(g)) return x;
        int n = g.Rows * g.Cols;
        if (ws is null) { var col = Scratch(n); Im2Col.Unfold(g, x, col); return col; }
        if (reuse && ReferenceEquals(ws.ColSource, x) && ws.ColGeometry == g) return ws.Col;
        if (ws.Col.Length < n) ws.Col = new float[n];
        Im2Col.Unfold(g, x, ws.Col);
        ws.ColSource = x;
        ws.ColGeometry = g;
        return ws.Col;
    }

    /// <inheritdoc/>
    public void DenseForward(int rows, int inDim, int units, float[] x, float[] w, float[]? bias, ActivationKind activation, float[] y)
    {
        bool relu = activation == ActivationKind.Relu;
        Kernels.Gemm.Run(false, false, rows, units, inDim, x, inDim, w, units, y, units, false, bias, relu);
        if (!relu && activation != ActivationKind.Linear) ActivationKernels.Forward(y.AsSpan(0, rows * units), units, activation);
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
