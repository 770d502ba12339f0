#nullable enable
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// One lane type for the recurrent cells' element-wise formulas, so each formula is written once and runs both on
/// hardware vectors (<see cref="VecLane"/>, <see cref="Vector{T}"/>: AVX2/AVX-512 or NEON) and on the scalar tail
/// of a row (<see cref="ScalarLane"/>). Generic methods over a struct lane are specialised by the JIT, so the
/// abstraction costs nothing.
/// </summary>
internal unsafe interface ILane<TSelf> where TSelf : struct, ILane<TSelf>
{
    static abstract int Width { get; }
    static abstract TSelf Load(float* p);
    static abstract void Store(float* p, TSelf v);
    static abstract TSelf Of(float v);
    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator /(TSelf a, TSelf b);
    static abstract TSelf Exp(TSelf x);
    static abstract TSelf Abs(TSelf x);
    static abstract TSelf Max(TSelf a, TSelf b);
    static abstract TSelf Min(TSelf a, TSelf b);
    /// <summary>where(a &lt; b, x, y) element-wise.</summary>
    static abstract TSelf IfLess(TSelf a, TSelf b, TSelf x, TSelf y);
}

/// <summary>A hardware vector of floats.</summary>
internal readonly unsafe struct VecLane : ILane<VecLane>
{
    private readonly Vector<float> _v;
    private VecLane(Vector<float> v) => _v = v;
    public static int Width => Vector<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecLane Load(float* p) => new(Vector.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, VecLane v) => v._v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecLane Of(float v) => new(new Vector<float>(v));
    public static VecLane operator +(VecLane a, VecLane b) => new(a._v + b._v);
    public static VecLane operator -(VecLane a, VecLane b) => new(a._v - b._v);
    public static VecLane operator *(VecLane a, VecLane b) => new(a._v * b._v);
    public static VecLane operator /(VecLane a, VecLane b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecLane Exp(VecLane x) => new(Vector.Exp(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecLane Abs(VecLane x) => new(Vector.Abs(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecLane Max(VecLane a, VecLane b) => new(Vector.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static VecLane Min(VecLane a, VecLane b) => new(Vector.Min(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VecLane IfLess(VecLane a, VecLane b, VecLane x, VecLane y) =>
        new(Vector.ConditionalSelect(Vector.LessThan(a._v, b._v), x._v, y._v));
}

/// <summary>An AVX-512 vector of 16 floats (used where the hardware has it: twice <see cref="VecLane"/>'s width on x64).</summary>
internal readonly unsafe struct Vec512Lane : ILane<Vec512Lane>
{
    private readonly Vector512<float> _v;
    private Vec512Lane(Vector512<float> v) => _v = v;
    public static int Width => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512Lane Load(float* p) => new(Vector512.Load(p));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vec512Lane v) => v._v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512Lane Of(float v) => new(Vector512.Create(v));
    public static Vec512Lane operator +(Vec512Lane a, Vec512Lane b) => new(a._v + b._v);
    public static Vec512Lane operator -(Vec512Lane a, Vec512Lane b) => new(a._v - b._v);
    public static Vec512Lane operator *(Vec512Lane a, Vec512Lane b) => new(a._v * b._v);
    public static Vec512Lane operator /(Vec512Lane a, Vec512Lane b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512Lane Exp(Vec512Lane x) => new(Vector512.Exp(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512Lane Abs(Vec512Lane x) => new(Vector512.Abs(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512Lane Max(Vec512Lane a, Vec512Lane b) => new(Vector512.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vec512Lane Min(Vec512Lane a, Vec512Lane b) => new(Vector512.Min(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vec512Lane IfLess(Vec512Lane a, Vec512Lane b, Vec512Lane x, Vec512Lane y) =>
        new(Vector512.ConditionalSelect(Vector512.LessThan(a._v, b._v), x._v, y._v));
}

/// <summary>
/// One row operation written once over a lane type; <see cref="LaneRows.Run{TOp}"/> runs it on the widest vectors
/// the hardware has, then on the scalar tail.
/// </summary>
internal interface IRowOp
{
    void Run<L>(int j0, int j1) where L : struct, ILane<L>;
}

internal static class LaneRows
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TOp>(int n, TOp op) where TOp : struct, IRowOp
    {
        int v;
        if (Vector512.IsHardwareAccelerated) { v = n - n % Vec512Lane.Width; op.Run<Vec512Lane>(0, v); }
        else { v = n - n % VecLane.Width; op.Run<VecLane>(0, v); }
        op.Run<ScalarLane>(v, n);
    }
}

/// <summary>One float (the tail of a row).</summary>
internal readonly unsafe struct ScalarLane : ILane<ScalarLane>
{
    private readonly float _v;
    private ScalarLane(float v) => _v = v;
    public static int Width => 1;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ScalarLane Load(float* p) => new(*p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, ScalarLane v) => *p = v._v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ScalarLane Of(float v) => new(v);
    public static ScalarLane operator +(ScalarLane a, ScalarLane b) => new(a._v + b._v);
    public static ScalarLane operator -(ScalarLane a, ScalarLane b) => new(a._v - b._v);
    public static ScalarLane operator *(ScalarLane a, ScalarLane b) => new(a._v * b._v);
    public static ScalarLane operator /(ScalarLane a, ScalarLane b) => new(a._v / b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ScalarLane Exp(ScalarLane x) => new(MathF.Exp(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ScalarLane Abs(ScalarLane x) => new(MathF.Abs(x._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ScalarLane Max(ScalarLane a, ScalarLane b) => new(MathF.Max(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static ScalarLane Min(ScalarLane a, ScalarLane b) => new(MathF.Min(a._v, b._v));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane IfLess(ScalarLane a, ScalarLane b, ScalarLane x, ScalarLane y) => a._v < b._v ? x : y;
}

/// <summary>The activations and their derivatives (through the activation's output y) on any lane.</summary>
internal static class LaneMath
{
    // Below this |x| tanh is its odd Taylor polynomial to x^9 (the next term is under 1e-8 of the value there);
    // above it 1 - 2 / (exp(2x) + 1), whose absolute error (~6e-8) is then small relative to |tanh x| >= 0.24.
    private const float TanhSeriesBound = 0.25f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static L Apply<L>(RnnActivation a, L x) where L : struct, ILane<L> => a switch
    {
        RnnActivation.Tanh => Tanh(x),
        RnnActivation.Sigmoid => L.Of(1f) / (L.Of(1f) + L.Exp(L.Of(0f) - x)),
        RnnActivation.HardSigmoid => L.Min(L.Max(x * L.Of(0.2f) + L.Of(0.5f), L.Of(0f)), L.Of(1f)),
        RnnActivation.Relu => L.Max(x, L.Of(0f)),
        RnnActivation.HardSigmoidKeras3 => L.Min(L.Max(x * L.Of(1f / 6) + L.Of(0.5f), L.Of(0f)), L.Of(1f)),
        _ => x,
    };

    /// <summary>f'(x) written through y = f(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static L Derivative<L>(RnnActivation a, L y) where L : struct, ILane<L> => a switch
    {
        RnnActivation.Tanh => L.Of(1f) - y * y,
        RnnActivation.Sigmoid => y * (L.Of(1f) - y),
        // 0.2 strictly inside the clip range, 0 where clipped (TensorFlow's clip_by_value gradient at the bounds).
        RnnActivation.HardSigmoid => L.IfLess(L.Of(0f), y, L.IfLess(y, L.Of(1f), L.Of(0.2f), L.Of(0f)), L.Of(0f)),
        RnnActivation.Relu => L.IfLess(L.Of(0f), y, L.Of(1f), L.Of(0f)),
        RnnActivation.HardSigmoidKeras3 => L.IfLess(L.Of(0f), y, L.IfLess(y, L.Of(1f), L.Of(1f / 6), L.Of(0f)), L.Of(0f)),
        _ => L.Of(1f),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static L Tanh<L>(L x) where L : struct, ILane<L>
    {
        var x2 = x * x;
        var series = x * (L.Of(1f) + x2 * (L.Of(-1f / 3) + x2 * (L.Of(2f / 15) + x2 * (L.Of(-17f / 315) + x2 * L.Of(62f / 2835)))));
        var big = L.Of(1f) - L.Of(2f) / (L.Exp(x + x) + L.Of(1f));
        return L.IfLess(L.Abs(x), L.Of(TanhSeriesBound), series, big);
    }
}
