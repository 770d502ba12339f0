#nullable enable
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// One GEMM call's operands and its split over threads. Reused per calling thread (see <see cref="Gemm"/>),
/// so a multiplication allocates nothing. The tile shape comes with the width (<see cref="ISimd{TV}"/>); each part
/// runs the kernels of that width.
/// </summary>
internal sealed unsafe class GemmJob : ParallelJob
{
    // SplitKMin: below ~2048 inner steps the partial buffers cost more than the parallelism gains.
    // Unit: the column granule of the few-row split, a multiple of every width's vector.
    // StreamBlockFloats: the B block that the few-row stream's row groups share is 512 KB, an L2's share (its row
    // count is rounded down to a multiple of 4: Strip4's step).
    private const int SplitKMin = 2048, Unit = 16, StreamBlockFloats = 128 * 1024;

    /// <summary>
    /// Columns of C per strip of the few-row stream (a multiple of every vector): an 8 x 1024 C strip is 32 KB, an L1
    /// (Strip4 requests B into L2, so the strip keeps L1 to itself). B is read in row segments of this length: on
    /// a Zen 4 host, two threads read segments of 2 KB at 16-17 GB/s, of 4 KB at 21-26 GB/s, against 30 GB/s
    /// contiguously (bench mode streamgemm; C probe); 1600 columns (C past L1) ran slower again. On a host with a 48 KB
    /// L1d (Zen 5 class) 256-2048 measured the same.
    /// </summary>
    /// <remarks>Settable so that the bench can compare widths; each element's sum is the same chain at any width.</remarks>
    internal static int StripWidth { get; set; } = 1024;

    /// <summary>
    /// Row length of a plain B from which <see cref="Gemm"/> packs it block by block (<see cref="PackBlocks"/>): at 64
    /// floats (256 bytes) a panel's rows still share 4 KB pages and the hardware prefetcher follows them; the packing
    /// read is contiguous along rows whatever the width.
    /// </summary>
    /// <remarks>Settable so that tests and the bench can run the same product both ways (the results are equal).</remarks>
    internal static int WideLdb { get; set; } = 128;

    // Floats of one thread's packed block of B (KC rows x a few panels): 512 KB, a quarter of a core's L2 here, so the
    // block stays cached while every row block of A passes over it.
    private const int BlockFloats = 128 * 1024;

    // Rows of B ahead that the packing prefetches: 8 rows of a 384-float block are 12 KB in flight, enough to cover a
    // DRAM latency at this copy's speed (GemmStream's PrefetchRows, for the same reason).
    private const int PackAhead = 8;

    private enum Mode { Rows, Panels, SplitK, SmallNN, SmallNT }

    public VectorWidth Width;
    /// <summary>The tile shape of <see cref="Width"/>.</summary>
    public int MR, NR;
    public int M, N, K, Ldc, PackedFrom;
    public nint RsA, CsA, Ldb;
    public bool Accumulate;
    public float* A, B, C, Packed;
    /// <summary>Optional epilogue on each finished tile: add Bias[j] (when not null), then ReLU.</summary>
    public float* Bias;
    public bool Relu;
    /// <summary>
    /// B is plain and wide (row stride of at least <see cref="WideLdb"/>): each thread copies KC x (a few panels) blocks
    /// of it into cached panels, reading B's rows contiguously, before its tiles use them. The tiles' arithmetic is the
    /// same as on B in place.
    /// </summary>
    public bool PackBlocks;
    private Mode _mode;
    private float* _partials;

    private int RowBlocks => (M + MR - 1) / MR;
    private int Panels => (N + NR - 1) / NR;

