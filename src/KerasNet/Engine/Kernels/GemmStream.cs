#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// GEMM for few rows (dense layers at small batch), where B (the weights) is far larger than A and C and the
/// cost is reading B: the C strip [R, cols] stays in L1 while B is streamed four rows per pass, each row segment
/// read once and contiguously, with software prefetch of the rows two passes ahead (32-wide panels down a 12 KB
/// stride, or short segments without prefetch, leave DRAM idle between misses).
/// Rows are written out one by one rather than looped so every value stays in a register; the IRows type argument
/// removes the unused ones and the <see cref="ISimd{TV}"/> struct fixes the vector width at JIT time (prefetches are
/// issued once per 64-byte line whatever the width).
/// </summary>
internal static unsafe class GemmStream
{
    private const int PrefetchRows = 8;

    /// <summary>As <see cref="Strip{TR, TS, TV}"/>, four rows of B per pass: half the C traffic per B element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Strip4<TR, TS, TV>(int k, int cols, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load) where TR : struct, IRows where TS : struct, ISimd<TV> where TV : struct
    {
        if (!load) for (int r = 0; r < TR.R; r++) new Span<float>(c + r * ldc, cols).Clear();
        int p = 0;
        for (; p + 3 < k; p += 4)
        {
            float* b0 = b + p * ldb; float* b1 = b0 + ldb; float* b2 = b1 + ldb; float* b3 = b2 + ldb;
            bool prefetch = Sse.IsSupported && p + PrefetchRows + 3 < k;
            float* f0 = b0 + PrefetchRows * ldb;
            float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
            if (TR.R > 0) { float* ar = a + 0 * rsA + p * csA; s00 = ar[0]; s01 = ar[csA]; s02 = ar[2 * csA]; s03 = ar[3 * csA]; }
            float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
            if (TR.R > 1) { float* ar = a + 1 * rsA + p * csA; s10 = ar[0]; s11 = ar[csA]; s12 = ar[2 * csA]; s13 = ar[3 * csA]; }
            float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
            if (TR.R > 2) { float* ar = a + 2 * rsA + p * csA; s20 = ar[0]; s21 = ar[csA]; s22 = ar[2 * csA]; s23 = ar[3 * csA]; }
            float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
            if (TR.R > 3) { float* ar = a + 3 * rsA + p * csA; s30 = ar[0]; s31 = ar[csA]; s32 = ar[2 * csA]; s33 = ar[3 * csA]; }
            float s40 = 0f, s41 = 0f, s42 = 0f, s43 = 0f;
            if (TR.R > 4) { float* ar = a + 4 * rsA + p * csA; s40 = ar[0]; s41 = ar[csA]; s42 = ar[2 * csA]; s43 = ar[3 * csA]; }
            float s50 = 0f, s51 = 0f, s52 = 0f, s53 = 0f;
            if (TR.R > 5) { float* ar = a + 5 * rsA + p * csA; s50 = ar[0]; s51 = ar[csA]; s52 = ar[2 * csA]; s53 = ar[3 * csA]; }
            float s60 = 0f, s61 = 0f, s62 = 0f, s63 = 0f;
            if (TR.R > 6) { float* ar = a + 6 * rsA + p * csA; s60 = ar[0]; s61 = ar[csA]; s62 = ar[2 * csA]; s63 = ar[3 * csA]; }
            float s70 = 0f, s71 = 0f, s72 = 0f, s73 = 0f;
            if (TR.R > 7) { float* ar = a + 7 * rsA + p * csA; s70 = ar[0]; s71 = ar[csA]; s72 = ar[2 * csA]; s73 = ar[3 * csA]; }
            int j = 0;
            for (; j <= cols - TS.Lanes; j += TS.Lanes)
            {
                if (prefetch && (TS.Lanes == 16 || (j & 15) == 0)) { Sse.Prefetch0(f0 + j); Sse.Prefetch0(f0 + ldb + j); Sse.Prefetch0(f0 + 2 * ldb + j); Sse.Prefetch0(f0 + 3 * ldb + j); }
                var v0 = TS.Load(b0 + j); var v1 = TS.Load(b1 + j); var v2 = TS.Load(b2 + j); var v3 = TS.Load(b3 + j);
                { float* t = c + 0 * ldc + j; var x = TS.Fma(TS.Splat(s00), v0, TS.Load(t)); x = TS.Fma(TS.Splat(s01), v1, x); x = TS.Fma(TS.Splat(s02), v2, x); TS.Store(TS.Fma(TS.Splat(s03), v3, x), t); }
                if (TR.R > 1) { float* t = c + 1 * ldc + j; var x = TS.Fma(TS.Splat(s10), v0, TS.Load(t)); x = TS.Fma(TS.Splat(s11), v1, x); x = TS.Fma(TS.Splat(s12), v2, x); TS.Store(TS.Fma(TS.Splat(s13), v3, x), t); }
                if (TR.R > 2) { float* t = c + 2 * ldc + j; var x = TS.Fma(TS.Splat(s20), v0, TS.Load(t)); x = TS.Fma(TS.Splat(s21), v1, x); x = TS.Fma(TS.Splat(s22), v2, x); TS.Store(TS.Fma(TS.Splat(s23), v3, x), t); }
                if (TR.R > 3) { float* t = c + 3 * ldc + j; var x = TS.Fma(TS.Splat(s30), v0, TS.Load(t)); x = TS.Fma(TS.Splat(s31), v1, x); x = TS.Fma(TS.Splat(s32), v2, x); TS.Store(TS.Fma(TS.Splat(s33), v3, x), t); }
                if (TR.R > 4) { float* t = c + 4 * ldc + j; var x = TS.Fma(TS.Splat(s40), v0, TS.Load(t)); x = TS.Fma(TS.Splat(s41), v1, x); x = TS.Fma(TS.Splat(s42), v2, x); TS.Store(TS.Fma(TS.Splat(s43), v3, x), t); }
                if (TR.R > 5) { float* t = c + 5 * ldc + j; var x = TS.Fma(TS.Splat(s50), v0, TS.Load(t)); x = TS.Fma(TS.Splat(s51), v1, x); x = TS.Fma(TS.Splat(s52), v2, x); TS.Store(TS.Fma(TS.Splat(s53), v3, x), t); }
                if (TR.R > 6) { float* t = c + 6 * ldc + j; var x = TS.Fma(TS.Splat(s60), v0, TS.Load(t)); x = TS.Fma(TS.Splat(s61), v1, x); x = TS.Fma(TS.Splat(s62), v2, x); TS.Store(TS.Fma(TS.Splat(s63), v3, x), t); }
                if (TR.R > 7) { float* t = c + 7 * ldc + j; var x = TS.Fma(TS.Splat(s70), v0, TS.Load(t)); x = TS.Fma(TS.Splat(s71), v1, x); x = TS.Fma(TS.Splat(s72), v2, x); TS.Store(TS.Fma(TS.Splat(s73), v3, x), t); }
            }
            for (; j < cols; j++)
            {
                { float* t = c + 0 * ldc + j; *t = MathF.FusedMultiplyAdd(s03, b3[j], MathF.FusedMultiplyAdd(s02, b2[j], MathF.FusedMultiplyAdd(s01, b1[j], MathF.FusedMultiplyAdd(s00, b0[j], *t)))); }
                if (TR.R > 1) { float* t = c + 1 * ldc + j; *t = MathF.FusedMultiplyAdd(s13, b3[j], MathF.FusedMultiplyAdd(s12, b2[j], MathF.FusedMultiplyAdd(s11, b1[j], MathF.FusedMultiplyAdd(s10, b0[j], *t)))); }
                if (TR.R > 2) { float* t = c + 2 * ldc + j; *t = MathF.FusedMultiplyAdd(s23, b3[j], MathF.FusedMultiplyAdd(s22, b2[j], MathF.FusedMultiplyAdd(s21, b1[j], MathF.FusedMultiplyAdd(s20, b0[j], *t)))); }
                if (TR.R > 3) { float* t = c + 3 * ldc + j; *t = MathF.FusedMultiplyAdd(s33, b3[j], MathF.FusedMultiplyAdd(s32, b2[j], MathF.FusedMultiplyAdd(s31, b1[j], MathF.FusedMultiplyAdd(s30, b0[j], *t)))); }
                if (TR.R > 4) { float* t = c + 4 * ldc + j; *t = MathF.FusedMultiplyAdd(s43, b3[j], MathF.FusedMultiplyAdd(s42, b2[j], MathF.FusedMultiplyAdd(s41, b1[j], MathF.FusedMultiplyAdd(s40, b0[j], *t)))); }
                if (TR.R > 5) { float* t = c + 5 * ldc + j; *t = MathF.FusedMultiplyAdd(s53, b3[j], MathF.FusedMultiplyAdd(s52, b2[j], MathF.FusedMultiplyAdd(s51, b1[j], MathF.FusedMultiplyAdd(s50, b0[j], *t)))); }
                if (TR.R > 6) { float* t = c + 6 * ldc + j; *t = MathF.FusedMultiplyAdd(s63, b3[j], MathF.FusedMultiplyAdd(s62, b2[j], MathF.FusedMultiplyAdd(s61, b1[j], MathF.FusedMultiplyAdd(s60, b0[j], *t)))); }
                if (TR.R > 7) { float* t = c + 7 * ldc + j; *t = MathF.FusedMultiplyAdd(s73, b3[j], MathF.FusedMultiplyAdd(s72, b2[j], MathF.FusedMultiplyAdd(s71, b1[j], MathF.FusedMultiplyAdd(s70, b0[j], *t)))); }
            }
        }
        if (p < k) Strip<TR, TS, TV>(k - p, cols, a + p * csA, rsA, csA, b + p * ldb, ldb, c, ldc, true);
    }

