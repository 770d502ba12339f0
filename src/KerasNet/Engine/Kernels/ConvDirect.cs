#nullable enable
using System.Runtime.CompilerServices;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Inference convolution without an unfolded matrix (an implicit GEMM): for one output row at a time, each output
/// pixel's window is read straight from the NHWC input (a window row's KW * C taps are contiguous there), broadcast
/// tap by tap against a panel of two registers of filters, eight pixels at once on AVX-512 (16 accumulators of its 32
/// registers), six elsewhere (12 accumulators: fits AVX2's 16 registers with the two filter vectors and the broadcast),
/// one kernel row per call into a small tile of sums. The kernel is packed once into panels of 2 x lanes filters
/// ([panel][tap][lanes], zero past the last filter) with the bias padded alike; bias and ReLU are applied before the
/// store. Sums run in tap order starting from the bias, so results match the im2col + GEMM path to float rounding,
/// not bit for bit: the training forward keeps that path (its backward reuses the unfolded matrix).
/// </summary>
internal static unsafe class ConvDirect
{
    [ThreadStatic] private static Job? t_job;

    /// <summary>Filters per packed panel: two registers.</summary>
    public static int PanelWidth => 2 * ConvLanes.Width;

    /// <summary>Floats of the packed kernel of (KH, KW, C, F) for <paramref name="filters"/> filters.</summary>
    public static long PackedLength(in ConvSpec s, int filters) => (long)s.KH * s.KW * s.InC * Padded(filters);

    /// <summary>Filters rounded up to whole panels (the packed bias's length).</summary>
    public static int Padded(int filters) => (filters + PanelWidth - 1) / PanelWidth * PanelWidth;

    /// <summary>w (KH, KW, C, F) into panels; bias (or zeros) padded to whole panels.</summary>
    public static void Pack(in ConvSpec s, float[] w, float[]? bias, int filters, float[] packed, float[] packedBias)
    {
        int nr = PanelWidth, k = s.KH * s.KW * s.InC, fp = Padded(filters);
        BufferCheck.Length(packed, (long)k * fp, nameof(packed), nameof(Pack));
        BufferCheck.Length(packedBias, fp, nameof(packedBias), nameof(Pack));
        for (int j0 = 0, pn = 0; j0 < fp; j0 += nr, pn++)
        {
            int cols = Math.Min(nr, filters - j0);
            for (int t = 0; t < k; t++)
            {
                var dst = packed.AsSpan((pn * k + t) * nr, nr);
                w.AsSpan(t * filters + j0, cols).CopyTo(dst);
                dst[cols..].Clear();
            }
        }
        packedBias.AsSpan(0, fp).Clear();
        bias?.AsSpan(0, filters).CopyTo(packedBias);
    }

    /// <summary>y = relu?(x ⋆ w + bias) for a plain spec (no dilation, one group), w and bias as <see cref="Pack"/> left them.</summary>
    public static void Forward(in ConvSpec s, float[] x, float[] packed, float[] packedBias, bool relu, int filters, float[] y) =>
        Run(s, x, packed, packedBias, relu, filters, default, y, nameof(Forward));

    /// <summary>
    /// y = maxpool(relu?(x ⋆ w + bias)) for a non-overlapping 'valid' max pool (<paramref name="pool"/>: its input is
    /// the convolution's output, stride = window, no padding; the caller has checked it). Each part computes the pool
    /// window's rows of the convolution into scratch of its own (a few KB, so they stay in cache) and pools them from
    /// there: the convolution's output never goes to memory and is not read back. The maxima are taken in the same
    /// order as <see cref="ConvPool"/>'s (the first of ties, NaN kept), so the result is bit for bit that of
    /// <see cref="Forward"/> followed by <see cref="ConvPool.Forward"/>.
    /// </summary>
    public static void ForwardPooled(in ConvSpec s, float[] x, float[] packed, float[] packedBias, bool relu, int filters, in ConvGeometry pool, float[] y) =>
        Run(s, x, packed, packedBias, relu, filters, pool, y, nameof(ForwardPooled));

