#nullable enable
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;

namespace KerasNet.Engine.Kernels;

/// <summary>The vector width the kernels run at, chosen once per process from what the hardware accelerates.</summary>
internal enum VectorWidth
{
    /// <summary>Vector128: SSE on x64 without AVX2, AdvSimd on ARM64 (and a software fallback elsewhere).</summary>
    W128 = 128,
    /// <summary>Vector256 with FMA: AVX2 machines, or AVX-512 ones with <c>DOTNET_EnableAVX512=0</c>.</summary>
    W256 = 256,
    /// <summary>Vector512: AVX-512 machines.</summary>
    W512 = 512,
}

/// <summary>
/// The operations a width-generic kernel needs from one vector type, with that width's GEMM tile shape. Kernels take
/// the implementing struct (<see cref="V512"/>, <see cref="V256"/>, <see cref="V128"/>) and its vector type as type
/// arguments, so the JIT compiles one copy per width with every call inlined and every lane count a constant.
/// </summary>
internal unsafe interface ISimd<TV> where TV : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Lanes { get; }

    /// <summary>Rows of the GEMM micro-tile (its columns are two vectors: <c>2 * Lanes</c>).</summary>
    static abstract int MR { get; }

    /// <summary>Inner-dimension block of the GEMM: a kc x (2 * Lanes) panel of B is ~40 KB, so it stays in L1/L2.</summary>
    static abstract int KC { get; }

    static abstract TV Zero { get; }
    static abstract TV Load(float* p);
    static abstract void Store(TV v, float* p);
    static abstract TV Splat(float x);
    /// <summary>a * b + c (fused where the hardware fuses).</summary>
    static abstract TV Fma(TV a, TV b, TV c);
    static abstract TV Add(TV a, TV b);
    static abstract TV Max(TV a, TV b);
    /// <summary>Zero where <paramref name="y"/> &lt;= 0, else <paramref name="g"/> (NaN keeps g, as the scalar rule).</summary>
    static abstract TV ZeroWhereNotPositive(TV y, TV g);
    static abstract float Sum(TV v);
    static abstract TV Sub(TV a, TV b);
    static abstract TV Mul(TV a, TV b);
    static abstract TV Div(TV a, TV b);
    static abstract TV Sqrt(TV v);
    /// <summary>The scalar a * b + c rounded as one lane of <see cref="Fma(TV, TV, TV)"/> (scalar tails match the vector body).</summary>
    static abstract float Fma(float a, float b, float c);
    /// <summary>x's lanes l where idx[l] == first + l, zero elsewhere; adds the number of such lanes to <paramref name="matched"/>.</summary>
    static abstract TV WhereIndex(int* idx, int first, TV x, ref long matched);
    static abstract TV Abs(TV v);
    /// <summary>All bits set in the lanes where a &gt; b, clear elsewhere (false where either is NaN).</summary>
    static abstract TV GreaterThan(TV a, TV b);
    /// <summary>All bits set in the lanes where a &lt; b, clear elsewhere (false where either is NaN).</summary>
    static abstract TV LessThan(TV a, TV b);
    /// <summary>Bitwise: a's bits where <paramref name="mask"/>'s are set, b's elsewhere.</summary>
    static abstract TV Select(TV mask, TV a, TV b);
    /// <summary>The ints first, first + 1, ... (one per lane) as their bits in a float vector (for index bookkeeping with <see cref="Select"/>).</summary>
    static abstract TV Indices(int first);
}

