#nullable enable
namespace KerasNet.Engine;

// Scratch of the dilated / grouped convolution path (CpuBackend.Convolution.cs): one group's unfolded windows (in
// Col), its slice of the kernel and its slice of the output or output gradient. Engine-allocated, grow-only.
internal sealed partial class ConvWorkspace
{
    internal float[] GroupKernel = Array.Empty<float>();
    internal float[] GroupOut = Array.Empty<float>();

    /// <summary>A buffer of at least <paramref name="n"/> floats in <paramref name="slot"/>, grown (never shrunk) as needed.</summary>
    internal static float[] Grow(ref float[] slot, long n, string what, string op)
    {
        if (slot.Length < n) slot = new float[BufferCheck.Scratch(n, what, op)];
        return slot;
    }
}
