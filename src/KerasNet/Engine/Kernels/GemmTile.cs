#nullable enable
using System.Runtime.CompilerServices;

namespace KerasNet.Engine.Kernels;

/// <summary>Compile-time row counts for the GEMM micro-kernel (the JIT specialises per struct, removing unused rows).</summary>
internal interface IRows { static abstract int R { get; } }
internal struct Rows1 : IRows { public static int R => 1; }
internal struct Rows2 : IRows { public static int R => 2; }
internal struct Rows3 : IRows { public static int R => 3; }
internal struct Rows4 : IRows { public static int R => 4; }
internal struct Rows5 : IRows { public static int R => 5; }
internal struct Rows6 : IRows { public static int R => 6; }
internal struct Rows7 : IRows { public static int R => 7; }
internal struct Rows8 : IRows { public static int R => 8; }

/// <summary>Compile-time choice of whether the micro-kernel requests a line of the next B panel per step.</summary>
internal interface IPrefetch { static abstract bool On { get; } }
internal struct NoPrefetch : IPrefetch { public static bool On => false; }
internal struct PrefetchNext : IPrefetch { public static bool On => true; }

/// <summary>
/// The register-blocked GEMM micro-kernel, written once over the vector width: an R x NR tile of C (R &lt;= 8 rows,
/// two vectors per row, NR = 2 * TS.Lanes: 32 columns on AVX-512, 16 on AVX2, 8 on SSE/AdvSimd) accumulated over kc
/// steps of broadcast A elements times an NR-wide row of B. A is addressed by strides so transposed and plain A need
/// no packing; B rows must hold NR readable floats (packed panels or an interior column block).
/// The rows are unrolled by hand (generated) so the JIT keeps every accumulator in a register; the IRows type
/// argument removes unused rows and the <see cref="ISimd{TV}"/> struct fixes the width at JIT time.
/// </summary>
internal static unsafe class GemmTile
{
    /// <summary>C[0..R, 0..NR) = (load ? C : 0) + sum_p A(r, p) B[p, 0..NR); A(r, p) = a[r * rsA + p * csA].</summary>
    /// <remarks>
    /// With <typeparamref name="TP"/> on, step p also asks for the 64-byte line at <paramref name="prefetch"/> + 16 p
    /// (into L2): the next packed panel streams in while this one is multiplied, instead of after it.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Full<TR, TS, TV, TP>(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load, float* prefetch)
        where TR : struct, IRows where TS : struct, ISimd<TV> where TV : struct where TP : struct, IPrefetch
    {
        TV c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        if (load)
        {
            { c00 = TS.Load(c + 0 * ldc); c01 = TS.Load(c + 0 * ldc + TS.Lanes); }
            if (TR.R > 1) { c10 = TS.Load(c + 1 * ldc); c11 = TS.Load(c + 1 * ldc + TS.Lanes); }
            if (TR.R > 2) { c20 = TS.Load(c + 2 * ldc); c21 = TS.Load(c + 2 * ldc + TS.Lanes); }
            if (TR.R > 3) { c30 = TS.Load(c + 3 * ldc); c31 = TS.Load(c + 3 * ldc + TS.Lanes); }
            if (TR.R > 4) { c40 = TS.Load(c + 4 * ldc); c41 = TS.Load(c + 4 * ldc + TS.Lanes); }
            if (TR.R > 5) { c50 = TS.Load(c + 5 * ldc); c51 = TS.Load(c + 5 * ldc + TS.Lanes); }
            if (TR.R > 6) { c60 = TS.Load(c + 6 * ldc); c61 = TS.Load(c + 6 * ldc + TS.Lanes); }
            if (TR.R > 7) { c70 = TS.Load(c + 7 * ldc); c71 = TS.Load(c + 7 * ldc + TS.Lanes); }
        }
        float* a1 = a + 1 * rsA;
        float* a2 = a + 2 * rsA;
        float* a3 = a + 3 * rsA;
        float* a4 = a + 4 * rsA;
        float* a5 = a + 5 * rsA;
        float* a6 = a + 6 * rsA;
        float* a7 = a + 7 * rsA;
        float* a0 = a;
        for (int p = 0; p < kc; p++)
        {
            if (TP.On && System.Runtime.Intrinsics.X86.Sse.IsSupported) System.Runtime.Intrinsics.X86.Sse.Prefetch1(prefetch + 16 * p);
            var b0 = TS.Load(b); var b1 = TS.Load(b + TS.Lanes);
            { var x = TS.Splat(*a0); c00 = TS.Fma(x, b0, c00); c01 = TS.Fma(x, b1, c01); a0 += csA; }
            if (TR.R > 1) { var x = TS.Splat(*a1); c10 = TS.Fma(x, b0, c10); c11 = TS.Fma(x, b1, c11); a1 += csA; }
            if (TR.R > 2) { var x = TS.Splat(*a2); c20 = TS.Fma(x, b0, c20); c21 = TS.Fma(x, b1, c21); a2 += csA; }
            if (TR.R > 3) { var x = TS.Splat(*a3); c30 = TS.Fma(x, b0, c30); c31 = TS.Fma(x, b1, c31); a3 += csA; }
            if (TR.R > 4) { var x = TS.Splat(*a4); c40 = TS.Fma(x, b0, c40); c41 = TS.Fma(x, b1, c41); a4 += csA; }
            if (TR.R > 5) { var x = TS.Splat(*a5); c50 = TS.Fma(x, b0, c50); c51 = TS.Fma(x, b1, c51); a5 += csA; }
            if (TR.R > 6) { var x = TS.Splat(*a6); c60 = TS.Fma(x, b0, c60); c61 = TS.Fma(x, b1, c61); a6 += csA; }
            if (TR.R > 7) { var x = TS.Splat(*a7); c70 = TS.Fma(x, b0, c70); c71 = TS.Fma(x, b1, c71); a7 += csA; }
            b += ldb;
        }
        { TS.Store(c00, c + 0 * ldc); TS.Store(c01, c + 0 * ldc + TS.Lanes); }
        if (TR.R > 1) { TS.Store(c10, c + 1 * ldc); TS.Store(c11, c + 1 * ldc + TS.Lanes); }
        if (TR.R > 2) { TS.Store(c20, c + 2 * ldc); TS.Store(c21, c + 2 * ldc + TS.Lanes); }
        if (TR.R > 3) { TS.Store(c30, c + 3 * ldc); TS.Store(c31, c + 3 * ldc + TS.Lanes); }
        if (TR.R > 4) { TS.Store(c40, c + 4 * ldc); TS.Store(c41, c + 4 * ldc + TS.Lanes); }
        if (TR.R > 5) { TS.Store(c50, c + 5 * ldc); TS.Store(c51, c + 5 * ldc + TS.Lanes); }
        if (TR.R > 6) { TS.Store(c60, c + 6 * ldc); TS.Store(c61, c + 6 * ldc + TS.Lanes); }
        if (TR.R > 7) { TS.Store(c70, c + 7 * ldc); TS.Store(c71, c + 7 * ldc + TS.Lanes); }
    }

