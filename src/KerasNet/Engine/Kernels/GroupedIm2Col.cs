#nullable enable
using System.Runtime.CompilerServices;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// im2col for dilated and grouped convolutions (<see cref="ConvSpec"/>): one group's windows unfolded into rows of
/// (kh, kw, channel-of-the-group) values, which is that group's slice of the Keras kernel (KH, KW, C / groups, F) read
/// as a [KH * KW * C / groups, F] matrix, and the gradient folded back into the group's channels. The plain case
/// (no dilation, one group) goes through <see cref="Im2Col"/>, whose block copies rely on contiguous windows; here
/// taps are apart, so each (pixel, tap) copies the group's channels on their own.
/// </summary>
internal static unsafe class GroupedIm2Col
{
    [ThreadStatic] private static Job? t_job;

    /// <summary>col[Rows, GroupCols] = the windows of x's channels of <paramref name="group"/> (zero over padding).</summary>
    public static void Unfold(in ConvSpec s, int group, float[] x, float[] col)
    {
        Check(s, group, x, nameof(x), col, nameof(col), "GroupedIm2Col");
        Start(s, group, x, col, fold: false);
    }

    /// <summary>
    /// dx's channels of <paramref name="group"/> = the sum of dcol's window rows scattered back to their pixels
    /// (those channels overwritten, the other groups' channels left as they are).
    /// </summary>
    public static void Fold(in ConvSpec s, int group, float[] dcol, float[] dx)
    {
        Check(s, group, dx, nameof(dx), dcol, nameof(dcol), "GroupedCol2Im");
        Start(s, group, dx, dcol, fold: true);
    }

    private static void Check(in ConvSpec s, int group, float[] image, string imageName, float[] col, string colName, string op)
    {
        if ((uint)group >= (uint)s.Groups) throw new ArgumentOutOfRangeException(nameof(group), group, $"{op}: group {group} of {s.Groups}.");
        BufferCheck.Length(image, s.InputLength, imageName, op);
        BufferCheck.Length(col, (long)s.Rows * s.GroupCols, colName, op);
    }

    private static void Start(in ConvSpec s, int group, float[] image, float[] col, bool fold)
    {
        var job = Workspace.Rent(ref t_job);
        fixed (float* pi = image, pc = col)
        {
            job.S = s; job.Image = pi; job.Col = pc; job.FoldBack = fold; job.Offset = group * s.GroupChannels;
            try
            {
                // Folding splits over images (their pixels never overlap); unfolding over output rows.
                if (fold) Threads.For(s.Batch, (long)s.OutH * s.OutW * s.GroupCols, job);
                else Threads.For(s.Batch * s.OutH, (long)s.OutW * s.GroupCols, job);
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
        public ConvSpec S;
        public float* Image, Col;
        public bool FoldBack;
        public int Offset;

        public override void Execute(int part, int start, int end)
        {
            if (FoldBack) for (int n = start; n < end; n++) FoldImage(n);
            else for (int r = start; r < end; r++) UnfoldRow(r / S.OutH, r % S.OutH);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void UnfoldRow(int n, int oh)
        {
            var s = S;
            int cg = s.GroupChannels;
            float* dst = Col + (nint)(n * s.OutH + oh) * s.OutW * s.GroupCols;
            for (int ow = 0; ow < s.OutW; ow++)
                for (int kh = 0; kh < s.KH; kh++)
                {
                    int ih = oh * s.StrideH - s.PadTop + kh * s.DilationH;
                    for (int kw = 0; kw < s.KW; kw++, dst += cg)
                    {
                        int iw = ow * s.StrideW - s.PadLeft + kw * s.DilationW;
                        if ((uint)ih >= (uint)s.InH || (uint)iw >= (uint)s.InW) { new Span<float>(dst, cg).Clear(); continue; }
                        float* src = Image + ((nint)(n * s.InH + ih) * s.InW + iw) * s.InC + Offset;
                        new ReadOnlySpan<float>(src, cg).CopyTo(new Span<float>(dst, cg));
                    }
                }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void FoldImage(int n)
        {
            var s = S;
            int cg = s.GroupChannels;
            float* image = Image + (nint)n * s.InH * s.InW * s.InC;
            if (cg == s.InC) new Span<float>(image, s.InH * s.InW * s.InC).Clear();
            else for (int p = 0; p < s.InH * s.InW; p++) new Span<float>(image + (nint)p * s.InC + Offset, cg).Clear();
            float* src = Col + (nint)n * s.OutH * s.OutW * s.GroupCols;
            for (int oh = 0; oh < s.OutH; oh++)
                for (int ow = 0; ow < s.OutW; ow++)
                    for (int kh = 0; kh < s.KH; kh++)
                    {
                        int ih = oh * s.StrideH - s.PadTop + kh * s.DilationH;
                        for (int kw = 0; kw < s.KW; kw++, src += cg)
                        {
                            int iw = ow * s.StrideW - s.PadLeft + kw * s.DilationW;
                            if ((uint)ih >= (uint)s.InH || (uint)iw >= (uint)s.InW) continue;
                            RowOps.AddTo(src, image + ((nint)ih * s.InW + iw) * s.InC + Offset, cg);
                        }
                    }
        }
    }

    /// <summary>dst[r, dstOffset ..+ width] = src[r, srcOffset ..+ width] for rows r (row-major, the given row lengths).</summary>
    public static void CopyColumns(float[] src, int srcLd, int srcOffset, float[] dst, int dstLd, int dstOffset, int rows, int width)
    {
        for (int r = 0; r < rows; r++)
            src.AsSpan((int)((long)r * srcLd + srcOffset), width).CopyTo(dst.AsSpan((int)((long)r * dstLd + dstOffset), width));
    }
}
