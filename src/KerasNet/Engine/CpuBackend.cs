#nullable enable
using System.Numerics.Tensors;
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

/// <summary>
/// KerasNet's managed CPU engine: SIMD through System.Numerics.Tensors, work split over the cores,
/// convolution as im2col + GEMM with scratch buffers that grow once and are then reused.
/// Every method checks its dimensions and buffer lengths before any unsafe code runs and throws
/// <see cref="ArgumentException"/> (naming the argument, the length needed and the length given) instead of reading
/// or writing outside an array. Safe to call from several threads at once: scratch and job objects are per thread,
/// and the worker pool runs one loop at a time (other callers run their parts themselves), so concurrent calls give
/// bit-identical results to the same calls made one after another. What the caller owns stays the caller's: a
/// <see cref="ConvWorkspace"/> (like the layer holding it) serves one caller at a time, and no static ever keeps a
/// reference to a caller's buffer once a call returns.
/// </summary>
internal sealed partial class CpuBackend : IBackend
{
    /// <inheritdoc/>
    public string Name => "cpu";

    private static float[] Scratch(long n, string op) => Workspace.Get(Workspace.Im2Col, BufferCheck.Scratch(n, "im2col matrix", op));

    /// <inheritdoc/>
    public void Gemm(bool transA, bool transB, int m, int n, int k, float[] a, int lda, float[] b, int ldb,
        float[] c, int ldc, bool accumulate) => Kernels.Gemm.Run(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);

    /// <inheritdoc/>
    public unsafe void BiasActivation(float[] x, int rows, float[] bias, ActivationKind activation)
    {
        BufferCheck.Dim(rows, nameof(rows), nameof(BiasActivation));
        BufferCheck.Length(bias, 0, nameof(bias), nameof(BiasActivation));
        BufferCheck.Length(x, (long)rows * bias.Length, nameof(x), nameof(BiasActivation));
        BufferCheck.Activation(activation, nameof(BiasActivation));
        int cols = bias.Length;
        bool relu = activation == ActivationKind.Relu;
        fixed (float* px = x, pb = bias) RowOps.BiasActivation(px, cols, rows, cols, pb, relu);
        if (!relu) ActivationKernels.Forward(x.AsSpan(0, rows * cols), cols, activation);
    }

    /// <inheritdoc/>
    public void Activation(float[] x, int length, int cols, ActivationKind activation)
    {
        CheckRows(length, cols, activation, nameof(Activation));
        BufferCheck.Length(x, length, nameof(x), nameof(Activation));
        ActivationKernels.Forward(x.AsSpan(0, length), cols, activation);
    }

    /// <inheritdoc/>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void ActivationBackward(float[] grad, float[] y, int length, int cols, ActivationKind activation)
    {
        CheckRows(length, cols, activation, nameof(ActivationBackward));
        BufferCheck.Length(grad, length, nameof(grad), nameof(ActivationBackward));
        BufferCheck.Length(y, length, nameof(y), nameof(ActivationBackward));
        ActivationKernels.Backward(grad.AsSpan(0, length), y.AsSpan(0, length), cols, activation);
    }

    // A row length of 0 would give softmax no rows to normalise (and an empty row to take the max of).
    private static void CheckRows(int length, int cols, ActivationKind activation, string op)
    {
        BufferCheck.Dim(length, nameof(length), op);
        BufferCheck.Dim(cols, nameof(cols), op);
        BufferCheck.Activation(activation, op);
        if (cols == 0 && length > 0) throw new ArgumentOutOfRangeException(nameof(cols), cols, $"{op}: cols is 0 for {length} elements.");
    }

    /// <inheritdoc/>
    public bool PrefersFusedDenseBackward(int rows) => DenseFused.Supports(rows);

    /// <inheritdoc/>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void DenseBackwardFused(int rows, int inDim, int units, float[] x, float[] dy, float[] w, float[]? dx, IWeightUpdate update) =>
        DenseFused.Run(rows, inDim, units, x, dy, w, dx, update);

    /// <inheritdoc/>
    public unsafe void ColumnSums(float[] x, int rows, int cols, float[] result)
    {
        BufferCheck.Dim(rows, nameof(rows), nameof(ColumnSums));
        BufferCheck.Dim(cols, nameof(cols), nameof(ColumnSums));
        BufferCheck.Length(x, (long)rows * cols, nameof(x), nameof(ColumnSums));
        BufferCheck.Length(result, cols, nameof(result), nameof(ColumnSums));
        fixed (float* px = x, pr = result) RowOps.ColumnSums(px, rows, cols, pr);
    }

    // 1x1, stride 1, unpadded, output the input's size: x itself is the im2col matrix.
    private static bool IsPointwise(in ConvGeometry g) =>
        g.KH == 1 && g.KW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadTop == 0 && g.PadLeft == 0 &&
        g.OutH == g.InH && g.OutW == g.InW;

    /// <summary>The geometry, the NHWC image (x or dx), the kernel (w or dw) and the output (y or dy) fit their buffers.</summary>
    private static void CheckConv(in ConvGeometry g, int filters, float[] image, string imageName, float[] kernel, string kernelName,
        float[] output, string outputName, string op)
    {
        BufferCheck.Geometry(g, op);
        BufferCheck.Dim(filters, nameof(filters), op);
        BufferCheck.Length(image, BufferCheck.InputLength(g), imageName, op);
        BufferCheck.Length(kernel, (long)g.Cols * filters, kernelName, op);
        BufferCheck.Length(output, (long)g.Rows * filters, outputName, op);
    }

    /// <inheritdoc/>
    public void DenseForward(int rows, int inDim, int units, float[] x, float[] w, float[]? bias, ActivationKind activation, float[] y)
    {
        const string op = nameof(DenseForward);
        BufferCheck.Dim(rows, nameof(rows), op); BufferCheck.Dim(inDim, nameof(inDim), op); BufferCheck.Dim(units, nameof(units), op);
        BufferCheck.Length(x, (long)rows * inDim, nameof(x), op);
        BufferCheck.Length(w, (long)inDim * units, nameof(w), op);
        BufferCheck.Length(y, (long)rows * units, nameof(y), op);
        BufferCheck.Optional(bias, units, nameof(bias), op);
        BufferCheck.Activation(activation, op);
        bool relu = activation == ActivationKind.Relu;
        Kernels.Gemm.Run(false, false, rows, units, inDim, x, inDim, w, units, y, units, false, bias, relu);
        if (!relu && activation != ActivationKind.Linear) ActivationKernels.Forward(y.AsSpan(0, rows * units), units, activation);
    }

    // The pooling kernels check their own arguments (the same checks, for callers inside the library too).

    /// <inheritdoc/>
    public void MaxPoolForward(in ConvGeometry g, float[] x, float[] y, int[] argmax) => Pooling.MaxForward(g, x, y, argmax);

    /// <inheritdoc/>
    public void MaxPoolBackward(in ConvGeometry g, float[] dy, int[] argmax, float[] dx) => PoolingBackward.Max(g, dy, argmax, dx);

    /// <inheritdoc/>
    public void AvgPoolForward(in ConvGeometry g, float[] x, float[] y) => Pooling.AvgForward(g, x, y);

    /// <inheritdoc/>
    public void AvgPoolBackward(in ConvGeometry g, float[] dy, float[] dx) => Pooling.AvgBackward(g, dy, dx);
}
