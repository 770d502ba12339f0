#nullable enable
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// The filter gradient of a plain convolution, dW[(kh, kw, c), f] = sum over output pixels of x[window tap] * dy[pixel, f],
/// as an implicit GEMM: no unfolded matrix. Each part of the batch's output rows sums into its own partial dW (the
/// layer-sized Keras kernel layout); the partials are added in part order, so the result depends only on the thread
/// count, never on scheduling. Within a part the rows are taken in blocks of about <see cref="BlockPixels"/> output
/// pixels, whose gradient rows stay in L1 while every tap tile (<see cref="ConvBackwardTile"/>) sums over them. A padded
/// convolution first copies x into a zero-bordered image (one pass over the input, far less than the unfolded
/// matrix), so every window is read without bounds checks.
/// </summary>
internal static unsafe class ConvBackwardFilter
{
    // 256 pixels x 32 filters of gradient = 32 KB: one panel's block stays in a 48 KB L1 while each tap tile reads it.
    private const int BlockPixels = 256;

    [ThreadStatic] private static Job? t_job;

    /// <summary>dw (overwritten) from x and dy for a plain geometry; <paramref name="ws"/> holds the scratch.</summary>
    public static void Run(in ConvGeometry g, float[] x, float[] dy, int filters, float[] dw, ConvWorkspace ws) =>
        Run(g, x, dy, null, filters, dw, null, null, ws);

    /// <summary>
    /// The fused form: the gradient at the pre-activation, g = dy where <paramref name="reluOutput"/> is positive (or
    /// NaN) and 0 elsewhere (dy itself when it is null), formed block by block as it is read; dw from g, the bias
    /// gradient <paramref name="db"/> (its column sums) and g itself into <paramref name="gradPre"/> when they are not
    /// null. The callers have checked every buffer.
    /// </summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Run(in ConvGeometry g, float[] x, float[] dy, float[]? reluOutput, int filters, float[] dw, float[]? db, float[]? gradPre, ConvWorkspace ws)
    {
        const string op = "ConvBackwardFilter";
        int taps = g.Cols;
        if (g.Rows == 0 || taps == 0)
        {
            dw.AsSpan(0, taps * filters).Clear();
            db?.AsSpan(0, filters).Clear();
            gradPre?.AsSpan(0, g.Rows * filters).Clear();
            return;
        }
        // The padded image every window of the output lies in (x itself when no window reaches past its edges).
        int hp = (g.OutH - 1) * g.StrideH + g.KH, wp = (g.OutW - 1) * g.StrideW + g.KW;
        bool pad = g.PadTop > 0 || g.PadLeft > 0 || hp > g.InH || wp > g.InW;
        if (!pad) (hp, wp) = (g.InH, g.InW);
        float[] image = pad ? Pad(g, x, hp, wp, ws, op) : x;
        var job = Workspace.Rent(ref t_job);
        if (job.Offsets.Length < taps) job.Offsets = new int[taps];
        for (int kh = 0, t = 0; kh < g.KH; kh++)
            for (int j = 0; j < g.KW * g.InC; j++) job.Offsets[t++] = (kh * wp) * g.InC + j;
        int nOut = g.Batch * g.OutH;
        int parts = Threads.PartsFor(nOut, (long)g.OutW * taps * filters);
        int nr = 2 * Lanes(Gemm.Width);
        int blockRows = Math.Max(1, BlockPixels / Math.Max(g.OutW, 1));
        // Partials of every part but the first (which sums into dw itself); per part the bias's partial sums and the
        // block's gradient as formed (masked, zero-padded to whole panels) when it cannot be read from dy in place.
        int fp = (filters + nr - 1) / nr * nr;
        bool form = reluOutput is not null || db is not null || gradPre is not null || filters % nr != 0;
        var partials = ConvWorkspace.Grow(ref ws.FilterPartials, (long)(parts - 1) * taps * filters + (db is null ? 0 : (long)parts * fp), "filter-gradient partial sums", op);
        var block = ConvWorkspace.Grow(ref ws.FilterBlock, form ? (long)parts * blockRows * g.OutW * fp : 0, "filter-gradient block", op);
        if (db is not null) partials.AsSpan((int)((long)(parts - 1) * taps * filters), parts * fp).Clear();
        fixed (float* px = image, pg = dy, pw = dw, pp = partials, pr = block, pm = reluOutput, pgo = gradPre)
        fixed (int* po = job.Offsets)
        {
            job.Image = px; job.G = pg; job.Dw = pw; job.Partials = pp; job.Ragged = pr; job.Off = po;
            job.Mask = pm; job.GradPre = pgo; job.Form = form; job.Fp = fp;
            job.BiasSums = db is null ? null : pp + (nint)(parts - 1) * taps * filters;
            job.Geo = g; job.Filters = filters; job.Width = Gemm.Width; job.BlockRows = blockRows;
            job.ImageStride = (nint)hp * wp * g.InC; job.RowStride = (nint)g.StrideH * wp * g.InC;
            try
            {
                Threads.Run(job, nOut, parts);
                // Fixed order: part 0's sums (in dw) + part 1's + ...
                long size = (long)taps * filters;
                for (int p = 1; p < parts; p++)
                    System.Numerics.Tensors.TensorPrimitives.Add(dw.AsSpan(0, (int)size), partials.AsSpan((int)((p - 1) * size), (int)size), dw.AsSpan(0, (int)size));
                if (db is not null)
                {
                    var sums = partials.AsSpan((int)((parts - 1) * size));
                    sums[..filters].CopyTo(db);
                    for (int p = 1; p < parts; p++) System.Numerics.Tensors.TensorPrimitives.Add(db.AsSpan(0, filters), sums.Slice(p * fp, filters), db.AsSpan(0, filters));
                }
            }
            finally
            {
                // No pointer into a caller's (unpinned once we return) array may outlive the call.
                job.Image = job.G = job.Dw = job.Partials = job.Ragged = job.Mask = job.GradPre = job.BiasSums = null;
                job.Off = null;
                Workspace.Return(ref t_job, job);
            }
        }
    }

