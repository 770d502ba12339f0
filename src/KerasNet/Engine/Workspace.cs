#nullable enable
namespace KerasNet.Engine;

/// <summary>
/// Grow-only scratch buffers and reusable job objects for kernels, one set per calling thread (so concurrent
/// callers never share them). The arrays are pinned, so kernels can hold raw pointers to them while worker threads run.
/// Only the engine's own buffers live here, never a caller's: a kernel that fills a job with caller buffers or
/// pointers clears them before it returns the job (in a finally, so an exception does not leave them behind).
/// </summary>
internal static class Workspace
{
    [ThreadStatic] private static float[]?[]? t_buffers;

    /// <summary>
    /// Scratch slot <paramref name="slot"/> of at least <paramref name="length"/> floats (contents unspecified). The
    /// buffer stays in the slot: use it only where no other code that could want the same slot runs on this thread
    /// before the caller is done with it (kernels that call out to user code use <see cref="Rent(int, int)"/>).
    /// </summary>
    public static float[] Get(int slot, int length)
    {
        var set = t_buffers ??= new float[]?[SlotCount];
        var buf = set[slot];
        if (buf is null || buf.Length < length)
            set[slot] = buf = Allocate(length);
        return buf;
    }

    /// <summary>
    /// Takes slot <paramref name="slot"/>'s buffer out of the slot until <see cref="Return(int, float[])"/>: a nested
    /// call on this thread (from a callback made while the buffer is in use) finds the slot empty and gets a buffer
    /// of its own instead of overwriting this one.
    /// </summary>
    public static float[] Rent(int slot, int length)
    {
        var set = t_buffers ??= new float[]?[SlotCount];
        var buf = set[slot];
        set[slot] = null;
        return buf is null || buf.Length < length ? Allocate(length) : buf;
    }

    /// <summary>Puts a rented buffer back (keeping the larger one if a nested call left one there).</summary>
    public static void Return(int slot, float[] buffer)
    {
        var set = t_buffers ??= new float[]?[SlotCount];
        if (set[slot] is not { } cur || cur.Length < buffer.Length) set[slot] = buffer;
    }

    /// <summary>
    /// This thread's cached job from <paramref name="slot"/> (a [ThreadStatic] field), taken out of the slot while in
    /// use: a kernel re-entered on the same thread (a callback such as <see cref="IWeightUpdate"/> calling the engine)
    /// then gets a new job instead of overwriting the fields, and clearing the pointers, of the one in use.
    /// </summary>
    public static T Rent<T>(ref T? slot) where T : class, new()
    {
        var job = slot ?? new T();
        slot = null;
        return job;
    }

    /// <summary>Puts a job back into its slot for the next call on this thread (its caller references cleared first).</summary>
    public static void Return<T>(ref T? slot, T job) where T : class => slot = job;

    /// <summary>
    /// Drops this thread's scratch buffers longer than <paramref name="maxFloats"/> (grown by one large call), so they
    /// can be collected; the next call that needs one allocates it again.
    /// </summary>
    public static void Trim(long maxFloats)
    {
        if (t_buffers is not { } set) return;
        for (int i = 0; i < set.Length; i++)
            if (set[i] is { } b && b.Length > maxFloats) set[i] = null;
    }

    private static float[] Allocate(int length) => GC.AllocateUninitializedArray<float>(Math.Max(length, 16), pinned: true);

    /// <summary>Slot numbers, so that nested users never share a buffer.</summary>
    public const int GemmPackB = 0, GemmPartials = 1, Im2Col = 2, DenseGradRow = 3, GemmBlockB = 4, SlotCount = 8;
}
