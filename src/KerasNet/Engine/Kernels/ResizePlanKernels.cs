#nullable enable
namespace KerasNet.Engine.Kernels;

/// <summary>
/// NHWC resize and crop through a <see cref="ResizePlan"/>, and the transposed map for the input gradient. The
/// forward interpolation is TensorFlow's compute_lerp: top = tl + (tr - tl) * fx, bottom = bl + (br - bl) * fx,
/// out = top + (bottom - top) * fy, in float32 and in that order, so results match TF to the last bit where its
/// coordinates do. The backward scatters each output gradient onto its (up to four) source pixels with the weights
/// (1 - fy)(1 - fx), (1 - fy) fx, fy (1 - fx), fy fx, as TF's ResizeBilinearGrad does.
/// </summary>
internal static class ResizePlanKernels
{
    [ThreadStatic] private static ForwardJob? t_forward;
    [ThreadStatic] private static BackwardJob? t_backward;

    /// <summary>y[batch, outH, outW, c] = resample(x[batch, inH, inW, c]).</summary>
    public static void Forward(ResizePlan plan, int batch, int channels, float[] x, float[] y)
    {
        const string op = "ResizeForward";
        Check(plan, batch, channels, x, nameof(x), y, nameof(y), op);
        var job = Workspace.Rent(ref t_forward);
        (job.Plan, job.C, job.X, job.Y) = (plan, channels, x, y);
        try { Threads.For(batch * plan.OutH, (long)plan.OutW * channels * 4, job); }
        finally
        {
            job.X = job.Y = null!; job.Plan = null!;
            Workspace.Return(ref t_forward, job);
        }
    }

    /// <summary>dx[batch, inH, inW, c] = the transpose of the resample applied to dy[batch, outH, outW, c] (dx is overwritten).</summary>
    public static void Backward(ResizePlan plan, int batch, int channels, float[] dy, float[] dx)
    {
        const string op = "ResizeBackward";
        Check(plan, batch, channels, dx, nameof(dx), dy, nameof(dy), op);
        var job = Workspace.Rent(ref t_backward);
        (job.Plan, job.C, job.Dy, job.Dx) = (plan, channels, dy, dx);
        // One part per image: each image's gradient is written by one thread, so the scatter needs no atomics.
        try { Threads.For(batch, (long)plan.OutH * plan.OutW * channels * 4, job); }
        finally
        {
            job.Dy = job.Dx = null!; job.Plan = null!;
            Workspace.Return(ref t_backward, job);
        }
    }

    private static void Check(ResizePlan plan, int batch, int channels, float[] input, string inputName, float[] output, string outputName, string op)
    {
        ArgumentNullException.ThrowIfNull(plan);
        BufferCheck.Dim(batch, nameof(batch), op);
        BufferCheck.Dim(channels, nameof(channels), op);
        BufferCheck.Length(input, (long)batch * plan.InH * plan.InW * channels, inputName, op);
        BufferCheck.Length(output, (long)batch * plan.OutH * plan.OutW * channels, outputName, op);
    }

    private sealed class ForwardJob : ParallelJob
    {
        public ResizePlan Plan = null!;
        public int C;
        public float[] X = null!, Y = null!;

        public override void Execute(int part, int r0, int r1)
        {
            var p = Plan;
            int c = C;
            var x = X;
            var y = Y;
            for (int r = r0; r < r1; r++)
            {
                int b = r / p.OutH, oy = r % p.OutH;
                long top = ((long)b * p.InH + p.RowLo[oy]) * p.InW * c, bottom = ((long)b * p.InH + p.RowHi[oy]) * p.InW * c;
                long dst = (long)r * p.OutW * c;
                float fy = p.RowFrac[oy];
                for (int ox = 0; ox < p.OutW; ox++, dst += c)
                {
                    long left = (long)p.ColLo[ox] * c;
                    if (p.Nearest)
                    {
                        Array.Copy(x, top + left, y, dst, c);
                        continue;
                    }
                    long right = (long)p.ColHi[ox] * c;
                    float fx = p.ColFrac[ox];
                    for (int ch = 0; ch < c; ch++)
                    {
                        float tl = x[top + left + ch], tr = x[top + right + ch];
                        float bl = x[bottom + left + ch], br = x[bottom + right + ch];
                        float t = tl + (tr - tl) * fx;
                        float bt = bl + (br - bl) * fx;
                        y[dst + ch] = t + (bt - t) * fy;
                    }
                }
            }
        }
    }

    private sealed class BackwardJob : ParallelJob
    {
        public ResizePlan Plan = null!;
        public int C;
        public float[] Dy = null!, Dx = null!;

        public override void Execute(int part, int b0, int b1)
        {
            var p = Plan;
            int c = C;
            var dy = Dy;
            var dx = Dx;
            long inImage = (long)p.InH * p.InW * c;
            Array.Clear(dx, (int)(b0 * inImage), (int)((b1 - b0) * inImage));
            for (int b = b0; b < b1; b++)
                for (int oy = 0; oy < p.OutH; oy++)
                {
                    long top = ((long)b * p.InH + p.RowLo[oy]) * p.InW * c, bottom = ((long)b * p.InH + p.RowHi[oy]) * p.InW * c;
                    long src = ((long)b * p.OutH + oy) * p.OutW * c;
                    float fy = p.RowFrac[oy];
                    for (int ox = 0; ox < p.OutW; ox++, src += c)
                    {
                        long left = (long)p.ColLo[ox] * c;
                        if (p.Nearest)
                        {
                            for (int ch = 0; ch < c; ch++) dx[top + left + ch] += dy[src + ch];
                            continue;
                        }
                        long right = (long)p.ColHi[ox] * c;
                        float fx = p.ColFrac[ox];
                        float wTl = (1 - fy) * (1 - fx), wTr = (1 - fy) * fx, wBl = fy * (1 - fx), wBr = fy * fx;
                        for (int ch = 0; ch < c; ch++)
                        {
                            float g = dy[src + ch];
                            dx[top + left + ch] += g * wTl;
                            dx[top + right + ch] += g * wTr;
                            dx[bottom + left + ch] += g * wBl;
                            dx[bottom + right + ch] += g * wBr;
                        }
                    }
                }
        }
    }
}