    private static int Lanes(VectorWidth w) => w == VectorWidth.W512 ? 16 : w == VectorWidth.W256 ? 8 : 4;

    /// <summary>x with the geometry's zero border, hp x wp per image, in the workspace.</summary>
    private static float[] Pad(in ConvGeometry g, float[] x, int hp, int wp, ConvWorkspace ws, string op)
    {
        int c = g.InC;
        var dst = ConvWorkspace.Grow(ref ws.PaddedInput, (long)g.Batch * hp * wp * c, "padded input", op);
        dst.AsSpan(0, g.Batch * hp * wp * c).Clear();
        // The image rows and columns that some window reads (a 'valid' stride may leave the last ones unread).
        int rows = Math.Min(g.InH, hp - g.PadTop), cols = Math.Min(g.InW, wp - g.PadLeft);
        for (int n = 0; n < g.Batch; n++)
            for (int i = 0; i < rows; i++)
                x.AsSpan(((n * g.InH + i) * g.InW) * c, cols * c).CopyTo(dst.AsSpan(((n * hp + i + g.PadTop) * wp + g.PadLeft) * c));
        return dst;
    }

    private sealed class Job : ParallelJob
    {
        public ConvGeometry Geo;
        public float* Image, G, Dw, Partials, Ragged, Mask, GradPre, BiasSums;
        public int* Off;
        public int[] Offsets = Array.Empty<int>();
        public int Filters, BlockRows, Fp;
        public bool Form;
        public nint ImageStride, RowStride;
        public VectorWidth Width;

        public override void Execute(int part, int start, int end)
        {
            switch (Width)
            {
                case VectorWidth.W512: Execute<V512, Vector512<float>>(part, start, end); break;
                case VectorWidth.W256: Execute<V256, Vector256<float>>(part, start, end); break;
                default: Execute<V128, Vector128<float>>(part, start, end); break;
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void Execute<TS, TV>(int part, int start, int end) where TS : struct, ISimd<TV> where TV : struct
        {
            var g = Geo;
            int taps = g.Cols, f = Filters, nr = 2 * TS.Lanes, mr = TS.MR, outW = g.OutW;
            float* acc = part == 0 ? Dw : Partials + (nint)(part - 1) * taps * f;
            float* formed = Ragged + (nint)part * BlockRows * outW * Fp;
            float* bias = BiasSums == null ? null : BiasSums + (nint)part * Fp;
            nint step = (nint)g.StrideW * g.InC;
            for (int r0 = start; r0 < end; r0 += BlockRows)
            {
                int rows = Math.Min(BlockRows, end - r0);
                bool load = r0 > start;
                nint first = (nint)r0 * outW * f;
                if (Form) FormBlock<TS, TV>(first, rows * outW, formed, bias);
                for (int j0 = 0; j0 < f; j0 += nr)
                {
                    int cols = Math.Min(nr, f - j0);
                    float* gb = Form ? formed + j0 : G + first + j0;
                    nint ldg = Form ? Fp : f;
                    var blk = new ConvBackwardTile.Block(Image, ImageStride, RowStride, step, g.OutH, outW, r0, rows, gb, ldg);
                    for (int t0 = 0; t0 < taps; t0 += mr)
                        ConvBackwardTile.Tile<TS, TV>(Math.Min(mr, taps - t0), cols, blk, Off + t0, acc + (nint)t0 * f + j0, f, load);
                }
            }
        }

        /// <summary>
        /// The gradient of <paramref name="pixels"/> pixels from element <paramref name="first"/>: dy masked by the ReLU
        /// output (zero where it is not positive, NaN keeping dy as the activation's own backward does), into the
        /// block (Fp wide, zero past the last filter), into GradPre and added to this part's bias sums when asked.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void FormBlock<TS, TV>(nint first, int pixels, float* dst, float* bias) where TS : struct, ISimd<TV> where TV : struct
        {
            int f = Filters, fp = Fp, lanes = TS.Lanes;
            float* src = G + first, mask = Mask == null ? null : Mask + first, pre = GradPre == null ? null : GradPre + first;
            for (int p = 0; p < pixels; p++, src += f, dst += fp)
            {
                int j = 0;
                for (; j <= f - lanes; j += lanes)
                {
                    var v = TS.Load(src + j);
                    if (mask != null) v = TS.ZeroWhereNotPositive(TS.Load(mask + j), v);
                    TS.Store(v, dst + j);
                    if (pre != null) TS.Store(v, pre + j);
                    if (bias != null) TS.Store(TS.Add(TS.Load(bias + j), v), bias + j);
                }
                for (; j < f; j++)
                {
                    float v = mask != null && mask[j] <= 0 ? 0 : src[j];
                    dst[j] = v;
                    if (pre != null) pre[j] = v;
                    if (bias != null) bias[j] += v;
                }
                for (; j < fp; j++) dst[j] = 0;
                if (mask != null) mask += f;
                if (pre != null) pre += f;
            }
        }
    }
}
