#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// GEMM for few rows (dense layers at small batch), where B (the weights) is far larger than A and C and the
/// cost is reading B: the C strip [R, cols] stays in L1 while B is streamed four rows per pass, each row segment
/// read once and contiguously, with software prefetch of the rows two passes ahead (32-wide panels down a 12 KB
/// stride, or short segments without prefetch, leave DRAM idle between misses).
/// Rows are written out one by one rather than looped so every value stays in a register; the IRows type argument
/// removes the unused ones at JIT time.
/// </summary>
internal static unsafe class GemmStream
{
    private const int PrefetchRows = 8;

    /// <summary>As <see cref="Strip{TR}"/>, four rows of B per pass: half the C traffic per B element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Strip4<TR>(int k, int cols, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load) where TR : struct, IRows
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
            for (; j <= cols - 16; j += 16)
            {
                if (prefetch) { Sse.Prefetch0(f0 + j); Sse.Prefetch0(f0 + ldb + j); Sse.Prefetch0(f0 + 2 * ldb + j); Sse.Prefetch0(f0 + 3 * ldb + j); }
                var v0 = Vector512.Load(b0 + j); var v1 = Vector512.Load(b1 + j); var v2 = Vector512.Load(b2 + j); var v3 = Vector512.Load(b3 + j);
                { float* t = c + 0 * ldc + j; var x = Vector512.FusedMultiplyAdd(Vector512.Create(s00), v0, Vector512.Load(t)); x = Vector512.FusedMultiplyAdd(Vector512.Create(s01), v1, x); x = Vector512.FusedMultiplyAdd(Vector512.Create(s02), v2, x); Vector512.FusedMultiplyAdd(Vector512.Create(s03), v3, x).Store(t); }
                if (TR.R > 1) { float* t = c + 1 * ldc + j; var x = Vector512.FusedMultiplyAdd(Vector512.Create(s10), v0, Vector512.Load(t)); x = Vector512.FusedMultiplyAdd(Vector512.Create(s11), v1, x); x = Vector512.FusedMultiplyAdd(Vector512.Create(s12), v2, x); Vector512.FusedMultiplyAdd(Vector512.Create(s13), v3, x).Store(t); }
                if (TR.R > 2) { float* t = c + 2 * ldc + j; var x = Vector512.FusedMultiplyAdd(Vector512.Create(s20), v0, Vector512.Load(t)); x = Vector512.FusedMultiplyAdd(Vector512.Create(s21), v1, x); x = Vector512.FusedMultiplyAdd(Vector512.Create(s22), v2, x); Vector512.FusedMultiplyAdd(Vector512.Create(s23), v3, x).Store(t); }
                if (TR.R > 3) { float* t = c + 3 * ldc + j; var x = Vector512.FusedMultiplyAdd(Vector512.Create(s30), v0, Vector512.Load(t)); x = Vector512.FusedMultiplyAdd(Vector512.Create(s31), v1, x); x = Vector512.FusedMultiplyAdd(Vector512.Create(s32), v2, x); Vector512.FusedMultiplyAdd(Vector512.Create(s33), v3, x).Store(t); }
                if (TR.R > 4) { float* t = c + 4 * ldc + j; var x = Vector512.FusedMultiplyAdd(Vector512.Create(s40), v0, Vector512.Load(t)); x = Vector512.FusedMultiplyAdd(Vector512.Create(s41), v1, x); x = Vector512.FusedMultiplyAdd(Vector512.Create(s42), v2, x); Vector512.FusedMultiplyAdd(Vector512.Create(s43), v3, x).Store(t); }
                if (TR.R > 5) { float* t = c + 5 * ldc + j; var x = Vector512.FusedMultiplyAdd(Vector512.Create(s50), v0, Vector512.Load(t)); x = Vector512.FusedMultiplyAdd(Vector512.Create(s51), v1, x); x = Vector512.FusedMultiplyAdd(Vector512.Create(s52), v2, x); Vector512.FusedMultiplyAdd(Vector512.Create(s53), v3, x).Store(t); }
                if (TR.R > 6) { float* t = c + 6 * ldc + j; var x = Vector512.FusedMultiplyAdd(Vector512.Create(s60), v0, Vector512.Load(t)); x = Vector512.FusedMultiplyAdd(Vector512.Create(s61), v1, x); x = Vector512.FusedMultiplyAdd(Vector512.Create(s62), v2, x); Vector512.FusedMultiplyAdd(Vector512.Create(s63), v3, x).Store(t); }
                if (TR.R > 7) { float* t = c + 7 * ldc + j; var x = Vector512.FusedMultiplyAdd(Vector512.Create(s70), v0, Vector512.Load(t)); x = Vector512.FusedMultiplyAdd(Vector512.Create(s71), v1, x); x = Vector512.FusedMultiplyAdd(Vector512.Create(s72), v2, x); Vector512.FusedMultiplyAdd(Vector512.Create(s73), v3, x).Store(t); }
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
        if (p < k) Strip<TR>(k - p, cols, a + p * csA, rsA, csA, b + p * ldb, ldb, c, ldc, true);
    }