    // pool.KH == 0 (default): no pooling, one job row per output row; else one per pooled row.
    private static void Run(in ConvSpec s, float[] x, float[] packed, float[] packedBias, bool relu, int filters, in ConvGeometry pool, float[] y, string op)
    {
        var job = Workspace.Rent(ref t_job);
        // Each tap's offset in the input from its window's origin, in the kernel's (kh, kw, c) order.
        int k = s.KH * s.KW * s.InC;
        if (job.Table.Length < k) job.Table = new int[k];
        for (int kh = 0, t = 0; kh < s.KH; kh++)
            for (int j = 0; j < s.KW * s.InC; j++) job.Table[t++] = kh * s.InW * s.InC + j;
        bool pooled = pool.KH > 0;
        int rows = pooled ? s.Batch * pool.OutH : s.Batch * s.OutH;
        long rowLen = (long)s.OutW * filters;
        int parts = Threads.PartsFor(rows, rowLen * k * (pooled ? pool.KH : 1));
        // One window's rows of convolution output per part: grown once, then reused by every call.
        long scratch = pooled ? parts * pool.KH * rowLen : 0;
        if (job.Rows.Length < scratch) job.Rows = new float[BufferCheck.Scratch(scratch, "convolution rows to pool", op)];
        fixed (float* px = x, pw = packed, pb = packedBias, py = y, pr = job.Rows)
        fixed (int* po = job.Table)
        {
            job.X = px; job.W = pw; job.B = pb; job.Y = py; job.Scratch = pr; job.Offsets = po;
            (job.S, job.Filters, job.Relu, job.Pool) = (s, filters, relu, pool);
            try { Threads.Run(job, rows, parts); }
            finally
            {
                // No pointer into a caller's (unpinned once we return) array may outlive the call.
                job.X = job.W = job.B = job.Y = job.Scratch = null;
                job.Offsets = null;
                Workspace.Return(ref t_job, job);
            }
        }
    }

    private sealed class Job : LanesPartJob
    {
        public ConvSpec S;
        public ConvGeometry Pool;
        public float* X, W, B, Y, Scratch;
        public int* Offsets;
        public int[] Table = Array.Empty<int>();
        public float[] Rows = Array.Empty<float>();
        public int Filters;
        public bool Relu;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected override void Part<L, TV>(int part, int start, int end)
        {
            float* tile = stackalloc float[16 * L.Count]; // 8 pixels x one panel of two registers
            nint rowLen = (nint)S.OutW * Filters;
            var g = Pool;
            if (g.KH == 0)
            {
                for (int r = start; r < end; r++) ConvRow<L, TV>(r, Y + r * rowLen, tile);
                return;
            }
            float* rows = Scratch + part * g.KH * rowLen;
            for (int r = start; r < end; r++)
            {
                int n = r / g.OutH, ph = r % g.OutH;
                for (int i = 0; i < g.KH; i++) ConvRow<L, TV>(n * S.OutH + ph * g.KH + i, rows + i * rowLen, tile);
                PoolRow<L, TV>(rows, rowLen, Y + (nint)r * g.OutW * Filters);
            }
        }

        /// <summary>
        /// Output row r (image r / OutH, row r % OutH) into yRow: per filter panel, border pixels one by one (only
        /// their in-image taps), the interior in blocks; each block's sums in a small tile, then bias and ReLU on the way out.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ConvRow<L, TV>(int r, float* yRow, float* tile) where L : struct, ILanes<TV> where TV : struct
        {
            var s = S;
            int c = s.InC, f = Filters, nr = 2 * L.Count;
            int n = r / s.OutH, ih0 = r % s.OutH * s.StrideH - s.PadTop;
            var a = new Args(X + (nint)n * s.InH * s.InW * c, Offsets, ih0, Math.Max(0, -ih0), Math.Min(s.KH, s.InH - ih0), s, nr, f);
            // Pixels whose window lies inside the image's width: [lo, hi).
            int lo = Math.Min((s.PadLeft + s.StrideW - 1) / s.StrideW, s.OutW);
            int reach = s.InW - s.KW + s.PadLeft;
            int hi = Math.Max(lo, reach < 0 ? 0 : Math.Min(reach / s.StrideW + 1, s.OutW));
            for (int j0 = 0, pn = 0; j0 < f; j0 += nr, pn++)
            {
                var p = new Panel(W + (nint)pn * s.KH * s.KW * c * nr, B + j0, yRow + j0, Math.Min(nr, f - j0), tile);
                int ow = 0;
                for (; ow < lo; ow++) Pixels<L, TV, Pixels1>(a, p, ow, Relu);
                if (L.Count == 16) ow = Interior<L, TV, Pixels8>(a, p, ow, hi, Relu);
                else ow = Interior<L, TV, Pixels6>(a, p, ow, hi, Relu);
                ow = Interior<L, TV, Pixels4>(a, p, ow, hi, Relu);
                for (; ow < s.OutW; ow++) Pixels<L, TV, Pixels1>(a, p, ow, Relu);
            }
        }

