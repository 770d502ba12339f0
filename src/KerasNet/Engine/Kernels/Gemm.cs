#nullable enable
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Row-major single-precision C = op(A) op(B) (+ C), one design for every vector width (<see cref="ISimd{TV}"/>): the
/// <see cref="GemmTile"/> micro-kernel over MR x NR tiles (8 x 32 on AVX-512, 6 x 16 on AVX2, 6 x 8 on SSE, 8 x 8 on
/// AdvSimd), B in NR-column panels (packed only when its layout demands it), the inner dimension blocked so a B panel
/// stays in cache, and the work split over the cores by rows, by columns or (for gradients with a huge inner
/// dimension) by inner-dimension ranges summed in a fixed order. Few rows (dense layers at small batch) take
/// streaming paths that read B exactly once. Nothing is allocated per call on any width.
/// </summary>
internal static unsafe class Gemm
{
    /// <summary>The AVX-512 tile shape (<see cref="V512"/>), which the AVX-512-only fused dense pass also blocks by.</summary>
    internal const int MR = 8, NR = 32;
    /// <summary>
    /// Rows up to which a product takes the streaming paths (B read once, C strips in L1) instead of the tiles. The two
    /// sum every element over p in the same order, so with FMA hardware the choice changes speed only (without it the
    /// streaming path's ragged columns round once where the tiles round twice); settable for the bench and tests.
    /// </summary>
    internal static int SmallM { get; set; } = 16;

    /// <summary>
    /// The width the GEMM runs at: <see cref="Simd.Detected"/>, chosen once at start. Tests narrow it (never widen it
    /// past the hardware) to check every path in one process; it is read once per call, outside every loop.
    /// </summary>
    internal static VectorWidth Width { get; set; } = Simd.Detected;

    /// <summary>The tile shape (rows x columns) of <see cref="Width"/>.</summary>
    internal static (int MR, int NR) TileShape => Width switch
    {
        VectorWidth.W512 => (V512.MR, 2 * V512.Lanes),
        VectorWidth.W256 => (V256.MR, 2 * V256.Lanes),
        _ => (V128.MR, 2 * V128.Lanes),
    };

    /// <summary>Whether the AVX-512 kernels run (the fused dense backward pass exists only for them).</summary>
    public static bool Accelerated => Width == VectorWidth.W512;

    [ThreadStatic] private static GemmJob? t_job;