    /// <summary>Many rows: tiles split by row blocks, by column panels, or by inner-dimension ranges.</summary>
    public void RunBlocked()
    {
        int tiles = RowBlocks * Panels, parts = TileParts(tiles, MR, NR, K);
        if (SplitsK(tiles, parts, K))
        {
            // Weight gradients (few outputs, a sum over every pixel of the batch): each thread sums its own range
            // of the inner dimension into a private buffer; the buffers are added in part order (reproducible).
            // 64-bit: with many threads, parts * M * N can pass 2^31 and would wrap to a too-small buffer.
            var partials = Workspace.Get(Workspace.GemmPartials, BufferCheck.Scratch((long)parts * M * N, "split-K partial sums", nameof(Gemm)));
            fixed (float* pp = partials)
            {
                _partials = pp;
                _mode = Mode.SplitK;
                Threads.Run(this, K, parts);
                ReduceParts(parts);
                RowOps.BiasActivation(C, Ldc, M, N, Bias, Relu);
                _partials = null;
            }
        }
        // Each part reads all of the operand the split does not cut: a packed B (by blocks, or whole) wider than A is
        // split by panels, so that it is read (and packed) once, not once per part.
        else if (RowBlocks >= parts && !((PackBlocks || PackedFrom == 0) && N > M && Panels >= parts)) { _mode = Mode.Rows; Threads.Run(this, RowBlocks, parts); }
        else { _mode = Mode.Panels; Threads.Run(this, Panels, parts); }
    }

    // The parts the tiles of a product are split into: one cost for the split and for TilesSplitK's prediction of it.
    private static int TileParts(int tiles, int mr, int nr, int k) => Threads.PartsFor(tiles, (long)mr * nr * k);

    /// <summary>Whether no product of inner dimension <paramref name="k"/> is ever split over it, at any row count.</summary>
    internal static bool NeverSplitsK(int k) => k < SplitKMin;

    // Too few tiles for the threads and a long inner dimension: the inner dimension is split instead (partial sums).
    private static bool SplitsK(int tiles, int parts, int k) => parts > 1 && k >= SplitKMin && tiles < 16 * Threads.Count;

    /// <summary>
    /// Whether the tiles split the inner dimension of an m x n x k product at the current width and thread count, which
    /// sums each element in another order than one chain over k (as the few-row stream does).
    /// </summary>
    internal static bool TilesSplitK(int m, int n, int k)
    {
        var (mr, nr) = Gemm.TileShape;
        int tiles = (m + mr - 1) / mr * ((n + nr - 1) / nr);
        return SplitsK(tiles, TileParts(tiles, mr, nr, k), k);
    }

    /// <summary>Few rows, plain B: B is streamed once, row by row, split by 16-column units (Unit).</summary>
    /// <remarks>
    /// One column range per thread, not the pool's usual four: a thread then reads each B row in one segment of N /
    /// threads columns, and the read rate grows with the segment (above; 8 parts of the tutorial's 3137 columns are
    /// 1.6 KB segments). The cost is no rebalancing when a thread is descheduled.
    /// </remarks>
    public void RunSmallNN()
    {
        _mode = Mode.SmallNN;
        int units = (N + Unit - 1) / Unit;
        Threads.Run(this, units, Math.Min(Threads.Count, Threads.PartsFor(units, (long)M * K * Unit)));
    }

    /// <summary>Few rows, transposed B (dense input gradients): dot products over B's contiguous rows.</summary>
    public void RunSmallNT()
    {
        _mode = Mode.SmallNT;
        Threads.Run(this, N, Threads.PartsFor(N, (long)M * K));
        RowOps.BiasActivation(C, Ldc, M, N, Bias, Relu);
    }

    public override void Execute(int part, int start, int end)
    {
        switch (Width)
        {
            case VectorWidth.W512: Execute<V512, Vector512<float>>(part, start, end); break;
            case VectorWidth.W256: Execute<V256, Vector256<float>>(part, start, end); break;
            default: Execute<V128, Vector128<float>>(part, start, end); break;
        }
    }