/// <summary>
/// AVX-512: 32 zmm registers. An 8 x 32 tile (8 rows x 2 vectors) holds 16 accumulators, leaving room for the two B
/// vectors and the broadcast A element with no spill.
/// </summary>
internal readonly unsafe struct V512 : ISimd<Vector512<float>>
{
    public static int Lanes => 16;
    public static int MR => 8;
    public static int KC => 320; // 320 x 32 floats = 40 KB: the tile's B panel stays in cache (and fixes the sum order)
    public static Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* p) => Vector512.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector512<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float x) => Vector512.Create(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> ZeroWhereNotPositive(Vector512<float> y, Vector512<float> g) =>
        Vector512.ConditionalSelect(Vector512.LessThanOrEqual(y, Vector512<float>.Zero), Vector512<float>.Zero, g);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> v) => Vector512.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sub(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Mul(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Div(Vector512<float> a, Vector512<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> v) => Vector512.Sqrt(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Fma(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);
    private static readonly Vector512<int> LaneIndex = Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> WhereIndex(int* idx, int first, Vector512<float> x, ref long matched)
    {
        var eq = Vector512.Equals(Vector512.Load(idx), Vector512.Create(first) + LaneIndex);
        matched += BitOperations.PopCount(eq.ExtractMostSignificantBits());
        return Vector512.ConditionalSelect(eq.AsSingle(), x, Vector512<float>.Zero);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Abs(Vector512<float> v) => Vector512.Abs(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThan(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Select(Vector512<float> mask, Vector512<float> a, Vector512<float> b) => Vector512.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Indices(int first) => (Vector512.Create(first) + LaneIndex).AsSingle();
}

/// <summary>
/// AVX2 + FMA: 16 ymm registers. A 6 x 16 tile holds 12 accumulators; with the two B vectors and the broadcast that is
/// 15 of 16 (an 8-row tile would need 19 and spill every step).
/// </summary>
internal readonly unsafe struct V256 : ISimd<Vector256<float>>
{
    public static int Lanes => 8;
    public static int MR => 6;
    public static int KC => 640; // 640 x 16 floats = 40 KB, as the AVX-512 panel
    public static Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* p) => Vector256.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector256<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float x) => Vector256.Create(x);
    // MultiplyAddEstimate is one FMA where the hardware has it, a multiply and an add where it does not (the exact
    // FusedMultiplyAdd would fall back to a per-lane software emulation there).
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> ZeroWhereNotPositive(Vector256<float> y, Vector256<float> g) =>
        Vector256.ConditionalSelect(Vector256.LessThanOrEqual(y, Vector256<float>.Zero), Vector256<float>.Zero, g);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> v) => Vector256.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sub(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Mul(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Div(Vector256<float> a, Vector256<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> v) => Vector256.Sqrt(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Fma(float a, float b, float c) => System.Runtime.Intrinsics.X86.Fma.IsSupported || AdvSimd.IsSupported ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;
    private static readonly Vector256<int> LaneIndex = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> WhereIndex(int* idx, int first, Vector256<float> x, ref long matched)
    {
        var eq = Vector256.Equals(Vector256.Load(idx), Vector256.Create(first) + LaneIndex);
        matched += BitOperations.PopCount(eq.ExtractMostSignificantBits());
        return Vector256.ConditionalSelect(eq.AsSingle(), x, Vector256<float>.Zero);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Abs(Vector256<float> v) => Vector256.Abs(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThan(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Select(Vector256<float> mask, Vector256<float> a, Vector256<float> b) => Vector256.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Indices(int first) => (Vector256.Create(first) + LaneIndex).AsSingle();
}

/// <summary>
/// SSE (16 xmm registers on x64) and ARM64 AdvSimd (32 registers). x64: a 6 x 8 tile, 12 accumulators + 3 = 15 of 16.
/// ARM64: 8 x 8, 16 accumulators + 3 = 19 of 32 (its FMA takes the accumulator in place, so no copies are needed).
/// </summary>
internal readonly unsafe struct V128 : ISimd<Vector128<float>>
{
    public static int Lanes => 4;
    public static int MR => AdvSimd.Arm64.IsSupported ? 8 : 6;
    public static int KC => 1280; // 1280 x 8 floats = 40 KB, as the AVX-512 panel
    public static Vector128<float> Zero => Vector128<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* p) => Vector128.Load(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(Vector128<float> v, float* p) => v.Store(p);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Splat(float x) => Vector128.Create(x);
    // As V256: fused where the hardware fuses (FMA3, AdvSimd), multiply + add on plain SSE.
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> ZeroWhereNotPositive(Vector128<float> y, Vector128<float> g) =>
        Vector128.ConditionalSelect(Vector128.LessThanOrEqual(y, Vector128<float>.Zero), Vector128<float>.Zero, g);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector128<float> v) => Vector128.Sum(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sub(Vector128<float> a, Vector128<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Mul(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Div(Vector128<float> a, Vector128<float> b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sqrt(Vector128<float> v) => Vector128.Sqrt(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Fma(float a, float b, float c) => System.Runtime.Intrinsics.X86.Fma.IsSupported || AdvSimd.IsSupported ? MathF.FusedMultiplyAdd(a, b, c) : a * b + c;
    private static readonly Vector128<int> LaneIndex = Vector128.Create(0, 1, 2, 3);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> WhereIndex(int* idx, int first, Vector128<float> x, ref long matched)
    {
        var eq = Vector128.Equals(Vector128.Load(idx), Vector128.Create(first) + LaneIndex);
        matched += BitOperations.PopCount(eq.ExtractMostSignificantBits());
        return Vector128.ConditionalSelect(eq.AsSingle(), x, Vector128<float>.Zero);
    }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Abs(Vector128<float> v) => Vector128.Abs(v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> GreaterThan(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LessThan(Vector128<float> a, Vector128<float> b) => Vector128.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Select(Vector128<float> mask, Vector128<float> a, Vector128<float> b) => Vector128.ConditionalSelect(mask, a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Indices(int first) => (Vector128.Create(first) + LaneIndex).AsSingle();
}

/// <summary>The process's vector width, detected once.</summary>
internal static class Simd
{
    /// <summary>The widest width the hardware accelerates (a static readonly: the JIT folds tests on it).</summary>
    public static readonly VectorWidth Detected =
        Vector512.IsHardwareAccelerated ? VectorWidth.W512 : Vector256.IsHardwareAccelerated ? VectorWidth.W256 : VectorWidth.W128;

    /// <summary>Whether <paramref name="width"/> runs in hardware here (narrower widths always do where a wider one does).</summary>
    public static bool Supports(VectorWidth width) => width <= Detected;
}