    /// <summary>
    /// C = op(A) op(B) (+ C), then optionally C[i, j] = act(C[i, j] + bias[j]) with act ReLU or identity.
    /// Throws <see cref="ArgumentException"/> when a dimension is negative or a buffer is shorter than its matrix.
    /// </summary>
    public static void Run(bool transA, bool transB, int m, int n, int k,
        float[] a, int lda, float[] b, int ldb, float[] c, int ldc, bool accumulate, float[]? bias = null, bool relu = false)
    {
        BufferCheck.Gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, bias, nameof(Gemm));
        fixed (float* pa = a, pb = b, pc = c, pbias = bias) Run(transA, transB, m, n, k, pa, lda, pb, ldb, pc, ldc, accumulate, pbias, relu);
    }

    /// <summary>
    /// C = A Bᵀ (B given as its n x k transpose, row j = column j of the product's B), then the bias and ReLU epilogue,
    /// as dot products of A's rows with B's rows at any row count: for outputs too narrow for the tile (a dense layer of
    /// a few units at a large batch, whose tile would compute a whole panel of mostly padding). The sums run in another
    /// order than <see cref="Run(bool, bool, int, int, int, float[], int, float[], int, float[], int, bool, float[], bool)"/>'s, so
    /// inference uses it, never a training pass (whose seeded results stay bit for bit).
    /// </summary>
    internal static void RunDot(int m, int n, int k, float[] a, int lda, float[] bT, int ldbT, float[] c, int ldc, float[]? bias, bool relu)
    {
        BufferCheck.Gemm(false, true, m, n, k, a, lda, bT, ldbT, c, ldc, bias, nameof(RunDot));
        if (m == 0 || n == 0 || k == 0) { Run(false, true, m, n, k, a, lda, bT, ldbT, c, ldc, false, bias, relu); return; }
        fixed (float* pa = a, pb = bT, pc = c, pbias = bias)
            RunAtWidth(false, true, m, n, k, pa, lda, pb, ldbT, pc, ldc, false, pbias, relu, dot: true);
    }

    /// <summary>
    /// Plain B (k x n, row stride <paramref name="ldb"/>) as the tiles' column panels at the current width: the layout
    /// <see cref="RunPacked"/> takes (NR-column panels of k rows each, zero past column n). Written into
    /// <paramref name="reuse"/> when that has exactly the panels' length, else into a new array.
    /// </summary>
    internal static float[] PackPanels(int k, int n, float[] b, int ldb, float[]? reuse = null)
    {
        BufferCheck.Length(b, (k - 1L) * ldb + n, nameof(b), nameof(PackPanels));
        int nr = TileShape.NR;
        int length = checked((int)PackedLength(n, k, nr));
        var packed = reuse?.Length == length ? reuse : GC.AllocateUninitializedArray<float>(length, pinned: true);
        fixed (float* pb = b, pp = packed) PackB(false, 0, n, k, pb, ldb, pp, nr);
        return packed;
    }

    /// <summary>
    /// C = A B with B given as <see cref="PackPanels"/> made it at the current width, then the bias and ReLU epilogue:
    /// the tiles' sums, bit for bit those of <see cref="Run(bool, bool, int, int, int, float[], int, float[], int, float[], int, bool, float[], bool)"/> on
    /// B in place (at <see cref="SmallM"/> rows or fewer, with FMA hardware, where the tiles do not split the inner dimension).
    /// </summary>
    internal static void RunPacked(int m, int n, int k, float[] a, int lda, float[] packedB, float[] c, int ldc, float[]? bias, bool relu)
    {
        BufferCheck.Gemm(false, false, m, n, k, a, lda, packedB, n, c, ldc, bias, nameof(RunPacked));
        if (m == 0 || n == 0 || k == 0) { Run(false, false, m, n, k, a, lda, packedB, n, c, ldc, false, bias, relu); return; }
        fixed (float* pa = a, pp = packedB, pc = c, pbias = bias)
            RunAtWidth(false, false, m, n, k, pa, lda, pp, n, pc, ldc, false, pbias, relu, prepacked: true);
    }

    /// <summary>
    /// The pointer form, for kernels that address sub-matrices of larger buffers (one time step of a sequence, one
    /// gate's columns): C = op(A) op(B) (+ C), then C[i, j] += bias[j] when <paramref name="bias"/> is not null. The
    /// caller has checked every operand against its buffer and keeps the buffers pinned (fixed) during the call.
    /// </summary>
    internal static void Run(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* bias = null) =>
        Run(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, false);

    private static void Run(bool transA, bool transB, int m, int n, int k,
        float* a, int lda, float* b, int ldb, float* c, int ldc, bool accumulate, float* bias, bool relu)
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) new Span<float>(c + (nint)i * ldc, n).Clear();
            RowOps.BiasActivation(c, ldc, m, n, bias, relu);
            return;
        }
        RunAtWidth(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, relu);
    }

    /// <summary>The product at <see cref="Width"/>, read once here, outside every loop.</summary>
    private static void RunAtWidth(bool transA, bool transB, int m, int n, int k, float* a, int lda, float* b, int ldb, float* c, int ldc,
        bool accumulate, float* bias, bool relu, bool dot = false, bool prepacked = false)
    {
        switch (Width)
        {
            case VectorWidth.W512: Run<V512, Vector512<float>>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, relu, dot, prepacked); break;
            case VectorWidth.W256: Run<V256, Vector256<float>>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, relu, dot, prepacked); break;
            default: Run<V128, Vector128<float>>(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate, bias, relu, dot, prepacked); break;
        }
    }

    private static void Run<TS, TV>(bool transA, bool transB, int m, int n, int k,
        float* pa, int lda, float* pb, int ldb, float* pc, int ldc, bool accumulate, float* pbias, bool relu, bool dot = false, bool prepacked = false)
        where TS : struct, ISimd<TV> where TV : struct
    {
        int nr = 2 * TS.Lanes;
        // dot: RunDot's dot products at any row count (B transposed, A plain). prepacked: pb holds every column as
        // panels already (RunPacked), which only the tiles read.
        bool smallNT = !prepacked && (dot || (m <= SmallM && transB && !transA)), smallNN = !prepacked && !dot && m <= SmallM && !transB;
        // Plain B is read in place when its rows are short; a wide one (a dense kernel: a panel's rows lie a row of B
        // apart, a DRAM page miss each) is packed block by block by each thread as it goes (GemmJob.PackBlocks).
        // Otherwise only a ragged last panel (or a transposed B) is copied into panels.
        bool blocks = !prepacked && !smallNT && !smallNN && !transB && ldb >= GemmJob.WideLdb;
        int packFrom = prepacked ? 0 : smallNT || smallNN || blocks ? n : transB ? 0 : n / nr * nr;
        float[]? packed = null;
        if (packFrom < n && !prepacked)
        {
            packed = Workspace.Get(Workspace.GemmPackB, BufferCheck.Scratch(PackedLength(n - packFrom, k, nr), "packed B panels", nameof(Gemm)));
            fixed (float* pp = packed) PackB(transB, packFrom, n, k, pb, ldb, pp, nr);
        }
        // Rented, not shared: nothing the GEMM calls re-enters it today, but a job in use must never be refilled.
        var job = Workspace.Rent(ref t_job);
        fixed (float* own = packed)
        {
            float* pp = prepacked ? pb : own;
            job.Width = Width; job.MR = TS.MR; job.NR = nr;
            job.M = m; job.N = n; job.K = k; job.Accumulate = accumulate;
            job.RsA = transA ? 1 : lda; job.CsA = transA ? lda : 1; job.Ldc = ldc;
            job.A = pa; job.C = pc; job.B = pb; job.Ldb = ldb; job.Packed = pp; job.PackedFrom = packFrom;
            job.Bias = pbias; job.Relu = relu; job.PackBlocks = blocks;
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

    // 64-bit: a transposed B of n x k fits an array, but its panels padded to NR columns may not.
    private static long PackedLength(int n, int k, int nr) => (n + nr - 1L) / nr * nr * k;

    /// <summary>Columns [from, n) of op(B) as nr-column panels of k rows each, zero past column n.</summary>
    private static void PackB(bool transB, int from, int n, int k, float* b, nint ldb, float* dst, int nr)
    {
        for (int j0 = from; j0 < n; j0 += nr)
        {
            int w = Math.Min(nr, n - j0);
            for (int p = 0; p < k; p++, dst += nr)
            {
                if (transB) for (int j = 0; j < w; j++) dst[j] = b[(j0 + j) * ldb + p];
                else new ReadOnlySpan<float>(b + p * ldb + j0, w).CopyTo(new Span<float>(dst, w));
                if (w < nr) new Span<float>(dst + w, nr - w).Clear();
            }
        }
    }

    /// <summary>One tile of up to MR x NR at C[i0.., j0..]; edge tiles go through a stack buffer of one full tile.</summary>
    /// <remarks><paramref name="prefetch"/>: kc lines from there are requested during a full tile (see GemmTile.Full).</remarks>
    internal static void Tile<TS, TV>(int rows, int cols, int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load, float* prefetch = null)
        where TS : struct, ISimd<TV> where TV : struct
    {
        int nr = 2 * TS.Lanes;
        if (cols == nr && prefetch != null) { RowsDispatch.Run(rows, new FullCall<TS, TV, PrefetchNext>(kc, a, rsA, csA, b, ldb, c, ldc, load, prefetch)); return; }
        if (cols == nr) { RowsDispatch.Run(rows, new FullCall<TS, TV, NoPrefetch>(kc, a, rsA, csA, b, ldb, c, ldc, load, null)); return; }
        float* t = stackalloc float[MR * NR]; // the largest tile of any width
        if (load)
            for (int r = 0; r < rows; r++)
                for (int j = 0; j < cols; j++) t[r * nr + j] = c[r * ldc + j];
        RowsDispatch.Run(rows, new FullCall<TS, TV, NoPrefetch>(kc, a, rsA, csA, b, ldb, t, nr, load, null));
        for (int r = 0; r < rows; r++)
            for (int j = 0; j < cols; j++) c[r * ldc + j] = t[r * nr + j];
    }

    internal static void Strip<TS, TV>(int rows, int k, int cols, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load)
        where TS : struct, ISimd<TV> where TV : struct =>
        RowsDispatch.Run(rows, new StripCall<TS, TV>(k, cols, a, rsA, csA, b, ldb, c, ldc, load));

    internal static void Dot2<TS, TV>(int rows, int k, float* a, nint lda, float* b0, float* b1, float* c, nint ldc, bool load)
        where TS : struct, ISimd<TV> where TV : struct =>
        RowsDispatch.Run(rows, new Dot2Call<TS, TV>(k, a, lda, b0, b1, c, ldc, load));

    private readonly struct FullCall<TS, TV, TP>(int kc, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load, float* prefetch) : IRowsCall
        where TS : struct, ISimd<TV> where TV : struct where TP : struct, IPrefetch
    {
        public void Run<TR>() where TR : struct, IRows => GemmTile.Full<TR, TS, TV, TP>(kc, a, rsA, csA, b, ldb, c, ldc, load, prefetch);
    }

    private readonly struct StripCall<TS, TV>(int k, int cols, float* a, nint rsA, nint csA, float* b, nint ldb, float* c, nint ldc, bool load) : IRowsCall
        where TS : struct, ISimd<TV> where TV : struct
    {
        public void Run<TR>() where TR : struct, IRows => GemmStream.Strip4<TR, TS, TV>(k, cols, a, rsA, csA, b, ldb, c, ldc, load);
    }

    private readonly struct Dot2Call<TS, TV>(int k, float* a, nint lda, float* b0, float* b1, float* c, nint ldc, bool load) : IRowsCall
        where TS : struct, ISimd<TV> where TV : struct
    {
        public void Run<TR>() where TR : struct, IRows => GemmTile.Dot2<TR, TS, TV>(k, a, lda, b0, b1, c, ldc, load);
    }
}
