#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// One SIMD register of floats, as the convolution and pooling kernels use it: the kernels are written once over
/// this interface and the JIT specialises them for each struct below (no indirection left), so the same code runs on
/// AVX-512, on AVX2 (and ARM64 / SSE through Vector128) at that width.
/// </summary>
internal unsafe interface ILanes<TV> where TV : struct
{
    static abstract int Count { get; }
    static abstract TV Load(float* p);
    static abstract void Store(float* p, TV v);
    static abstract TV Splat(float v);
    /// <summary>a * b + c (fused where the hardware has it).</summary>
    static abstract TV MulAdd(TV a, TV b, TV c);
    static abstract TV Add(TV a, TV b);
    static abstract TV Mul(TV a, TV b);
    /// <summary>Lane-wise max(a, b), taking a where b is not greater (NaN in b never wins; a NaN in a stays).</summary>
    static abstract TV MaxKeep(TV a, TV b);
    static abstract TV Relu(TV v);
}

internal unsafe struct Lanes512 : ILanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector512<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float v) => Vector512.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MulAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Mul(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MaxKeep(Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(Vector512.GreaterThan(b, a), b, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Relu(Vector512<float> v) => Vector512.Max(v, Vector512<float>.Zero);
}

internal unsafe struct Lanes256 : ILanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector256<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float v) => Vector256.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Mul(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MaxKeep(Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(Vector256.GreaterThan(b, a), b, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Relu(Vector256<float> v) => Vector256.Max(v, Vector256<float>.Zero);
}

internal unsafe struct Lanes128 : ILanes<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* p) => Vector128.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* p, Vector128<float> v) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Splat(float v) => Vector128.Create(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MulAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Mul(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MaxKeep(Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(Vector128.GreaterThan(b, a), b, a);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Relu(Vector128<float> v) => Vector128.Max(v, Vector128<float>.Zero);
}

/// <summary>The widest accelerated register of this machine, chosen once at start (0: none, the scalar paths run).</summary>
internal static class ConvLanes
{
    public static readonly int Width =
        Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : Vector128.IsHardwareAccelerated ? 4 : 0;

    /// <summary>Whether the lane kernels run here (otherwise their callers keep their scalar or im2col paths).</summary>
    public static bool Supported => Width > 0;
}

/// <summary>A job over ranges whose body is written once over <see cref="ILanes{TV}"/> and run at this machine's width.</summary>
internal abstract class LanesPartJob : ParallelJob
{
    public sealed override void Execute(int part, int start, int end)
    {
        if (ConvLanes.Width == 16) Part<Lanes512, Vector512<float>>(part, start, end);
        else if (ConvLanes.Width == 8) Part<Lanes256, Vector256<float>>(part, start, end);
        else Part<Lanes128, Vector128<float>>(part, start, end);
    }

    /// <summary>Part <paramref name="part"/> (items [start, end)) of the job at the width of L.</summary>
    protected abstract void Part<L, TV>(int part, int start, int end) where L : struct, ILanes<TV> where TV : struct;
}

/// <summary>A job over rows whose body is written once over <see cref="ILanes{TV}"/> and run at this machine's width.</summary>
internal abstract class LanesRowJob : LanesPartJob
{
    protected sealed override void Part<L, TV>(int part, int start, int end)
    {
        for (int r = start; r < end; r++) Row<L, TV>(r);
    }

    /// <summary>Row r of the job at the width of L.</summary>
    protected abstract void Row<L, TV>(int r) where L : struct, ILanes<TV> where TV : struct;
}
