#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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

/// <summary>
/// The register-blocked GEMM micro-kernel: an R x 32 tile of C (R &lt;= 8 rows, two Vector512 per row) accumulated
/// over kc steps of broadcast A elements times a 32-wide row of B. A is addressed by strides so transposed and
/// plain A need no packing; B rows must hold 32 readable floats (packed panels or an interior column block).
/// The rows are unrolled by hand (generated) so the JIT keeps every accumulator in a register; the IRows type
/// argument removes unused rows at JIT time.
/// </summary>
internal static unsafe class GemmTile
{
    /// <summary>C[0..R, 0..32) = (load ? C : 0) + sum_p A(r, p) B[p, 0..32); A(r, p) = a[r * rsA + p * csA].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Full<TR>(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load) where TR : struct, IRows
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        if (load)
        {
            { c00 = Vector512.Load(c + 0 * ldc); c01 = Vector512.Load(c + 0 * ldc + 16); }
            if (TR.R > 1) { c10 = Vector512.Load(c + 1 * ldc); c11 = Vector512.Load(c + 1 * ldc + 16); }
            if (TR.R > 2) { c20 = Vector512.Load(c + 2 * ldc); c21 = Vector512.Load(c + 2 * ldc + 16); }
            if (TR.R > 3) { c30 = Vector512.Load(c + 3 * ldc); c31 = Vector512.Load(c + 3 * ldc + 16); }
            if (TR.R > 4) { c40 = Vector512.Load(c + 4 * ldc); c41 = Vector512.Load(c + 4 * ldc + 16); }
            if (TR.R > 5) { c50 = Vector512.Load(c + 5 * ldc); c51 = Vector512.Load(c + 5 * ldc + 16); }
            if (TR.R > 6) { c60 = Vector512.Load(c + 6 * ldc); c61 = Vector512.Load(c + 6 * ldc + 16); }
            if (TR.R > 7) { c70 = Vector512.Load(c + 7 * ldc); c71 = Vector512.Load(c + 7 * ldc + 16); }
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
            var b0 = Vector512.Load(b); var b1 = Vector512.Load(b + 16);
            { var x = Vector512.Create(*a0); c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01); a0 += csA; }
            if (TR.R > 1) { var x = Vector512.Create(*a1); c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11); a1 += csA; }
            if (TR.R > 2) { var x = Vector512.Create(*a2); c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21); a2 += csA; }
            if (TR.R > 3) { var x = Vector512.Create(*a3); c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31); a3 += csA; }
            if (TR.R > 4) { var x = Vector512.Create(*a4); c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41); a4 += csA; }
            if (TR.R > 5) { var x = Vector512.Create(*a5); c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51); a5 += csA; }
            if (TR.R > 6) { var x = Vector512.Create(*a6); c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61); a6 += csA; }
            if (TR.R > 7) { var x = Vector512.Create(*a7); c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71); a7 += csA; }
            b += ldb;
        }
        { c00.Store(c + 0 * ldc); c01.Store(c + 0 * ldc + 16); }
        if (TR.R > 1) { c10.Store(c + 1 * ldc); c11.Store(c + 1 * ldc + 16); }
        if (TR.R > 2) { c20.Store(c + 2 * ldc); c21.Store(c + 2 * ldc + 16); }
        if (TR.R > 3) { c30.Store(c + 3 * ldc); c31.Store(c + 3 * ldc + 16); }
        if (TR.R > 4) { c40.Store(c + 4 * ldc); c41.Store(c + 4 * ldc + 16); }
        if (TR.R > 5) { c50.Store(c + 5 * ldc); c51.Store(c + 5 * ldc + 16); }
        if (TR.R > 6) { c60.Store(c + 6 * ldc); c61.Store(c + 6 * ldc + 16); }
        if (TR.R > 7) { c70.Store(c + 7 * ldc); c71.Store(c + 7 * ldc + 16); }
    }

    /// <summary>
    /// C[r, j] (+)= dot(A[r, 0..k), B[j, 0..k)) for R rows of A and two rows j0, j0 + 1 of B (B transposed, rows contiguous):
    /// the small-batch input gradient of a dense layer, streaming the weight matrix once.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dot2<TR>(int k, float* a, nint lda, float* b0, float* b1, float* c, nint ldc, bool load) where TR : struct, IRows
    {
        Vector512<float> s00 = default, s01 = default, s10 = default, s11 = default, s20 = default, s21 = default, s30 = default, s31 = default, s40 = default, s41 = default, s50 = default, s51 = default, s60 = default, s61 = default, s70 = default, s71 = default;
        int p = 0;
        for (; p <= k - 16; p += 16)
        {
            var w0 = Vector512.Load(b0 + p); var w1 = Vector512.Load(b1 + p);
            { var x = Vector512.Load(a + 0 * lda + p); s00 = Vector512.FusedMultiplyAdd(x, w0, s00); s01 = Vector512.FusedMultiplyAdd(x, w1, s01); }
            if (TR.R > 1) { var x = Vector512.Load(a + 1 * lda + p); s10 = Vector512.FusedMultiplyAdd(x, w0, s10); s11 = Vector512.FusedMultiplyAdd(x, w1, s11); }
            if (TR.R > 2) { var x = Vector512.Load(a + 2 * lda + p); s20 = Vector512.FusedMultiplyAdd(x, w0, s20); s21 = Vector512.FusedMultiplyAdd(x, w1, s21); }
            if (TR.R > 3) { var x = Vector512.Load(a + 3 * lda + p); s30 = Vector512.FusedMultiplyAdd(x, w0, s30); s31 = Vector512.FusedMultiplyAdd(x, w1, s31); }
            if (TR.R > 4) { var x = Vector512.Load(a + 4 * lda + p); s40 = Vector512.FusedMultiplyAdd(x, w0, s40); s41 = Vector512.FusedMultiplyAdd(x, w1, s41); }
            if (TR.R > 5) { var x = Vector512.Load(a + 5 * lda + p); s50 = Vector512.FusedMultiplyAdd(x, w0, s50); s51 = Vector512.FusedMultiplyAdd(x, w1, s51); }
            if (TR.R > 6) { var x = Vector512.Load(a + 6 * lda + p); s60 = Vector512.FusedMultiplyAdd(x, w0, s60); s61 = Vector512.FusedMultiplyAdd(x, w1, s61); }
            if (TR.R > 7) { var x = Vector512.Load(a + 7 * lda + p); s70 = Vector512.FusedMultiplyAdd(x, w0, s70); s71 = Vector512.FusedMultiplyAdd(x, w1, s71); }
        }
        Finish(a + 0 * lda, b0, b1, p, k, Vector512.Sum(s00), Vector512.Sum(s01), c + 0 * ldc, load);
        if (TR.R > 1) Finish(a + 1 * lda, b0, b1, p, k, Vector512.Sum(s10), Vector512.Sum(s11), c + 1 * ldc, load);
        if (TR.R > 2) Finish(a + 2 * lda, b0, b1, p, k, Vector512.Sum(s20), Vector512.Sum(s21), c + 2 * ldc, load);
        if (TR.R > 3) Finish(a + 3 * lda, b0, b1, p, k, Vector512.Sum(s30), Vector512.Sum(s31), c + 3 * ldc, load);
        if (TR.R > 4) Finish(a + 4 * lda, b0, b1, p, k, Vector512.Sum(s40), Vector512.Sum(s41), c + 4 * ldc, load);
        if (TR.R > 5) Finish(a + 5 * lda, b0, b1, p, k, Vector512.Sum(s50), Vector512.Sum(s51), c + 5 * ldc, load);
        if (TR.R > 6) Finish(a + 6 * lda, b0, b1, p, k, Vector512.Sum(s60), Vector512.Sum(s61), c + 6 * ldc, load);
        if (TR.R > 7) Finish(a + 7 * lda, b0, b1, p, k, Vector512.Sum(s70), Vector512.Sum(s71), c + 7 * ldc, load);
    }

    private static void Finish(float* a, float* b0, float* b1, int p, int k, float d0, float d1, float* c, bool load)
    {
        for (; p < k; p++) { d0 += a[p] * b0[p]; d1 += a[p] * b1[p]; }
        if (load) { c[0] += d0; c[1] += d1; } else { c[0] = d0; c[1] = d1; }
    }
}
