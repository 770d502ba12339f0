#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

// Conv2D + MaxPooling2D fused at inference: a plain convolution with the direct kernel and a non-overlapping 'valid'
// pool run as one pass (ConvDirect.ForwardPooled); any other pair runs the two operations through a buffer of the
// workspace, with the same result.
internal sealed partial class CpuBackend
{
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
}
