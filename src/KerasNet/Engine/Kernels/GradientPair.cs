#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// What <see cref="DenseRowKernel.Row2{TR, TG}"/> does with the two weight-gradient rows it accumulates: where each
/// accumulation starts and where the sums go, for 16 columns at j or one column t. Implemented by structs so the
/// JIT compiles one kernel per implementation with these calls inlined (no interface dispatch in the loop).
/// </summary>
internal unsafe interface IGradientPair
{
    /// <summary>The starting values of the two gradient rows' columns [j, j + 16).</summary>
    void Start(int j, out Vector512<float> ga, out Vector512<float> gb);

    /// <summary>Takes the finished gradients of columns [j, j + 16); wa and wb are the weights they belong to.</summary>
    void Finish(int j, Vector512<float> ga, Vector512<float> gb, Vector512<float> wa, Vector512<float> wb);

    /// <summary>The starting values of column t of the two gradient rows.</summary>
    void Start(int t, out float ga, out float gb);

    /// <summary>Takes the finished gradients of column t.</summary>
    void Finish(int t, float ga, float gb);
}

/// <summary>
/// Gradient rows stored to g and g + units; row groups after the first add to what the earlier groups stored, in
/// the same order as the separate GEMM, so the sum is bit-identical to it.
/// </summary>
internal readonly unsafe struct StoredGradientPair(float* g, int units, bool firstGroup) : IGradientPair
{
    private readonly float* _g1 = g + units;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(int j, out Vector512<float> ga, out Vector512<float> gb)
    {
        ga = firstGroup ? Vector512<float>.Zero : Vector512.Load(g + j);
        gb = firstGroup ? Vector512<float>.Zero : Vector512.Load(_g1 + j);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Finish(int j, Vector512<float> ga, Vector512<float> gb, Vector512<float> wa, Vector512<float> wb)
    {
        ga.Store(g + j); gb.Store(_g1 + j);
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
internal readonly unsafe struct AdamGradientPair(float* w, float* m, float* v, int units, AdamMath* adam) : IGradientPair
{
    private readonly float* _w1 = w + units, _m1 = m + units, _v1 = v + units;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Start(int j, out Vector512<float> ga, out Vector512<float> gb) => (ga, gb) = (Vector512<float>.Zero, Vector512<float>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Finish(int j, Vector512<float> ga, Vector512<float> gb, Vector512<float> wa, Vector512<float> wb)
    {
        adam->Step(wa, ga, m + j, v + j).Store(w + j);
        adam->Step(wb, gb, _m1 + j, _v1 + j).Store(_w1 + j);
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
