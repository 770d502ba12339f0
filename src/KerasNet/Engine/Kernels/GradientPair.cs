#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// What <see cref="DenseRowKernel.Row2{TR, TS, TV, TG}"/> does with the two weight-gradient rows it accumulates: where each
/// accumulation starts and where the sums go, for one vector of columns at j or one column t. Implemented by structs so the
/// JIT compiles one kernel per implementation with these calls inlined (no interface dispatch in the loop).
/// </summary>
internal unsafe interface IGradientPair<TV> where TV : struct
{
    /// <summary>The starting values of the two gradient rows' columns [j, j + lanes).</summary>
    void Start(int j, out TV ga, out TV gb);

    /// <summary>Takes the finished gradients of columns [j, j + lanes); wa and wb are the weights they belong to.</summary>
    void Finish(int j, TV ga, TV gb, TV wa, TV wb);

    /// <summary>The starting values of column t of the two gradient rows.</summary>
    void Start(int t, out float ga, out float gb);

    /// <summary>Takes the finished gradients of column t.</summary>
    void Finish(int t, float ga, float gb);
}

/// <summary>
/// Gradient rows stored to g and g + units; row groups after the first add to what the earlier groups stored, in
/// the same order as the separate GEMM, so the sum is bit-identical to it.
/// </summary>
internal readonly unsafe struct StoredGradientPair<TS, TV>(float* g, int units, bool firstGroup) : IGradientPair<TV>
    where TS : struct, ISimd<TV> where TV : struct
{
    private readonly float* _g1 = g + units;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(int j, out TV ga, out TV gb)
    {
        ga = firstGroup ? TS.Zero : TS.Load(g + j);
        gb = firstGroup ? TS.Zero : TS.Load(_g1 + j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Finish(int j, TV ga, TV gb, TV wa, TV wb)
    {
        TS.Store(ga, g + j); TS.Store(gb, _g1 + j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(int t, out float ga, out float gb)
    {
        ga = firstGroup ? 0f : g[t];
        gb = firstGroup ? 0f : _g1[t];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Finish(int t, float ga, float gb) { g[t] = ga; _g1[t] = gb; }
}

/// <summary>
/// The whole batch's gradient (a single row group) applied by Adam while still in registers: the weight rows at w
/// and w + units and their slots m, v are updated, and no gradient row is ever stored. The coefficients are read
/// through a pointer (the caller pins them) so that this struct stays small to pass by value.
/// </summary>
/// <remarks>
/// <paramref name="ahead"/>: floats ahead of each column step at which the six rows (two of the kernel, two of each
/// slot) are requested into L1, or 0 for none (see <see cref="DenseFused.PrefetchFloats"/>).
/// </remarks>
internal readonly unsafe struct AdamGradientPair<TS, TV>(float* w, float* m, float* v, int units, AdamMath* adam, int ahead) : IGradientPair<TV>
    where TS : struct, ISimd<TV> where TV : struct
{
    private readonly float* _w1 = w + units, _m1 = m + units, _v1 = v + units;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(int j, out TV ga, out TV gb)
    {
        (ga, gb) = (TS.Zero, TS.Zero);
        // A prefetch never faults, so the lines past a row's (or the array's) end may be requested too.
        if (ahead > 0 && Sse.IsSupported)
        {
            int p = j + ahead;
            Sse.Prefetch0(w + p); Sse.Prefetch0(_w1 + p);
            Sse.Prefetch0(m + p); Sse.Prefetch0(_m1 + p);
            Sse.Prefetch0(v + p); Sse.Prefetch0(_v1 + p);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Finish(int j, TV ga, TV gb, TV wa, TV wb)
    {
        TS.Store(adam->Step<TS, TV>(wa, ga, m + j, v + j), w + j);
        TS.Store(adam->Step<TS, TV>(wb, gb, _m1 + j, _v1 + j), _w1 + j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(int t, out float ga, out float gb) => (ga, gb) = (0f, 0f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Finish(int t, float ga, float gb)
    {
        w[t] = adam->Step(w[t], ga, m + t, v + t);
        _w1[t] = adam->Step(_w1[t], gb, _m1 + t, _v1 + t);
    }
}
