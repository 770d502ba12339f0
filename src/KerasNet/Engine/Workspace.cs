#nullable enable
namespace KerasNet.Engine;

/// <summary>
/// Grow-only scratch buffers for kernels, one set per calling thread (so concurrent models do not share them).
/// The arrays are pinned, so kernels can hold raw pointers to them while worker threads run.
/// </summary>
internal static class Workspace
{
    [ThreadStatic] private static float[]?[]? t_buffers;

    /// <summary>Scratch slot <paramref name="slot"/> of at least <paramref name="length"/> floats (contents unspecified).</summary>
    public static float[] Get(int slot, int length)
    {
        var set = t_buffers ??= new float[]?[8];
        var buf = set[slot];
        if (buf is null || buf.Length < length)
            set[slot] = buf = GC.AllocateUninitializedArray<float>(Math.Max(length, 16), pinned: true);
        return buf;
    }

    /// <summary>Slot numbers, so that nested users never share a buffer.</summary>
    public const int GemmPackB = 0, GemmPartials = 1, Im2Col = 2, DenseGradRow = 3;
}
