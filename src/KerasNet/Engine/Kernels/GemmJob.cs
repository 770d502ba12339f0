#nullable enable
namespace KerasNet.Engine.Kernels;

/// <summary>
/// One GEMM call's operands and its split over threads. Reused per calling thread (see <see cref="Gemm"/>),
/// so a multiplication allocates nothing.
/// </summary>
internal sealed unsafe class GemmJob : ParallelJob
{
    private const int MR = Gemm.MR, NR = Gemm.NR, KC = 320, StripWidth = 512, SplitKMin = 2048;

    private enum Mode { Rows, Panels, SplitK, SmallNN, SmallNT }

    public int M, N, K, Ldc, PackedFrom;
    public nint RsA, CsA, Ldb;
    public bool Accumulate;
    public float* A, B, C, Packed;
    /// <summary>Optional epilogue on each finished tile: add Bias[j] (when not null), then ReLU.</summary>
    public float* Bias;
    public bool Relu;
    private Mode _mode;
    private float* _partials;

    private int RowBlocks => (M + MR - 1) / MR;
    private int Panels => (N + NR - 1) / NR;

    /// <summary>Many rows: tiles split by row blocks, by column panels, or by inner-dimension ranges.</summary>
    public void RunBlocked()
    {
        int tiles = RowBlocks * Panels;
        int parts = Threads.PartsFor(tiles, (long)MR * NR * K);
        if (parts > 1 && K >= SplitKMin && tiles < 16 * Threads.Count)
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
        else if (RowBlocks >= parts) { _mode = Mode.Rows; Threads.Run(this, RowBlocks, parts); }
        else { _mode = Mode.Panels; Threads.Run(this, Panels, parts); }
    }

    /// <summary>Few rows, plain B: B is streamed once, row by row, split by 16-column units.</summary>
    public void RunSmallNN()
    {
        _mode = Mode.SmallNN;
        int units = (N + 15) / 16;
        Threads.Run(this, units, Threads.PartsFor(units, (long)M * K * 16));
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
        switch (_mode)
        {
            case Mode.Rows: Compute(start, end, 0, Panels, 0, K, C, Ldc, Accumulate, KC); break;
            case Mode.Panels: Compute(0, RowBlocks, start, end, 0, K, C, Ldc, Accumulate, KC); break;
            case Mode.SplitK: Compute(0, RowBlocks, 0, Panels, start, end, _partials + (nint)part * M * N, N, false, KC, epilogue: false); break;
            case Mode.SmallNN: Stream(start * 16, Math.Min(end * 16, N)); break;
            default: DotRows(start, end); break;
        }
    }

    /// <summary>The tiles of row blocks [rb0, rb1) x panels [pn0, pn1) over the inner range [k0, k1), in kc blocks.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Compute(int rb0, int rb1, int pn0, int pn1, int k0, int k1, float* c, nint ldc, bool accumulate, int kcMax, bool epilogue = true)
    {
        epilogue &= Bias != null || Relu;
        for (int kb = k0; kb < k1; kb += kcMax)
        {
            int kc = Math.Min(kcMax, k1 - kb);
            bool load = accumulate || kb > k0;
            for (int pn = pn0; pn < pn1; pn++)
            {
                int j0 = pn * NR, cols = Math.Min(NR, N - j0);
                float* b = PanelRow(j0, kb, out nint ldb);
                for (int rb = rb0; rb < rb1; rb++)
                {
                    int i0 = rb * MR, rows = Math.Min(MR, M - i0);
                    Gemm.Tile(rows, cols, kc, A + i0 * RsA + kb * CsA, RsA, CsA, b, ldb, c + i0 * ldc + j0, ldc, load);
                    if (epilogue && kb + kc == k1) RowOps.BiasActivation(c + i0 * ldc + j0, ldc, rows, cols, Bias == null ? null : Bias + j0, Relu);
                }
            }
        }
    }

    /// <summary>Columns [j0, j1) of C for few rows, in L1-sized strips, B streamed row by row.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void Stream(int j0, int j1)
    {
        for (int js = j0; js < j1; js += StripWidth)
        {
            int cols = Math.Min(StripWidth, j1 - js);
            for (int i0 = 0; i0 < M; i0 += MR)
            {
                int rows = Math.Min(MR, M - i0);
                Gemm.Strip(rows, K, cols, A + i0 * RsA, RsA, CsA, B + js, Ldb, C + i0 * Ldc + js, Ldc, Accumulate);
                RowOps.BiasActivation(C + i0 * Ldc + js, Ldc, rows, cols, Bias == null ? null : Bias + js, Relu);
            }
        }
    }

    /// <summary>Address of row p of the 32-wide panel starting at column j0 (in place, or in the packed copy).</summary>
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
    private void DotRows(int j0, int j1)
    {
        float* tmp = stackalloc float[MR * 2];
        for (int j = j0; j < j1; j += 2)
        {
            float* b0 = B + j * Ldb;
            bool pair = j + 1 < j1;
            for (int i0 = 0; i0 < M; i0 += MR)
            {
                int rows = Math.Min(MR, M - i0);
                float* a = A + i0 * RsA;
                if (pair) { Gemm.Dot2(rows, K, a, RsA, b0, b0 + Ldb, C + i0 * Ldc + j, Ldc, Accumulate); continue; }
                for (int r = 0; r < rows; r++) tmp[r * 2] = C[(i0 + r) * Ldc + j];
                Gemm.Dot2(rows, K, a, RsA, b0, b0, tmp, 2, Accumulate);
                for (int r = 0; r < rows; r++) C[(i0 + r) * Ldc + j] = tmp[r * 2];
            }
        }
    }
}
