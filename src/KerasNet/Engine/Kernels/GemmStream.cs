#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// GEMM for few rows (dense layers at small batch), where B (the weights) is far larger than A and C and the
/// cost is reading B: the C strip [R, cols] stays in L1 while B is streamed four rows per pass, each row segment
/// read once and contiguously, with software prefetch of the rows two passes ahead (32-wide panels down a 12 KB
/// stride, or short segments without prefetch, leave DRAM idle between misses). Strip4 requests them into L2: into
/// L1 its misses in flight are fewer, and the lines would evict the C strip (Zen 4, 8 rows of a 3137 x 3137 B at
/// 4 KB segments: 21-26 GB/s against 17 GB/s into L1; bench mode streamgemm).
/// Rows are written out one by one rather than looped so every value stays in a register; the IRows type argument
/// removes the unused ones and the <see cref="ISimd{TV}"/> struct fixes the vector width at JIT time (prefetches are
/// issued once per 64-byte line whatever the width).
/// </summary>
internal static unsafe class GemmStream
{
    private const int PrefetchRows = 8;

    /// <summary>
    /// C[0..R, 0..cols) = (load ? C : 0) + A[0..R, 0..k) B[0..k, 0..cols), A(r, p) = a[r * rsA + p * csA]; four rows of B
    /// per pass, so C is loaded and stored once per four B elements.
    /// </summary>
    /// <remarks>
    /// The pass's 4 R multipliers are read from a stack block by each multiply-add (a broadcast load, or the FMA's
    /// embedded broadcast) rather than kept as scalars in registers: 32 of them do not fit beside the B vectors, and a
    /// register-to-register broadcast per FMA is a shuffle that, where 512-bit work is split over two 256-bit pipes
    /// (Zen 4), shares a pipe with the FMAs. Alone this measured the same there (the pass waits on B's reads, see
    /// GemmJob.StripWidth); it keeps the loop to loads and FMAs at every width.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Strip4<TR, TS, TV>(int k, int cols, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load) where TR : struct, IRows where TS : struct, ISimd<TV> where TV : struct
    {
        if (!load) for (int r = 0; r < TR.R; r++) new Span<float>(c + r * ldc, cols).Clear();
        float* s = stackalloc float[4 * 8];
        int p = 0;
        for (; p + 3 < k; p += 4)
        {
            float* b0 = b + p * ldb; float* b1 = b0 + ldb; float* b2 = b1 + ldb; float* b3 = b2 + ldb;
            bool prefetch = Sse.IsSupported && p + PrefetchRows + 3 < k;
            float* f0 = b0 + PrefetchRows * ldb;
            for (int r = 0; r < TR.R; r++)
            {
                float* ar = a + r * rsA + p * csA;
                s[4 * r] = ar[0]; s[4 * r + 1] = ar[csA]; s[4 * r + 2] = ar[2 * csA]; s[4 * r + 3] = ar[3 * csA];
            }
            int j = 0;
            for (; j <= cols - TS.Lanes; j += TS.Lanes)
            {
                if (prefetch && (TS.Lanes == 16 || (j & 15) == 0)) { Sse.Prefetch1(f0 + j); Sse.Prefetch1(f0 + ldb + j); Sse.Prefetch1(f0 + 2 * ldb + j); Sse.Prefetch1(f0 + 3 * ldb + j); }
                var v0 = TS.Load(b0 + j); var v1 = TS.Load(b1 + j); var v2 = TS.Load(b2 + j); var v3 = TS.Load(b3 + j);
                Row4<TS, TV>(s, c + j, v0, v1, v2, v3);
                if (TR.R > 1) Row4<TS, TV>(s + 4, c + 1 * ldc + j, v0, v1, v2, v3);
                if (TR.R > 2) Row4<TS, TV>(s + 8, c + 2 * ldc + j, v0, v1, v2, v3);
                if (TR.R > 3) Row4<TS, TV>(s + 12, c + 3 * ldc + j, v0, v1, v2, v3);
                if (TR.R > 4) Row4<TS, TV>(s + 16, c + 4 * ldc + j, v0, v1, v2, v3);
                if (TR.R > 5) Row4<TS, TV>(s + 20, c + 5 * ldc + j, v0, v1, v2, v3);
                if (TR.R > 6) Row4<TS, TV>(s + 24, c + 6 * ldc + j, v0, v1, v2, v3);
                if (TR.R > 7) Row4<TS, TV>(s + 28, c + 7 * ldc + j, v0, v1, v2, v3);
            }
            for (; j < cols; j++)
                for (int r = 0; r < TR.R; r++)
                {
                    float* t = c + r * ldc + j; float* sr = s + 4 * r;
                    *t = MathF.FusedMultiplyAdd(sr[3], b3[j], MathF.FusedMultiplyAdd(sr[2], b2[j], MathF.FusedMultiplyAdd(sr[1], b1[j], MathF.FusedMultiplyAdd(sr[0], b0[j], *t))));
                }
        }
        if (p < k) Tail<TS, TV>(TR.R, k - p, cols, a + p * csA, rsA, csA, b + p * ldb, ldb, c, ldc);
    }

    /// <summary>t[0..Lanes) += s[0] v0 + s[1] v1 + s[2] v2 + s[3] v3, in that order (one FMA chain per element).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row4<TS, TV>(float* s, float* t, TV v0, TV v1, TV v2, TV v3) where TS : struct, ISimd<TV> where TV : struct
    {
        var x = TS.Fma(TS.Splat(s[0]), v0, TS.Load(t));
        x = TS.Fma(TS.Splat(s[1]), v1, x);
        x = TS.Fma(TS.Splat(s[2]), v2, x);
        TS.Store(TS.Fma(TS.Splat(s[3]), v3, x), t);
    }

    /// <summary>
    /// C[0..rows, 0..cols) += A[0..rows, 0..k) B[0..k, 0..cols), one B row per pass: Strip4's last k % 4 rows. Each
    /// element takes one FMA per row in order, the chain Strip4 continues, so the tail rounds as a pass of four would.
    /// </summary>
    private static void Tail<TS, TV>(int rows, int k, int cols, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc) where TS : struct, ISimd<TV> where TV : struct
    {
        for (int p = 0; p < k; p++)
        {
            float* b0 = b + p * ldb;
            for (int r = 0; r < rows; r++)
            {
                float s = a[r * rsA + p * csA];
                float* t = c + r * ldc;
                var x = TS.Splat(s);
                int j = 0;
                for (; j <= cols - TS.Lanes; j += TS.Lanes) TS.Store(TS.Fma(x, TS.Load(b0 + j), TS.Load(t + j)), t + j);
                for (; j < cols; j++) t[j] = MathF.FusedMultiplyAdd(s, b0[j], t[j]);
            }
        }
    }
}