        /// <summary>One pooled row y from the window's rows of convolution output (rows apart by rowLen), as ConvPool pools.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PoolRow<L, TV>(float* rows, nint rowLen, float* y) where L : struct, ILanes<TV> where TV : struct
        {
            var g = Pool;
            int f = Filters;
            for (int pw = 0; pw < g.OutW; pw++, y += f)
            {
                float* first = rows + (nint)pw * g.KW * f;
                int ch = 0;
                for (; ch + L.Count <= f; ch += L.Count)
                {
                    // Starting from the first pixel and taking it again is harmless: max(a, a) = a.
                    TV best = L.Load(first + ch);
                    for (int i = 0; i < g.KH; i++)
                        for (int j = 0; j < g.KW; j++) best = L.MaxKeep(best, L.Load(first + i * rowLen + (nint)j * f + ch));
                    L.Store(y + ch, best);
                }
                for (; ch < f; ch++)
                {
                    float best = first[ch];
                    for (int i = 0; i < g.KH; i++)
                        for (int j = 0; j < g.KW; j++)
                        {
                            float v = first[i * rowLen + (nint)j * f + ch];
                            if (v > best) best = v;
                        }
                    y[ch] = best;
                }
            }
        }
    }

    /// <summary>
    /// Interior pixels [ow, hi) in blocks of N; a ragged end is one more block ending at hi (recomputing a few pixels,
    /// which is cheaper than the latency-bound single-pixel path). Returns the first pixel left undone.
    /// </summary>
    private static int Interior<L, TV, TP>(in Args a, in Panel p, int ow, int hi, bool relu)
        where L : struct, ILanes<TV> where TV : struct where TP : struct, IPixels
    {
        if (hi - ow < TP.N) return ow;
        for (; ow + TP.N <= hi; ow += TP.N) Pixels<L, TV, TP>(a, p, ow, relu);
        if (ow < hi) Pixels<L, TV, TP>(a, p, hi - TP.N, relu);
        return hi;
    }

    /// <summary>N pixels from ow (N > 1: all interior, equally spaced), one kernel row at a time into the tile, then out.</summary>
    private static void Pixels<L, TV, TP>(in Args a, in Panel p, int ow, bool relu)
        where L : struct, ILanes<TV> where TV : struct where TP : struct, IPixels
    {
        int iw0 = ow * a.StrideW - a.PadLeft, nr = a.Nr;
        // A single pixel may reach into the padding: its in-image taps of each kernel row are still contiguous.
        int kw0 = TP.N == 1 ? Math.Max(0, -iw0) : 0, kw1 = TP.N == 1 ? Math.Min(a.KW, a.InW - iw0) : a.KW;
        int taps = (kw1 - kw0) * a.C;
        // The window's origin (it may lie in the padding, even before the image: only in-image taps are read).
        float* origin = a.Image + ((nint)a.Ih0 * a.InW + iw0) * a.C;
        nint step = (nint)a.StrideW * a.C;
        bool any = false;
        if (a.Kh0 == 0 && a.Kh1 == a.KH && taps == a.KW * a.C)
        {
            // The whole window in one pass (few channels: no per-row call and reload of the sums); a whole panel's
            // sums go straight out with bias and ReLU.
            bool direct = p.Cols == nr;
            Taps<L, TV, TP>(a.KH * taps, origin, step, a.Offsets, p.W, p.Tile, load: false,
                direct ? new Out(p.Bias, p.Y + (nint)ow * a.Filters, a.Filters, relu) : default);
            if (direct) return;
            any = true;
        }
        else
            for (int kh = a.Kh0; kh < a.Kh1 && taps > 0; kh++, any = true)
            {
                int t0 = (kh * a.KW + kw0) * a.C;
                Taps<L, TV, TP>(taps, origin, step, a.Offsets + t0, p.W + (nint)t0 * nr, p.Tile, load: any, default);
            }
        if (!any) new Span<float>(p.Tile, TP.N * nr).Clear();
        for (int i = 0; i < TP.N; i++)
        {
            float* t = p.Tile + i * nr;
            TV lo = L.Add(L.Load(t), L.Load(p.Bias)), hi = L.Add(L.Load(t + L.Count), L.Load(p.Bias + L.Count));
            Put<L, TV>(p.Y + (nint)(ow + i) * a.Filters, p.Cols, lo, hi, relu);
        }
    }

