#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

/// <summary>
/// A dense layer's kernel packed once into the GEMM's column panels for inference (as ONNX Runtime prepacks a constant
/// GEMM operand): the tiles then read each panel contiguously instead of packing the kernel again on every call (above
/// the streaming paths' few rows) or streaming it in row segments a kernel row apart (at few rows, batch 1 included,
/// where the kernel's read is the whole cost: contiguous panels keep the memory streams full). Kept per layer and
/// shared by every caller; repacked (into the same array where it fits, see <see cref="PanelsFor"/>) when the kernel
/// array, its version or the vector width changes. The sums are the same as on the kernel in place, bit for bit.
/// </summary>
internal sealed class DenseKernelPack
{
    /// <summary>
    /// Largest kernel (floats) packed: the pack doubles the kernel's memory, bounded here at 256 MB (a VGG-size 25088 x
    /// 4096 layer, 411 MB, runs on its kernel in place instead).
    /// </summary>
    internal const long MaxFloats = 64L << 20;

    /// <summary>
    /// Whether a product of <paramref name="rows"/> rows with an inDim x units kernel runs on a pack: a kernel wide
    /// enough that its panels would otherwise be packed on every call or streamed in short segments (GemmJob.WideLdb),
    /// within <see cref="MaxFloats"/>. At Gemm's streaming rows only where the tiles sum each element in one chain over
    /// the inner dimension as the stream does (not split), so Predict keeps the training forward's bits (with FMA
    /// hardware; see <see cref="Gemm.SmallM"/>).
    /// </summary>
    /// <remarks>
    /// Measured here, 3137 x 3137, one thread by CPU time: the tiles on the pack against the stream 1.27x faster at 1
    /// row, 1.25x at 4, 1.13x at 8, 1.48x at 16; the tutorial's dense_1 at batch 1 in Predict (two threads) 1.55-1.65
    /// -> 1.0-1.1 ms.
    /// </remarks>
    internal static bool Pays(int rows, int inDim, int units) =>
        units >= GemmJob.WideLdb && (long)inDim * units <= MaxFloats &&
        (rows > Gemm.SmallM || !GemmJob.TilesSplitK(rows, units, inDim));

    private sealed record Packed(float[] Source, long Version, VectorWidth Width, int InDim, int Units, float[] Panels);

    private readonly object _gate = new();
    private Packed? _packed;

    /// <summary>The panels of <paramref name="w"/> (inDim x units) at version <paramref name="version"/>, packed now if stale.</summary>
    /// <remarks>
    /// A stale pack's array is refilled when the new panels have its length, so a model that trains and validates
    /// repacks each epoch without allocating (53 MB per epoch for the tutorial, and gen-2 collections, otherwise). That
    /// is safe because the weights' version changes only between calls: a training step excludes every prediction on
    /// the model (its reader-writer lock), and writing weights while another thread predicts is not supported (README,
    /// Thread safety). The lock keeps two predictions that find the pack stale at once from packing it together.
    /// </remarks>
    internal float[] PanelsFor(float[] w, long version, int inDim, int units)
    {
        var p = Volatile.Read(ref _packed);
        if (IsCurrent(p, w, version, inDim, units)) return p!.Panels;
        lock (_gate)
        {
            p = _packed;
            if (IsCurrent(p, w, version, inDim, units)) return p!.Panels;
            var panels = Gemm.PackPanels(inDim, units, w, units, reuse: p?.Panels);
            Volatile.Write(ref _packed, new Packed(w, version, Gemm.Width, inDim, units, panels));
            return panels;
        }
    }

    private static bool IsCurrent(Packed? p, float[] w, long version, int inDim, int units) =>
        p is not null && ReferenceEquals(p.Source, w) && p.Version == version && p.Width == Gemm.Width && p.InDim == inDim && p.Units == units;
}
