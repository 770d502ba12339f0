#nullable enable

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Unfolds NHWC windows into rows (one row per output pixel, columns in (kh, kw, c) order, which is the
/// Keras kernel's (KH, KW, C, F) layout read as a [KH*KW*C, F] matrix) and folds gradients back.
/// A window row's KW*C values are contiguous in NHWC input, so each (pixel, kh) is one block copy.
/// </summary>
internal static unsafe class Im2Col
{
    [ThreadStatic] private static Job? t_job;

    /// <summary>col[Rows, Cols] = the windows of x (zero where they cover padding).</summary>
    public static void Unfold(in ConvGeometry g, float[] x, float[] col)
    {
        Check(g, x, nameof(x), col, nameof(col), "Im2Col");
        Start(g, x, col, fold: false);
    }

    /// <summary>dx = sum of the window rows of dcol scattered back to their pixels (dx overwritten).</summary>
    public static void Fold(in ConvGeometry g, float[] dcol, float[] dx)
    {
        Check(g, dx, nameof(dx), dcol, nameof(dcol), "Col2Im");
        Start(g, dx, dcol, fold: true);
    }

    private static void Check(in ConvGeometry g, float[] image, string imageName, float[] col, string colName, string op)
    {
        BufferCheck.Geometry(g, op);
        BufferCheck.Length(image, BufferCheck.InputLength(g), imageName, op);
        BufferCheck.Length(col, (long)g.Rows * g.Cols, colName, op);
    }

    private static void Start(in ConvGeometry g, float[] image, float[] col, bool fold)
    {
        var job = Workspace.Rent(ref t_job);
        fixed (float* pi = image, pc = col)
        {
            job.G = g; job.Image = pi; job.Col = pc; job.FoldBack = fold;
            try
            {
                // Folding splits over images (they never overlap); unfolding over output rows.
                if (fold) Threads.For(g.Batch, (long)g.OutH * g.OutW * g.Cols, job);
                else Threads.For(g.Batch * g.OutH, (long)g.OutW * g.Cols, job);
            }
            finally
            {
                // No pointer into a caller's (unpinned once we return) array may outlive the call, even on an exception.
                job.Image = job.Col = null;
                Workspace.Return(ref t_job, job);
            }
        }
    }

    private sealed class Job : ParallelJob
    {
        public ConvGeometry G;
        public float* Image, Col;
        public bool FoldBack;

        public override void Execute(int part, int start, int end)
        {
            if (FoldBack) for (int n = start; n < end; n++) FoldImage(n);
            else for (int r = start; r < end; r++) UnfoldRow(r / G.OutH, r % G.OutH);
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void UnfoldRow(int n, int oh)
        {
            var g = G;
            int c = g.InC, rowLen = g.Cols;
            for (int ow = 0; ow < g.OutW; ow++)
            {
                float* dst = Col + ((nint)(n * g.OutH + oh) * g.OutW + ow) * rowLen;
                int iw0 = ow * g.StrideW - g.PadLeft;
                int kw0 = Math.Max(0, -iw0), kw1 = Math.Min(g.KW, g.InW - iw0);
                for (int kh = 0; kh < g.KH; kh++, dst += g.KW * c)
                {
                    int ih = oh * g.StrideH - g.PadTop + kh;
                    if ((uint)ih >= (uint)g.InH || kw1 <= kw0) { new Span<float>(dst, g.KW * c).Clear(); continue; }
                    if (kw0 > 0) new Span<float>(dst, kw0 * c).Clear();
                    float* src = Image + ((nint)(n * g.InH + ih) * g.InW + iw0 + kw0) * c;
                    Copy(src, dst + kw0 * c, (kw1 - kw0) * c);
                    if (kw1 < g.KW) new Span<float>(dst + kw1 * c, (g.KW - kw1) * c).Clear();
                }
            }
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void FoldImage(int n)
        {
            var g = G;
            int c = g.InC, rowLen = g.Cols;
            new Span<float>(Image + (nint)n * g.InH * g.InW * c, g.InH * g.InW * c).Clear();
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                {
                    float* src = Col + ((nint)(n * g.OutH + oh) * g.OutW + ow) * rowLen;
                    int iw0 = ow * g.StrideW - g.PadLeft;
                    int kw0 = Math.Max(0, -iw0), kw1 = Math.Min(g.KW, g.InW - iw0);
                    if (kw1 <= kw0) continue;
                    for (int kh = 0; kh < g.KH; kh++)
                    {
                        int ih = oh * g.StrideH - g.PadTop + kh;
                        if ((uint)ih >= (uint)g.InH) continue;
                        float* dst = Image + ((nint)(n * g.InH + ih) * g.InW + iw0 + kw0) * c;
                        RowOps.AddTo(src + (kh * g.KW + kw0) * c, dst, (kw1 - kw0) * c);
                    }
                }
        }

        private static void Copy(float* src, float* dst, int len)
        {
            if (len <= 16) { for (int i = 0; i < len; i++) dst[i] = src[i]; return; }
            new ReadOnlySpan<float>(src, len).CopyTo(new Span<float>(dst, len));
        }
    }
}
