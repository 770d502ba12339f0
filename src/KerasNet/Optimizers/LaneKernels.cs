#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Optimizers;

/// <summary>
/// One optimizer's element-wise update over 16 lanes: the new weight from the weight and gradient, reading and
/// writing up to three slots in place. Written once as a vector step; <see cref="LaneKernels.Run{T}"/> also runs it on
/// a padded copy of the tail, so the tail gets exactly the same arithmetic (no separate scalar formula).
/// </summary>
internal unsafe interface ILaneStep
{
    Vector512<float> Step(Vector512<float> w, Vector512<float> g, float* s0, float* s1, float* s2);
}

/// <summary>Runs an <see cref="ILaneStep"/> over a range: every parameter, gradient and slot is read and written once.</summary>
internal static unsafe class LaneKernels
{
    private const int Lanes = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T>(in T step, Span<float> w, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1, Span<float> s2)
        where T : struct, ILaneStep
    {
        int n = w.Length;
        // Raw pointers below: every span the step uses must cover w.
        Engine.BufferCheck.Count(g.Length, n, "g", "optimizer step");
        if (!s0.IsEmpty) Engine.BufferCheck.Count(s0.Length, n, "slot 0", "optimizer step");
        if (!s1.IsEmpty) Engine.BufferCheck.Count(s1.Length, n, "slot 1", "optimizer step");
        if (!s2.IsEmpty) Engine.BufferCheck.Count(s2.Length, n, "slot 2", "optimizer step");
        float* pad = stackalloc float[5 * Lanes];
        fixed (float* pw = w, pg = g, p0 = s0, p1 = s1, p2 = s2)
        {
            int i = 0;
            for (; i <= n - Lanes; i += Lanes)
                step.Step(Vector512.Load(pw + i), Vector512.Load(pg + i), Off(p0, i, pad + 2 * Lanes), Off(p1, i, pad + 3 * Lanes), Off(p2, i, pad + 4 * Lanes)).Store(pw + i);
            int rest = n - i;
            if (rest == 0) return;
            new Span<float>(pad, 5 * Lanes).Clear();
            Copy(pw + i, pad, rest); Copy(pg + i, pad + Lanes, rest);
            if (p0 != null) Copy(p0 + i, pad + 2 * Lanes, rest);
            if (p1 != null) Copy(p1 + i, pad + 3 * Lanes, rest);
            if (p2 != null) Copy(p2 + i, pad + 4 * Lanes, rest);
            step.Step(Vector512.Load(pad), Vector512.Load(pad + Lanes), pad + 2 * Lanes, pad + 3 * Lanes, pad + 4 * Lanes).Store(pad);
            Copy(pad, pw + i, rest);
            if (p0 != null) Copy(pad + 2 * Lanes, p0 + i, rest);
            if (p1 != null) Copy(pad + 3 * Lanes, p1 + i, rest);
            if (p2 != null) Copy(pad + 4 * Lanes, p2 + i, rest);
        }
    }

    // A missing slot points at scratch lanes, so a step never dereferences null.
    private static float* Off(float* p, int i, float* scratch) => p == null ? scratch : p + i;

    private static void Copy(float* from, float* to, int count) => Buffer.MemoryCopy(from, to, count * sizeof(float), count * sizeof(float));
}