    private void Execute<TS, TV>(int part, int start, int end) where TS : struct, ISimd<TV> where TV : struct
    {
        switch (_mode)
        {
            case Mode.Rows: Compute<TS, TV>(start, end, 0, Panels, 0, K, C, Ldc, Accumulate); break;
            case Mode.Panels: Compute<TS, TV>(0, RowBlocks, start, end, 0, K, C, Ldc, Accumulate); break;
            case Mode.SplitK: Compute<TS, TV>(0, RowBlocks, 0, Panels, start, end, _partials + (nint)part * M * N, N, false, epilogue: false); break;
            case Mode.SmallNN: Stream<TS, TV>(start * Unit, Math.Min(end * Unit, N)); break;
            default: DotRows<TS, TV>(start, end); break;
        }
    }

    /// <summary>The tiles of row blocks [rb0, rb1) x panels [pn0, pn1) over the inner range [k0, k1), in kc blocks.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Compute<TS, TV>(int rb0, int rb1, int pn0, int pn1, int k0, int k1, float* c, nint ldc, bool accumulate, bool epilogue = true)
        where TS : struct, ISimd<TV> where TV : struct
    {
        int kcMax = TS.KC, nr = 2 * TS.Lanes;
        epilogue &= Bias != null || Relu;
        if (PackBlocks) { ComputePacked<TS, TV>(rb0, rb1, pn0, pn1, k0, k1, c, ldc, accumulate, epilogue); return; }
        if (PackedFrom == 0 && RowBlocks <= 2 && k0 == 0 && k1 == K && (long)K * nr <= BlockFloats) { ComputeSweep<TS, TV>(rb0, rb1, pn0, pn1, c, ldc, accumulate, epilogue); return; }
        for (int kb = k0; kb < k1; kb += kcMax)
        {
            int kc = Math.Min(kcMax, k1 - kb);
            bool load = accumulate || kb > k0;
            for (int pn = pn0; pn < pn1; pn++)
            {
                int j0 = pn * nr;
                float* b = PanelRow(j0, kb, out nint ldb);
                // B packed whole (prepacked or transposed): the next panel's kc x NR floats are contiguous, and the first
                // row blocks' tiles request them (a line per step each) while this panel is multiplied.
                float* next = PackedFrom == 0 && pn + 1 < pn1 ? PanelRow(j0 + nr, kb, out _) : null;
                PanelTiles<TS, TV>(rb0, rb1, j0, kb, kc, b, ldb, next, c, ldc, load, epilogue && kb + kc == k1);
            }
        }
    }

    /// <summary>
    /// As <see cref="Compute{TS, TV}"/> on B packed whole at one or two row blocks (Predict at few rows, where reading B
    /// is the whole cost): panel by panel over the whole inner dimension, so each panel is one contiguous stream (kc
    /// blocks would jump to the next panel every 40 KB, restarting the prefetchers: 7-13% slower on the tutorial's
    /// batch-1 Predict, interleaved runs). The panel stays in L2 for the second row block; the tile's registers carry
    /// each sum, so its bits are those of the blocked order. Each tile requests the next panel.
    /// </summary>
    private void ComputeSweep<TS, TV>(int rb0, int rb1, int pn0, int pn1, float* c, nint ldc, bool accumulate, bool epilogue)
        where TS : struct, ISimd<TV> where TV : struct
    {
        int nr = 2 * TS.Lanes;
        for (int pn = pn0; pn < pn1; pn++)
        {
            int j0 = pn * nr;
            float* b = PanelRow(j0, 0, out nint ldb);
            float* next = pn + 1 < pn1 ? PanelRow(j0 + nr, 0, out _) : null;
            PanelTiles<TS, TV>(rb0, rb1, j0, 0, K, b, ldb, next, c, ldc, accumulate, epilogue);
        }
    }

