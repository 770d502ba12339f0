#nullable enable
namespace KerasNet.Engine;

/// <summary>
/// Scratch a backend may keep for one convolution layer between its forward and backward passes (the CPU backend
/// keeps the unfolded input, so the filter gradient does not unfold it again). Owned by the layer, opaque to it, and
/// like the layer used by one caller at a time. It is the only place the backend remembers a caller's buffer (the x
/// it unfolded, compared by reference), and it lives as long as its owner, never in a static.
/// </summary>
internal sealed partial class ConvWorkspace
{
    internal float[] Col = Array.Empty<float>();
    internal float[]? ColSource;
    internal ConvGeometry ColGeometry;

    /// <summary>Forgets any cached data (the next backward pass recomputes what it needs).</summary>
    public void Invalidate() { ColSource = null; PackedKernel = null; }
}
