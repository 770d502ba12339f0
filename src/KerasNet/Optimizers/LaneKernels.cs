#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using KerasNet.Engine.Kernels;

namespace KerasNet.Optimizers;

/// <summary>
/// One optimizer's element-wise update over one vector of lanes: the new weight from the weight and gradient, reading
/// and writing up to three slots in place. Written once over the vector width (<see cref="ISimd{TV}"/>), with IEEE
/// operations only (no fused multiply-add), so every width gives the same weights bit for bit;
/// <see cref="LaneKernels.Run{T}"/> also runs it on a padded copy of the tail, so the tail gets exactly the same
/// arithmetic (no separate scalar formula).
/// </summary>
internal unsafe interface ILaneStep
{
    TV Step<TS, TV>(TV w, TV g, float* s0, float* s1, float* s2) where TS : struct, ISimd<TV> where TV : struct;
}

/// <summary>Runs an <see cref="ILaneStep"/> over a range: every parameter, gradient and slot is read and written once.</summary>
internal static unsafe class LaneKernels
{
    /// <summary>The widest vector's lanes: the padded tail is sized for it.</summary>
    private const int MaxLanes = 16;

    /// <summary>Runs <paramref name="step"/> at the engine's vector width (<see cref="Gemm.Width"/>, chosen once per process).</summary>
    public static void Run<T>(in T step, Span<float> w, ReadOnlySpan<float> g, Span<float> s0, Span<float> s1, Span<float> s2)
        where T : struct, ILaneStep
    {
        int n = w.Length;
        // Raw pointers below: every span the step uses must cover w.
        Engine.BufferCheck.Count(g.Length, n, "g", "optimizer step");
        if (!s0.IsEmpty) Engine.BufferCheck.Count(s0.Length, n, "slot 0", "optimizer step");
        if (!s1.IsEmpty) Engine.BufferCheck.Count(s1.Length, n, "slot 1", "optimizer step");
        if (!s2.IsEmpty) Engine.BufferCheck.Count(s2.Length, n, "slot 2", "optimizer step");
        fixed (float* pw = w, pg = g, p0 = s0, p1 = s1, p2 = s2)
        {
            switch (Gemm.Width)
            {
                case VectorWidth.W512: Run<T, V512, Vector512<float>>(step, pw, pg, p0, p1, p2, n); break;
                case VectorWidth.W256: Run<T, V256, Vector256<float>>(step, pw, pg, p0, p1, p2, n); break;
                default: Run<T, V128, Vector128<float>>(step, pw, pg, p0, p1, p2, n); break;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<T, TS, TV>(in T step, float* pw, float* pg, float* p0, float* p1, float* p2, int n)
        where T : struct, ILaneStep where TS : struct, ISimd<TV> where TV : struct
    {
        int lanes = TS.Lanes;
        float* pad = stackalloc float[5 * MaxLanes];
        int i = 0;
        for (; i <= n - lanes; i += lanes)
            TS.Store(step.Step<TS, TV>(TS.Load(pw + i), TS.Load(pg + i), Off(p0, i, pad + 2 * lanes), Off(p1, i, pad + 3 * lanes), Off(p2, i, pad + 4 * lanes)), pw + i);
        int rest = n - i;
        if (rest == 0) return;
        new Span<float>(pad, 5 * lanes).Clear();
        Copy(pw + i, pad, rest); Copy(pg + i, pad + lanes, rest);
        if (p0 != null) Copy(p0 + i, pad + 2 * lanes, rest);
        if (p1 != null) Copy(p1 + i, pad + 3 * lanes, rest);
        if (p2 != null) Copy(p2 + i, pad + 4 * lanes, rest);
        TS.Store(step.Step<TS, TV>(TS.Load(pad), TS.Load(pad + lanes), pad + 2 * lanes, pad + 3 * lanes, pad + 4 * lanes), pad);
        Copy(pad, pw + i, rest);
        if (p0 != null) Copy(pad + 2 * lanes, p0 + i, rest);
        if (p1 != null) Copy(pad + 3 * lanes, p1 + i, rest);
        if (p2 != null) Copy(pad + 4 * lanes, p2 + i, rest);
    }

    /// <summary>
    /// Each lane of <paramref name="v"/> raised to <paramref name="exponent"/> with <see cref="MathF.Pow"/> (no vector
    /// pow exists): the lanes go through a stack buffer, so every width gives the scalar function's bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Pow<TS, TV>(TV v, float exponent) where TS : struct, ISimd<TV> where TV : struct
    {
        float* lanes = stackalloc float[MaxLanes];
        TS.Store(v, lanes);
        for (int i = 0; i < TS.Lanes; i++) lanes[i] = MathF.Pow(lanes[i], exponent);
        return TS.Load(lanes);
    }

    // A missing slot points at scratch lanes, so a step never dereferences null.
    private static float* Off(float* p, int i, float* scratch) => p == null ? scratch : p + i;

    private static void Copy(float* from, float* to, int count) => Buffer.MemoryCopy(from, to, count * sizeof(float), count * sizeof(float));
}