    /// <summary>
    /// C[r, j] (+)= dot(A[r, 0..k), B[j, 0..k)) for R rows of A and two rows j0, j0 + 1 of B (B transposed, rows contiguous):
    /// the small-batch input gradient of a dense layer, streaming the weight matrix once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dot2<TR, TS, TV>(int k, float* a, nint lda, float* b0, float* b1, float* c, nint ldc, bool load) where TR : struct, IRows where TS : struct, ISimd<TV> where TV : struct
    {
        TV s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default, s40 = default, s41 = default, s50 = default, s51 = default, s60 = default, s61 = default, s70 = default, s71 = default;
        int p = 0;
        for (; p <= k - TS.Lanes; p += TS.Lanes)
        {
            var w0 = TS.Load(b0 + p); var w1 = TS.Load(b1 + p);
            { var x = TS.Load(a + 0 * lda + p); s00 = TS.Fma(x, w0, s00); s01 = TS.Fma(x, w1, s01); }
            if (TR.R > 1) { var x = TS.Load(a + 1 * lda + p); s10 = TS.Fma(x, w0, s10); s11 = TS.Fma(x, w1, s11); }
            if (TR.R > 2) { var x = TS.Load(a + 2 * lda + p); s20 = TS.Fma(x, w0, s20); s21 = TS.Fma(x, w1, s21); }
            if (TR.R > 3) { var x = TS.Load(a + 3 * lda + p); s30 = TS.Fma(x, w0, s30); s31 = TS.Fma(x, w1, s31); }
            if (TR.R > 4) { var x = TS.Load(a + 4 * lda + p); s40 = TS.Fma(x, w0, s40); s41 = TS.Fma(x, w1, s41); }
            if (TR.R > 5) { var x = TS.Load(a + 5 * lda + p); s50 = TS.Fma(x, w0, s50); s51 = TS.Fma(x, w1, s51); }
            if (TR.R > 6) { var x = TS.Load(a + 6 * lda + p); s60 = TS.Fma(x, w0, s60); s61 = TS.Fma(x, w1, s61); }
            if (TR.R > 7) { var x = TS.Load(a + 7 * lda + p); s70 = TS.Fma(x, w0, s70); s71 = TS.Fma(x, w1, s71); }
        }
        Finish(a + 0 * lda, b0, b1, p, k, TS.Sum(s00), TS.Sum(s01), c + 0 * ldc, load);
        if (TR.R > 1) Finish(a + 1 * lda, b0, b1, p, k, TS.Sum(s10), TS.Sum(s11), c + 1 * ldc, load);
        if (TR.R > 2) Finish(a + 2 * lda, b0, b1, p, k, TS.Sum(s20), TS.Sum(s21), c + 2 * ldc, load);
        if (TR.R > 3) Finish(a + 3 * lda, b0, b1, p, k, TS.Sum(s30), TS.Sum(s31), c + 3 * ldc, load);
        if (TR.R > 4) Finish(a + 4 * lda, b0, b1, p, k, TS.Sum(s40), TS.Sum(s41), c + 4 * ldc, load);
        if (TR.R > 5) Finish(a + 5 * lda, b0, b1, p, k, TS.Sum(s50), TS.Sum(s51), c + 5 * ldc, load);
        if (TR.R > 6) Finish(a + 6 * lda, b0, b1, p, k, TS.Sum(s60), TS.Sum(s61), c + 6 * ldc, load);
        if (TR.R > 7) Finish(a + 7 * lda, b0, b1, p, k, TS.Sum(s70), TS.Sum(s71), c + 7 * ldc, load);
    }

    private static void Finish(float* a, float* b0, float* b1, int p, int k, float d0, float d1, float* c, bool load)
    {
        for (; p < k; p++) { d0 += a[p] * b0[p]; d1 += a[p] * b1[p]; }
        if (load) { c[0] += d0; c[1] += d1; } else { c[0] = d0; c[1] = d1; }
    }
}