    /// <summary>C[0..R, 0..cols) = (load ? C : 0) + A[0..R, 0..k) B[0..k, 0..cols); A(r, p) = a[r * rsA + p * csA].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Strip<TR, TS, TV>(int k, int cols, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load) where TR : struct, IRows where TS : struct, ISimd<TV> where TV : struct
    {
        if (!load) for (int r = 0; r < TR.R; r++) new Span<float>(c + r * ldc, cols).Clear();
        int p = 0;
        bool prefetch = Sse.IsSupported && p + PrefetchRows + 1 < k;
        for (; p + 1 < k; p += 2)
        {
            float* b0 = b + p * ldb; float* b1 = b0 + ldb;
            // Each pass reads only a strip of two rows; prefetching the rows two passes ahead keeps several
            // DRAM streams in flight (hardware prefetchers stop at the end of each short row segment).
            float* f0 = b0 + PrefetchRows * ldb; float* f1 = f0 + ldb;
            float s00 = TR.R > 0 ? a[0 * rsA + p * csA] : 0f, s01 = TR.R > 0 ? a[0 * rsA + (p + 1) * csA] : 0f;
            float s10 = TR.R > 1 ? a[1 * rsA + p * csA] : 0f, s11 = TR.R > 1 ? a[1 * rsA + (p + 1) * csA] : 0f;
            float s20 = TR.R > 2 ? a[2 * rsA + p * csA] : 0f, s21 = TR.R > 2 ? a[2 * rsA + (p + 1) * csA] : 0f;
            float s30 = TR.R > 3 ? a[3 * rsA + p * csA] : 0f, s31 = TR.R > 3 ? a[3 * rsA + (p + 1) * csA] : 0f;
            float s40 = TR.R > 4 ? a[4 * rsA + p * csA] : 0f, s41 = TR.R > 4 ? a[4 * rsA + (p + 1) * csA] : 0f;
            float s50 = TR.R > 5 ? a[5 * rsA + p * csA] : 0f, s51 = TR.R > 5 ? a[5 * rsA + (p + 1) * csA] : 0f;
            float s60 = TR.R > 6 ? a[6 * rsA + p * csA] : 0f, s61 = TR.R > 6 ? a[6 * rsA + (p + 1) * csA] : 0f;
            float s70 = TR.R > 7 ? a[7 * rsA + p * csA] : 0f, s71 = TR.R > 7 ? a[7 * rsA + (p + 1) * csA] : 0f;
            var x00 = TS.Splat(s00); var x01 = TS.Splat(s01);
            var x10 = TS.Splat(s10); var x11 = TS.Splat(s11);
            var x20 = TS.Splat(s20); var x21 = TS.Splat(s21);
            var x30 = TS.Splat(s30); var x31 = TS.Splat(s31);
            var x40 = TS.Splat(s40); var x41 = TS.Splat(s41);
            var x50 = TS.Splat(s50); var x51 = TS.Splat(s51);
            var x60 = TS.Splat(s60); var x61 = TS.Splat(s61);
            var x70 = TS.Splat(s70); var x71 = TS.Splat(s71);
            int j = 0;
            for (; j <= cols - TS.Lanes; j += TS.Lanes)
            {
                if (prefetch && (TS.Lanes == 16 || (j & 15) == 0)) { Sse.Prefetch0(f0 + j); Sse.Prefetch0(f1 + j); }
                var v0 = TS.Load(b0 + j); var v1 = TS.Load(b1 + j);
                { float* t = c + 0 * ldc + j; TS.Store(TS.Fma(x01, v1, TS.Fma(x00, v0, TS.Load(t))), t); }
                if (TR.R > 1) { float* t = c + 1 * ldc + j; TS.Store(TS.Fma(x11, v1, TS.Fma(x10, v0, TS.Load(t))), t); }
                if (TR.R > 2) { float* t = c + 2 * ldc + j; TS.Store(TS.Fma(x21, v1, TS.Fma(x20, v0, TS.Load(t))), t); }
                if (TR.R > 3) { float* t = c + 3 * ldc + j; TS.Store(TS.Fma(x31, v1, TS.Fma(x30, v0, TS.Load(t))), t); }
                if (TR.R > 4) { float* t = c + 4 * ldc + j; TS.Store(TS.Fma(x41, v1, TS.Fma(x40, v0, TS.Load(t))), t); }
                if (TR.R > 5) { float* t = c + 5 * ldc + j; TS.Store(TS.Fma(x51, v1, TS.Fma(x50, v0, TS.Load(t))), t); }
                if (TR.R > 6) { float* t = c + 6 * ldc + j; TS.Store(TS.Fma(x61, v1, TS.Fma(x60, v0, TS.Load(t))), t); }
                if (TR.R > 7) { float* t = c + 7 * ldc + j; TS.Store(TS.Fma(x71, v1, TS.Fma(x70, v0, TS.Load(t))), t); }
            }
            for (; j < cols; j++)
            {
                { float* t = c + 0 * ldc + j; *t = MathF.FusedMultiplyAdd(s01, b1[j], MathF.FusedMultiplyAdd(s00, b0[j], *t)); }
                if (TR.R > 1) { float* t = c + 1 * ldc + j; *t = MathF.FusedMultiplyAdd(s11, b1[j], MathF.FusedMultiplyAdd(s10, b0[j], *t)); }
                if (TR.R > 2) { float* t = c + 2 * ldc + j; *t = MathF.FusedMultiplyAdd(s21, b1[j], MathF.FusedMultiplyAdd(s20, b0[j], *t)); }
                if (TR.R > 3) { float* t = c + 3 * ldc + j; *t = MathF.FusedMultiplyAdd(s31, b1[j], MathF.FusedMultiplyAdd(s30, b0[j], *t)); }
                if (TR.R > 4) { float* t = c + 4 * ldc + j; *t = MathF.FusedMultiplyAdd(s41, b1[j], MathF.FusedMultiplyAdd(s40, b0[j], *t)); }
                if (TR.R > 5) { float* t = c + 5 * ldc + j; *t = MathF.FusedMultiplyAdd(s51, b1[j], MathF.FusedMultiplyAdd(s50, b0[j], *t)); }
                if (TR.R > 6) { float* t = c + 6 * ldc + j; *t = MathF.FusedMultiplyAdd(s61, b1[j], MathF.FusedMultiplyAdd(s60, b0[j], *t)); }
                if (TR.R > 7) { float* t = c + 7 * ldc + j; *t = MathF.FusedMultiplyAdd(s71, b1[j], MathF.FusedMultiplyAdd(s70, b0[j], *t)); }
            }
        }
        if (p < k)
        {
            float* b0 = b + p * ldb;
            for (int r = 0; r < TR.R; r++)
            {
                float s = a[r * rsA + p * csA];
                float* t = c + r * ldc;
                int j = 0;
                var x = TS.Splat(s);
                for (; j <= cols - TS.Lanes; j += TS.Lanes) TS.Store(TS.Fma(x, TS.Load(b0 + j), TS.Load(t + j)), t + j);
                for (; j < cols; j++) t[j] = MathF.FusedMultiplyAdd(s, b0[j], t[j]);
            }
        }
    }
}
