#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

/// <summary>
/// A dense layer's kernel packed once into the GEMM's column panels for inference (as ONNX Runtime prepacks a constant
/// GEMM operand): at a batch above the streaming paths' few rows, the tiles then read each panel contiguously instead
/// of packing the kernel again on every call. Kept per layer and shared by every caller; a pack is immutable and
/// replaced whole (a reader that holds the old one keeps a consistent copy) when the kernel array, its version or the
/// vector width changes. The sums are the same as on the kernel in place, bit for bit.
/// </summary>
internal sealed class DenseKernelPack
{
    /// <summary>
    /// Largest kernel (floats) packed: the pack doubles the kernel's memory, bounded here at 256 MB (a VGG-size 25088 x
    /// 4096 layer, 411 MB, runs on its kernel in place instead).
    /// </summary>
    internal const long MaxFloats = 64L << 20;

    /// <summary>
    /// Whether a product of <paramref name="rows"/> rows with an inDim x units kernel runs on a pack: a batch the tiles
    /// take (above Gemm's streaming rows), a kernel wide enough that its panels would otherwise be packed on every call
    /// (GemmJob.WideLdb), and within <see cref="MaxFloats"/>.
    /// </summary>
    internal static bool Pays(int rows, int inDim, int units) =>
        rows > Gemm.SmallM && units >= GemmJob.WideLdb && (long)inDim * units <= MaxFloats;

    private sealed record Packed(float[] Source, long Version, VectorWidth Width, int InDim, int Units, float[] Panels);

    private Packed? _packed;

    /// <summary>The panels of <paramref name="w"/> (inDim x units) at version <paramref name="version"/>, packed now if stale.</summary>
    internal float[] PanelsFor(float[] w, long version, int inDim, int units)
    {
        var p = Volatile.Read(ref _packed);
        var width = Gemm.Width;
        if (p is not null && ReferenceEquals(p.Source, w) && p.Version == version && p.Width == width && p.InDim == inDim && p.Units == units)
            return p.Panels;
        var panels = Gemm.PackPanels(inDim, units, w, units);
        Volatile.Write(ref _packed, new Packed(w, version, width, inDim, units, panels));
        return panels;
    }
}
