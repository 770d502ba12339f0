#nullable enable
namespace KerasNet.Engine;

/// <summary>
/// Scratch a backend may keep for one convolution layer between its forward and backward passes (the CPU backend
/// keeps its packed kernels and the scratch of the implicit gradients; its im2col fallback keeps the unfolded input, so the
/// filter gradient does not unfold it again). Owned by the layer, opaque to it, and
/// like the layer used by one caller at a time. It is the only place the backend remembers a caller's buffer (the x
/// it unfolded, compared by reference), and it lives as long as its owner, never in a static.
/// </summary>
internal sealed partial class ConvWorkspace
{
    internal float[] Col = Array.Empty<float>();
    internal float[]? ColSource;
    internal ConvGeometry ColGeometry;

    // The training passes' scratch (CpuBackend.ConvTraining.cs): the implicit filter gradient's per-part partial sums,
    // the gradient blocks it forms (masked, zero-padded) and its zero-bordered input; the input gradient's flipped kernel and its panels.
    internal float[] FilterPartials = Array.Empty<float>();
    internal float[] FilterBlock = Array.Empty<float>();
    internal float[] PaddedInput = Array.Empty<float>();
    internal float[] FlippedKernel = Array.Empty<float>();
    internal float[] FlippedPacked = Array.Empty<float>();
    internal float[] FlippedBias = Array.Empty<float>();
    internal float[] MaskedGradient = Array.Empty<float>();

    /// <summary>Forgets any cached data (the next backward pass recomputes what it needs).</summary>
    public void Invalidate() { ColSource = null; PackedKernel = null; }
}
