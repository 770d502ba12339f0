#nullable enable
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Row-major single-precision C = op(A) op(B) (+ C) on AVX-512: the <see cref="GemmTile"/> micro-kernel over
/// 8 x 32 tiles, B in 32-column panels (packed only when its layout demands it), the inner dimension blocked
/// so a B panel stays in L1, and the work split over the cores by rows, by columns or (for gradients with a
/// huge inner dimension) by inner-dimension ranges summed in a fixed order. Few rows (dense layers at small
/// batch) take streaming paths that read B exactly once.
/// </summary>
internal static unsafe class Gemm
{
    internal const int MR = 8, NR = 32;
    private const int SmallM = 16;

    /// <summary>Whether the AVX-512 kernels run (otherwise <see cref="GemmPortable"/>).</summary>
    public static bool Accelerated { get; set; } = Vector512.IsHardwareAccelerated;

    [ThreadStatic] private static GemmJob? t_job;

    /// <summary>
    /// C = op(A) op(B) (+ C), then optionally C[i, j] = act(C[i, j] + bias[j]) with act ReLU or identity.
    /// Throws <see cref="ArgumentException"/> when a dimension is negative or a buffer is shorter than its matrix.
    /// </summary>
    public static void Run(bool transA, bool transB, int m, int n, int k,
        float[] a, int lda, float[] b, int ldb, float[] c, int ldc, bool accumulate, float[]? bias = null, bool relu = false)
    {
        BufferCheck.Gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, bias, nameof(Gemm));
        if (m == 0 || n == 0) return;
        if (k == 0 || !Accelerated)
        {
            if (k == 0) { if (!accumulate) for (int i = 0; i < m; i++) c.AsSpan(i * ldc, n).Clear(); }
            else GemmPortable.Run(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
            fixed (float* pc = c, pbias = bias) RowOps.BiasActivation(pc, ldc, m, n, pbias, relu);
            return;
        }

        fixed (float* pa = a, pb = b, pc = c, pbias = bias) RunAccelerated(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, pbias, relu);
    }

    /// <summary>
    /// The pointer form, for kernels that address sub-matrices of larger buffers (one time step of a sequence, one
    /// gate's columns): C = op(A) op(B) (+ C), then C[i, j] += bias[j] when <paramref name="bias"/> is not null. The
    /// caller has checked every operand against its buffer and keeps the buffers pinned (fixed) during the call.
    /// </summary>
    internal static void Run(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* bias = null)
    {
        if (m == 0 || n == 0) return;
        if (k == 0 || !Accelerated)
        {
            GemmPortable.Run(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
            RowOps.BiasActivation(c, ldc, m, n, bias, false);
            return;
        }
        RunAccelerated(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, false);
    }

    private static void RunAccelerated(bool transA, bool transB, int m, int n, int k,
        float* pa, int lda, float* pb, int ldb, float* pc, int ldc, bool accumulate, float* pbias, bool relu)
    {
        bool smallNT = m <= SmallM && transB && !transA, smallNN = m <= SmallM && !transB;
        // Plain B is read in place; only a ragged last panel (or a transposed B) is copied into panels.
        int packFrom = smallNT || smallNN ? n : transB ? 0 : n / NR * NR;
        float[]? packed = null;
        if (packFrom < n)
        {
            packed = Workspace.Get(Workspace.GemmPackB, BufferCheck.Scratch(PackedLength(n - packFrom, k), "packed B panels", nameof(Gemm)));
            fixed (float* pp = packed) PackB(transB, packFrom, n, k, pb, ldb, pp);
        }
        // Rented, not shared: nothing the GEMM calls re-enters it today, but a job in use must never be refilled.
        var job = Workspace.Rent(ref t_job);
        fixed (float* pp = packed)
        {
            job.M = m; job.N = n; job.K = k; job.Accumulate = accumulate;
            job.RsA = transA ? 1 : lda; job.CsA = transA ? lda : 1; job.Ldc = ldc;
            job.A = pa; job.C = pc; job.B = pb; job.Ldb = ldb; job.Packed = pp; job.PackedFrom = packFrom;
            job.Bias = pbias; job.Relu = relu;
            try
            {
                if (smallNT) job.RunSmallNT();
                else if (smallNN) job.RunSmallNN();
                else job.RunBlocked();
            }
            finally
            {
                job.A = job.B = job.C = job.Packed = job.Bias = null;
                Workspace.Return(ref t_job, job);
            }
        }
    }

    // 64-bit: a transposed B of n x k fits an array, but its panels padded to 32 columns may not.
    private static long PackedLength(int n, int k) => (n + NR - 1L) / NR * NR * k;

    /// <summary>Columns [from, n) of op(B) as 32-column panels of k rows each, zero past column n.</summary>
    private static void PackB(bool transB, int from, int n, int k, float* b, nint ldb, float* dst)
    {
        for (int j0 = from; j0 < n; j0 += NR)
        {
            int w = Math.Min(NR, n - j0);
            for (int p = 0; p < k; p++, dst += NR)
            {
                if (transB) for (int j = 0; j < w; j++) dst[j] = b[(j0 + j) * ldb + p];
                else new ReadOnlySpan<float>(b + p * ldb + j0, w).CopyTo(new Span<float>(dst, w));
                if (w < NR) new Span<float>(dst + w, NR - w).Clear();
            }
        }
    }

    /// <summary>One tile of up to MR x NR at C[i0.., j0..]; edge tiles go through a 8 x 32 stack buffer.</summary>
    internal static void Tile(int rows, int cols, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load)
    {
        if (cols == NR) { Dispatch(rows, kc, a, rsA, csA, b, ldb, c, ldc, load); return; }
        float* t = stackalloc float[MR * NR];
        if (load)
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < cols; j++) t[r * NR + j] = c[r * ldc + j];
        Dispatch(rows, kc, a, rsA, csA, b, ldb, t, NR, load);
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) c[r * ldc + j] = t[r * NR + j];
    }

    private static void Dispatch(int rows, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load) =>
        RowsDispatch.Run(rows, new FullCall(kc, a, rsA, csA, b, ldb, c, ldc, load));

    internal static void Strip(int rows, int k, int cols, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load) =>
        RowsDispatch.Run(rows, new StripCall(k, cols, a, rsA, csA, b, ldb, c, ldc, load));

    internal static void Dot2(int rows, int k, float* a, nint lda, float* b0, float* b1, float* c, nint ldc, bool load) =>
        RowsDispatch.Run(rows, new Dot2Call(k, a, lda, b0, b1, c, ldc, load));

    private readonly struct FullCall(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load) : IRowsCall
    {
        public void Run<TR>() where TR : struct, IRows => GemmTile.Full<TR>(kc, a, rsA, csA, b, ldb, c, ldc, load);
    }

    private readonly struct StripCall(int k, int cols, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load) : IRowsCall
    {
        public void Run<TR>() where TR : struct, IRows => GemmStream.Strip4<TR>(k, cols, a, rsA, csA, b, ldb, c, ldc, load);
    }

    private readonly struct Dot2Call(int k, float* a, nint lda, float* b0, float* b1, float* c, nint ldc, bool load) : IRowsCall
    {
        public void Run<TR>() where TR : struct, IRows => GemmTile.Dot2<TR>(k, a, lda, b0, b1, c, ldc, load);
    }
}
