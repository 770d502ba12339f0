#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

// Inference-only paths. Conv2D + MaxPooling2D fused: a plain convolution with the direct kernel and a non-overlapping
// 'valid' pool run as one pass (ConvDirect.ForwardPooled); any other pair runs the two operations through a buffer of
// the workspace, with the same result. A dense layer of a few units at a large batch: dot products of the input's rows
// with the kernel's columns (Gemm.RunDot) instead of GEMM tiles that would be mostly padding.
internal sealed partial class CpuBackend
{
    // Units up to which the dot products beat the tile: a tile computes a whole panel (32 columns on AVX-512, 16 on AVX2)
    // whatever the units, a pair of dot products costs about a sixth of a panel at 64 inputs (their horizontal sums).
    // NarrowMinRows: up to Gemm's few-row limit the streaming paths already read only the real columns.
    private const int NarrowUnits = 4, NarrowMinRows = 16;

    // The kernel's columns as rows (a few units only: at most NarrowUnits x inDim floats), per thread.
    [ThreadStatic] private static float[]? t_kernelRows;

    /// <inheritdoc/>
    public void DenseInfer(int rows, int inDim, int units, float[] x, float[] w, float[]? bias, ActivationKind activation, float[] y,
        DenseKernelPack? pack = null, long weightsVersion = -1)
    {
        // A wide kernel (DenseKernelPack.Pays): its panels packed once per weight version, not per call.
        bool packed = pack is not null && weightsVersion >= 0 && DenseKernelPack.Pays(rows, inDim, units);
        if (!packed && (units > NarrowUnits || rows <= NarrowMinRows))
        {
            DenseForward(rows, inDim, units, x, w, bias, activation, y);
            return;
        }
        const string op = nameof(DenseInfer);
        BufferCheck.Dim(rows, nameof(rows), op); BufferCheck.Dim(inDim, nameof(inDim), op);
        BufferCheck.Length(w, (long)inDim * units, nameof(w), op);
        BufferCheck.Activation(activation, op);
        bool relu = activation == ActivationKind.Relu;
        // Gemm.RunPacked and Gemm.RunDot check the remaining dimensions and buffers.
        if (packed) Kernels.Gemm.RunPacked(rows, units, inDim, x, inDim, pack!.PanelsFor(w, weightsVersion, inDim, units), y, units, bias, relu);
        else
        {
            float[] kernelRows = w; // one unit: its column is the kernel itself
            if (units > 1)
            {
                kernelRows = t_kernelRows is { } t && t.Length >= inDim * units ? t : t_kernelRows = new float[inDim * units];
                for (int p = 0; p < inDim; p++)
                    for (int j = 0; j < units; j++) kernelRows[j * inDim + p] = w[p * units + j];
            }
            Kernels.Gemm.RunDot(rows, units, inDim, x, inDim, kernelRows, inDim, y, units, bias, relu);
        }
        if (!relu && activation != ActivationKind.Linear) ActivationKernels.Forward(y.AsSpan(0, rows * units), units, activation);
    }

    /// <inheritdoc/>
    public void ConvPoolInfer(in ConvSpec s, float[] x, float[] w, float[]? bias, long weightsVersion, ActivationKind activation, int filters,
        in ConvGeometry pool, float[] y, ConvWorkspace? workspace)
    {
        const string op = nameof(ConvPoolInfer);
        CheckSpec(s, filters, x, nameof(x), w, nameof(w), null, nameof(y), op);
        BufferCheck.Optional(bias, filters, nameof(bias), op);
        if (activation is not (ActivationKind.Linear or ActivationKind.Relu))
            throw new ArgumentException($"{op}: the activation must be linear or ReLU (max pooling commutes with those), got {activation}.", nameof(activation));
        BufferCheck.Geometry(pool, op);
        if (pool.Batch != s.Batch || pool.InH != s.OutH || pool.InW != s.OutW || pool.InC != filters)
            throw new ArgumentException($"{op}: pooling {pool} does not read the output of convolution {s} with {filters} filters.", nameof(pool));
        BufferCheck.Length(y, BufferCheck.PooledLength(pool), nameof(y), op);
        var ws = workspace ?? Workspace.Rent(ref t_convScratch);
        try
        {
            if (FusesPool(s, pool))
            {
                PackFilters(ws, s, w, bias, workspace is null ? -1 : weightsVersion, filters, op);
                ConvDirect.ForwardPooled(s, x, ws.Packed, ws.PackedBias, activation == ActivationKind.Relu, filters, pool, y);
                return;
            }
            var conv = ConvWorkspace.Grow(ref ws.Unpooled, s.OutputLengthFor(filters), "unpooled convolution output", op);
            ConvInfer(s, x, w, bias, weightsVersion, activation, filters, conv, workspace);
            Pooling.MaxForward(pool, conv, y, Array.Empty<int>());
        }
        finally { if (workspace is null) Workspace.Return(ref t_convScratch, ws); }
    }

    // The direct kernel's convolutions (as ConvInfer picks them) under a pool whose windows tile the output without
    // overlap or padding, so every convolution row is computed once, for the pooled row that reads it.
    private static bool FusesPool(in ConvSpec s, in ConvGeometry pool) =>
        s.IsPlain && ConvLanes.Supported && !IsPointwise(s.Geometry) &&
        pool.StrideH == pool.KH && pool.StrideW == pool.KW && pool.PadTop == 0 && pool.PadLeft == 0 &&
        (long)pool.OutH * pool.KH <= pool.InH && (long)pool.OutW * pool.KW <= pool.InW;

    /// <inheritdoc/>
    /// <remarks>
    /// The direct kernel (the path ConvInfer takes for a plain, not pointwise convolution) and the depthwise kernels
    /// compute each output row of each sample as one job row from that sample's input alone (ConvDirect.Run,
    /// DepthwiseKernels.Forward); the im2col GEMM may split its inner dimension at one batch size and not at another
    /// (GemmJob.SplitsK), so it promises nothing.
    /// </remarks>
    public int ConvInferInvariantSamples(in ConvSpec s)
    {
        if ((s.IsPlain && ConvLanes.Supported && !IsPointwise(s.Geometry)) || s.IsDepthwise) return int.MaxValue;
        // A pointwise convolution is one GEMM over the pixels: with fused multiply-add every element is one chain over
        // the input channels in order at any row count (stream or tiles), unless they are enough for a split.
        return s.IsPlain && IsPointwise(s.Geometry) && FusedHardware && GemmJob.NeverSplitsK(s.InC) ? int.MaxValue : 1;
    }

    // Fused multiply-add in hardware: the GEMM's stream and tiles then round every element alike.
    private static bool FusedHardware => System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;

    /// <inheritdoc/>
    /// <remarks>
    /// Up to Gemm's few-row limit every path (the stream, the tiles on the pack where DenseKernelPack.Pays, never the dot
    /// products, which start above NarrowMinRows) sums each element as one chain of fused multiply-adds over the inner
    /// dimension in order. Without fused multiply-add hardware the stream's scalar columns round once where the tiles
    /// round twice, so nothing is promised there.
    /// </remarks>
    public int DenseInferInvariantRows(int inDim, int units) =>
        FusedHardware ? Math.Min(Kernels.Gemm.SmallM, NarrowMinRows) : 1;
}