    /// <summary>
    /// tile[i, 0..2 lanes) (+)= sum over taps t of x[i * step + off[t]] * w[t, 0..2 lanes) for the N pixels i: one loop, all
    /// accumulators in registers (out of line and loop-free around it, so the JIT does not spill them on every tap).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Taps<L, TV, TP>(int taps, float* x, nint step, int* off, float* w, float* tile, bool load, Out put)
        where L : struct, ILanes<TV> where TV : struct where TP : struct, IPixels
    {
        int n = L.Count, nr = 2 * n;
        TV p0 = default, q0 = default, p1 = default, q1 = default, p2 = default, q2 = default, p3 = default, q3 = default;
        TV p4 = default, q4 = default, p5 = default, q5 = default, p6 = default, q6 = default, p7 = default, q7 = default;
        if (load)
        {
            p0 = L.Load(tile); q0 = L.Load(tile + n);
            if (TP.N > 1) { p1 = L.Load(tile + nr); q1 = L.Load(tile + nr + n); p2 = L.Load(tile + 2 * nr); q2 = L.Load(tile + 2 * nr + n); p3 = L.Load(tile + 3 * nr); q3 = L.Load(tile + 3 * nr + n); }
            if (TP.N > 4) { p4 = L.Load(tile + 4 * nr); q4 = L.Load(tile + 4 * nr + n); p5 = L.Load(tile + 5 * nr); q5 = L.Load(tile + 5 * nr + n); }
            if (TP.N > 6) { p6 = L.Load(tile + 6 * nr); q6 = L.Load(tile + 6 * nr + n); p7 = L.Load(tile + 7 * nr); q7 = L.Load(tile + 7 * nr + n); }
        }
        float* x1 = x + step, x2 = x + 2 * step, x3 = x + 3 * step, x4 = x + 4 * step, x5 = x + 5 * step, x6 = x + 6 * step, x7 = x + 7 * step;
        for (int t = 0; t < taps; t++, w += nr)
        {
            TV w0 = L.Load(w), w1 = L.Load(w + n);
            nint o = off[t];
            TV v = L.Splat(x[o]); p0 = L.MulAdd(v, w0, p0); q0 = L.MulAdd(v, w1, q0);
            if (TP.N > 1)
            {
                v = L.Splat(x1[o]); p1 = L.MulAdd(v, w0, p1); q1 = L.MulAdd(v, w1, q1);
                v = L.Splat(x2[o]); p2 = L.MulAdd(v, w0, p2); q2 = L.MulAdd(v, w1, q2);
                v = L.Splat(x3[o]); p3 = L.MulAdd(v, w0, p3); q3 = L.MulAdd(v, w1, q3);
            }
            if (TP.N > 4)
            {
                v = L.Splat(x4[o]); p4 = L.MulAdd(v, w0, p4); q4 = L.MulAdd(v, w1, q4);
                v = L.Splat(x5[o]); p5 = L.MulAdd(v, w0, p5); q5 = L.MulAdd(v, w1, q5);
            }
            if (TP.N > 6)
            {
                v = L.Splat(x6[o]); p6 = L.MulAdd(v, w0, p6); q6 = L.MulAdd(v, w1, q6);
                v = L.Splat(x7[o]); p7 = L.MulAdd(v, w0, p7); q7 = L.MulAdd(v, w1, q7);
            }
        }
        if (put.Y != null)
        {
            TV b0 = L.Load(put.Bias), b1 = L.Load(put.Bias + n);
            nint f = put.F;
            Put<L, TV>(put.Y, nr, L.Add(p0, b0), L.Add(q0, b1), put.Relu);
            if (TP.N > 1) { Put<L, TV>(put.Y + f, nr, L.Add(p1, b0), L.Add(q1, b1), put.Relu); Put<L, TV>(put.Y + 2 * f, nr, L.Add(p2, b0), L.Add(q2, b1), put.Relu); Put<L, TV>(put.Y + 3 * f, nr, L.Add(p3, b0), L.Add(q3, b1), put.Relu); }
            if (TP.N > 4) { Put<L, TV>(put.Y + 4 * f, nr, L.Add(p4, b0), L.Add(q4, b1), put.Relu); Put<L, TV>(put.Y + 5 * f, nr, L.Add(p5, b0), L.Add(q5, b1), put.Relu); }
            if (TP.N > 6) { Put<L, TV>(put.Y + 6 * f, nr, L.Add(p6, b0), L.Add(q6, b1), put.Relu); Put<L, TV>(put.Y + 7 * f, nr, L.Add(p7, b0), L.Add(q7, b1), put.Relu); }
            return;
        }
        L.Store(tile, p0); L.Store(tile + n, q0);
        if (TP.N > 1) { L.Store(tile + nr, p1); L.Store(tile + nr + n, q1); L.Store(tile + 2 * nr, p2); L.Store(tile + 2 * nr + n, q2); L.Store(tile + 3 * nr, p3); L.Store(tile + 3 * nr + n, q3); }
        if (TP.N > 4) { L.Store(tile + 4 * nr, p4); L.Store(tile + 4 * nr + n, q4); L.Store(tile + 5 * nr, p5); L.Store(tile + 5 * nr + n, q5); }
        if (TP.N > 6) { L.Store(tile + 6 * nr, p6); L.Store(tile + 6 * nr + n, q6); L.Store(tile + 7 * nr, p7); L.Store(tile + 7 * nr + n, q7); }
    }