    /// <summary>C[0..R, 0..cols) = (load ? C : 0) + A[0..R, 0..k) B[0..k, 0..cols); A(r, p) = a[r * rsA + p * csA].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Strip<TR>(int k, int cols, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load) where TR : struct, IRows
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
            var x00 = Vector512.Create(s00); var x01 = Vector512.Create(s01);
            var x10 = Vector512.Create(s10); var x11 = Vector512.Create(s11);
            var x20 = Vector512.Create(s20); var x21 = Vector512.Create(s21);
            var x30 = Vector512.Create(s30); var x31 = Vector512.Create(s31);
            var x40 = Vector512.Create(s40); var x41 = Vector512.Create(s41);
            var x50 = Vector512.Create(s50); var x51 = Vector512.Create(s51);
            var x60 = Vector512.Create(s60); var x61 = Vector512.Create(s61);
            var x70 = Vector512.Create(s70); var x71 = Vector512.Create(s71);
            int j = 0;
            for (; j <= cols - 16; j += 16)
            {
                if (prefetch) { Sse.Prefetch0(f0 + j); Sse.Prefetch0(f1 + j); }
                var v0 = Vector512.Load(b0 + j); var v1 = Vector512.Load(b1 + j);
                { float* t = c + 0 * ldc + j; Vector512.FusedMultiplyAdd(x01, v1, Vector512.FusedMultiplyAdd(x00, v0, Vector512.Load(t))).Store(t); }
                if (TR.R > 1) { float* t = c + 1 * ldc + j; Vector512.FusedMultiplyAdd(x11, v1, Vector512.FusedMultiplyAdd(x10, v0, Vector512.Load(t))).Store(t); }
                if (TR.R > 2) { float* t = c + 2 * ldc + j; Vector512.FusedMultiplyAdd(x21, v1, Vector512.FusedMultiplyAdd(x20, v0, Vector512.Load(t))).Store(t); }
                if (TR.R > 3) { float* t = c + 3 * ldc + j; Vector512.FusedMultiplyAdd(x31, v1, Vector512.FusedMultiplyAdd(x30, v0, Vector512.Load(t))).Store(t); }
                if (TR.R > 4) { float* t = c + 4 * ldc + j; Vector512.FusedMultiplyAdd(x41, v1, Vector512.FusedMultiplyAdd(x40, v0, Vector512.Load(t))).Store(t); }
                if (TR.R > 5) { float* t = c + 5 * ldc + j; Vector512.FusedMultiplyAdd(x51, v1, Vector512.FusedMultiplyAdd(x50, v0, Vector512.Load(t))).Store(t); }
                if (TR.R > 6) { float* t = c + 6 * ldc + j; Vector512.FusedMultiplyAdd(x61, v1, Vector512.FusedMultiplyAdd(x60, v0, Vector512.Load(t))).Store(t); }
                if (TR.R > 7) { float* t = c + 7 * ldc + j; Vector512.FusedMultiplyAdd(x71, v1, Vector512.FusedMultiplyAdd(x70, v0, Vector512.Load(t))).Store(t); }
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
                var x = Vector512.Create(s);
                for (; j <= cols - 16; j += 16) Vector512.FusedMultiplyAdd(x, Vector512.Load(b0 + j), Vector512.Load(t + j)).Store(t + j);
                for (; j < cols; j++) t[j] = MathF.FusedMultiplyAdd(s, b0[j], t[j]);
            }
        }
    }
}