    /// <summary>
    /// The tiles of row blocks [rb0, rb1) on one panel (columns from j0, inner rows [kb, kb + kc), rows of B at
    /// <paramref name="b"/>), with the epilogue when this is the panel's last kc range. <paramref name="next"/>: the next
    /// panel's contiguous kc x NR floats, which the first row blocks request a line per step each (or null).
    /// </summary>
    private void PanelTiles<TS, TV>(int rb0, int rb1, int j0, int kb, int kc, float* b, nint ldb, float* next, float* c, nint ldc, bool load, bool epilogue)
        where TS : struct, ISimd<TV> where TV : struct
    {
        int mr = TS.MR, nr = 2 * TS.Lanes, cols = Math.Min(nr, N - j0);
        long lines = (long)kc * nr / 16;
        for (int rb = rb0; rb < rb1; rb++)
        {
            int i0 = rb * mr, rows = Math.Min(mr, M - i0);
            long from = (long)(rb - rb0) * kc;
            float* pf = next != null && from + kc <= lines ? next + from * 16 : null;
            Gemm.Tile<TS, TV>(rows, cols, kc, A + i0 * RsA + kb * CsA, RsA, CsA, b, ldb, c + i0 * ldc + j0, ldc, load, pf);
            if (epilogue) RowOps.BiasActivation<TS, TV>(c + i0 * ldc + j0, ldc, rows, cols, Bias == null ? null : Bias + j0, Relu);
        }
    }

    /// <summary>
    /// As <see cref="Compute{TS, TV}"/> on a wide plain B: for each block of panels and each kc range, the block is
    /// copied into this thread's cached panels (row by row, contiguously), then every row block's tiles run on it. Each
    /// element of C still sums its products over p in order, so the result is the one B in place gives, bit for bit.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void ComputePacked<TS, TV>(int rb0, int rb1, int pn0, int pn1, int k0, int k1, float* c, nint ldc, bool accumulate, bool epilogue)
        where TS : struct, ISimd<TV> where TV : struct
    {
        int kcMax = TS.KC, nr = 2 * TS.Lanes, blockPanels = Math.Max(1, BlockFloats / (kcMax * nr));
        // This thread's own slot: the calling thread's GemmPackB may hold the job's Packed panels.
        var buffer = Workspace.Get(Workspace.GemmBlockB, blockPanels * kcMax * nr);
        fixed (float* block = buffer)
            for (int pb = pn0; pb < pn1; pb += blockPanels)
            {
                int pe = Math.Min(pn1, pb + blockPanels);
                for (int kb = k0; kb < k1; kb += kcMax)
                {
                    int kc = Math.Min(kcMax, k1 - kb);
                    bool load = accumulate || kb > k0;
                    PackBlock<TS, TV>(pb * nr, Math.Min(N, pe * nr), kb, kc, block);
                    for (int pn = pb; pn < pe; pn++)
                        PanelTiles<TS, TV>(rb0, rb1, pn * nr, kb, kc, block + (nint)(pn - pb) * kc * nr, nr, null, c, ldc, load, epilogue && kb + kc == k1);
                }
            }
    }

    /// <summary>Rows [kb, kb + kc) of B's columns [j0, j1) as nr-wide panels of kc rows each, zero past j1.</summary>
    private void PackBlock<TS, TV>(int j0, int j1, int kb, int kc, float* dst) where TS : struct, ISimd<TV> where TV : struct
    {
        int nr = 2 * TS.Lanes, full = (j1 - j0) / nr, rest = j1 - j0 - full * nr;
        nint panel = (nint)kc * nr;
        for (int p = 0; p < kc; p++)
        {
            float* src = B + (kb + p) * Ldb + j0, d = dst + (nint)p * nr;
            // The row PackAhead rows on is requested now: each row is a separate run of lines (rows lie a DRAM page or
            // more apart), which the hardware prefetcher would only find after its first misses.
            float* ahead = p + PackAhead < kc ? src + PackAhead * Ldb : null;
            for (int q = 0; q < full; q++, src += nr, d += panel)
            {
                if (ahead != null && System.Runtime.Intrinsics.X86.Sse.IsSupported)
                    for (int l = 0; l < nr; l += 16) System.Runtime.Intrinsics.X86.Sse.Prefetch0(ahead + q * nr + l);
                TS.Store(TS.Load(src), d);
                TS.Store(TS.Load(src + TS.Lanes), d + TS.Lanes);
            }
            if (rest > 0)
            {
                new ReadOnlySpan<float>(src, rest).CopyTo(new Span<float>(d, rest));
                new Span<float>(d + rest, nr - rest).Clear();
            }
        }
    }