    /// <summary>Where finished sums go directly (Y null: into the tile instead): y[i * F + j] = act(sum + bias[j]).</summary>
    private readonly struct Out(float* bias, float* y, int f, bool relu)
    {
        public readonly float* Bias = bias, Y = y;
        public readonly int F = f;
        public readonly bool Relu = relu;
    }

    /// <summary>
    /// Pixels per register block: 8 where there are 32 registers (AVX-512: 16 accumulators), 6 on 16-register machines
    /// (12 accumulators + two filter vectors + the broadcast = 15 of 16, as the GEMM's 6-row tile; ARM64 has 32 and
    /// takes the same block), 4 for a short interior, 1 for border pixels.
    /// </summary>
    private interface IPixels { static abstract int N { get; } }
    private struct Pixels1 : IPixels { public static int N => 1; }
    private struct Pixels4 : IPixels { public static int N => 4; }
    private struct Pixels6 : IPixels { public static int N => 6; }
    private struct Pixels8 : IPixels { public static int N => 8; }

    /// <summary>What every pixel of one output row shares: its image, first input row, valid kernel rows and sizes.</summary>
    private readonly struct Args(float* image, int* offsets, int ih0, int kh0, int kh1, in ConvSpec s, int nr, int filters)
    {
        public readonly float* Image = image;
        public readonly int* Offsets = offsets;
        public readonly int Ih0 = ih0, Kh0 = kh0, Kh1 = kh1, InW = s.InW, C = s.InC, KH = s.KH, KW = s.KW, StrideW = s.StrideW, PadLeft = s.PadLeft, Nr = nr;
        public readonly int Filters = filters;
    }

    /// <summary>One filter panel of one output row: its packed weights, bias, first output, width and the sums' tile.</summary>
    private readonly struct Panel(float* w, float* bias, float* y, int cols, float* tile)
    {
        public readonly float* W = w, Bias = bias, Y = y, Tile = tile;
        public readonly int Cols = cols;
    }

    /// <summary>The first <paramref name="cols"/> lanes of (lo, hi) to y, through ReLU when asked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Put<L, TV>(float* y, int cols, TV lo, TV hi, bool relu) where L : struct, ILanes<TV> where TV : struct
    {
        if (relu) { lo = L.Relu(lo); hi = L.Relu(hi); }
        if (cols == 2 * L.Count) { L.Store(y, lo); L.Store(y + L.Count, hi); }
        else Partial<L, TV>(y, cols, lo, hi);
    }

    // The last panel of a filter count that is not a multiple of the panel width (kept out of line: a stackalloc
    // would stop the full-panel store from being inlined).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Partial<L, TV>(float* y, int cols, TV lo, TV hi) where L : struct, ILanes<TV> where TV : struct
    {
        float* t = stackalloc float[2 * L.Count];
        L.Store(t, lo);
        L.Store(t + L.Count, hi);
        for (int j = 0; j < cols; j++) y[j] = t[j];
    }
}
