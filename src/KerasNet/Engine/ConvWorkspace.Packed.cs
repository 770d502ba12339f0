#nullable enable
namespace KerasNet.Engine;

// The inference path's packed kernel (ConvDirect's filter panels and padded bias): packed once per layer and reused
// while the same kernel and bias arrays come back with the same weight version; a version below 0 means "unknown"
// (a folded kernel the graph recomputes), which repacks on every call.
internal sealed partial class ConvWorkspace
{
    internal float[] Packed = Array.Empty<float>();
    internal float[] PackedBias = Array.Empty<float>();
    internal float[]? PackedKernel, PackedBiasSource;
    internal long PackedVersion = -1;
    internal int PackedWidth, PackedTaps, PackedFilters;

    // The convolution's output before pooling, where ConvPoolInfer cannot fuse the two (unusual shapes only).
    internal float[] Unpooled = Array.Empty<float>();
}