    /// <summary>Columns [j0, j1) of C for few rows, in L1-sized strips, B streamed row by row.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Stream<TS, TV>(int j0, int j1) where TS : struct, ISimd<TV> where TV : struct
    {
        // Eight rows per pass at every width: the strip keeps C in L1, not in registers, so the tile's register
        // limit does not apply, and every extra pass would stream the strip of B once more.
        int mr = Gemm.MR;
        // More than one row group: the strip of B is cut into blocks of StreamBlockFloats that every group uses while the block
        // is in L2, instead of each group streaming the whole strip from memory. Each element's sum still runs over p
        // in order (one FMA chain), so the result is the same bit for bit as without blocks.
        int kcMax = M > mr ? Math.Max(4, StreamBlockFloats / StripWidth & ~3) : K;
        for (int js = j0; js < j1; js += StripWidth)
        {
            int cols = Math.Min(StripWidth, j1 - js);
            for (int kb = 0; kb < K; kb += kcMax)
            {
                int kc = Math.Min(kcMax, K - kb);
                for (int i0 = 0; i0 < M; i0 += mr)
                    Gemm.Strip<TS, TV>(Math.Min(mr, M - i0), kc, cols, A + i0 * RsA + kb * CsA, RsA, CsA, B + kb * Ldb + js, Ldb, C + i0 * Ldc + js, Ldc, Accumulate || kb > 0);
            }
            RowOps.BiasActivation<TS, TV>(C + js, Ldc, M, cols, Bias == null ? null : Bias + js, Relu);
        }
    }

    /// <summary>Address of row p of the NR-wide panel starting at column j0 (in place, or in the packed copy).</summary>
    private float* PanelRow(int j0, int p, out nint ldb)
    {
        if (j0 < PackedFrom) { ldb = Ldb; return B + p * Ldb + j0; }
        ldb = NR;
        return Packed + (nint)(j0 - PackedFrom) * K + (nint)p * NR;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void ReduceParts(int parts)
    {
        nint size = (nint)M * N;
        for (int i = 0; i < M; i++)
        {
            var dst = new Span<float>(C + i * Ldc, N);
            for (int p = 0; p < parts; p++)
            {
                var src = new ReadOnlySpan<float>(_partials + p * size + (nint)i * N, N);
                if (p == 0 && !Accumulate) src.CopyTo(dst);
                else System.Numerics.Tensors.TensorPrimitives.Add(dst, src, dst);
            }
        }
    }

    /// <summary>C[:, j0..j1) as dot products of A's rows with B's rows (B holds op(B) transposed, row j = column j).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void DotRows<TS, TV>(int j0, int j1) where TS : struct, ISimd<TV> where TV : struct
    {
        int mr = TS.MR;
        float* tmp = stackalloc float[Gemm.MR * 2]; // the largest MR of any width
        for (int j = j0; j < j1; j += 2)
        {
            float* b0 = B + j * Ldb;
            bool pair = j + 1 < j1;
            for (int i0 = 0; i0 < M; i0 += mr)
            {
                int rows = Math.Min(mr, M - i0);
                float* a = A + i0 * RsA;
                if (pair) { Gemm.Dot2<TS, TV>(rows, K, a, RsA, b0, b0 + Ldb, C + i0 * Ldc + j, Ldc, Accumulate); continue; }
                for (int r = 0; r < rows; r++) tmp[r * 2] = C[(i0 + r) * Ldc + j];
                Gemm.Dot2<TS, TV>(rows, K, a, RsA, b0, b0, tmp, 2, Accumulate);
                for (int r = 0; r < rows; r++) C[(i0 + r) * Ldc + j] = tmp[r * 2];
            }
        }
    }
}
