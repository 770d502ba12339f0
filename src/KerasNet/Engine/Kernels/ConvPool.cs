#nullable enable
using System.Runtime.CompilerServices;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// NHWC max pooling without winners (inference) and average pooling, a register of channels at a time at this
/// machine's width (<see cref="ConvLanes"/>), the rest of the channels scalar. Windows cover only in-image pixels
/// (TensorFlow's padding never counts). A max takes a later pixel only when strictly greater (the first of ties, NaN
/// kept), as <see cref="Pooling"/>'s training path; an average sums the pixels in row order from zero and multiplies by
/// 1 / count, the same operations as that path, so both give the same bits.
/// </summary>
internal static unsafe class ConvPool
{
    [ThreadStatic] private static Job? t_job;

    /// <summary>y = the max (or mean) of each window of x; the caller has checked the geometry and both buffers.</summary>
    public static void Forward(in ConvGeometry g, float[] x, float[] y, bool average)
    {
        var job = Workspace.Rent(ref t_job);
        fixed (float* px = x, py = y)
        {
            job.X = px; job.Y = py;
            (job.G, job.Average) = (g, average);
            try { Threads.For(g.Batch * g.OutH, (long)g.OutW * g.KH * g.KW * g.InC, job); }
            finally
            {
                job.X = job.Y = null; // no pointer into a caller's array may outlive the call
                Workspace.Return(ref t_job, job);
            }
        }
    }

    private sealed class Job : LanesRowJob
    {
        public ConvGeometry G;
        public float* X, Y;
        public bool Average;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        protected override void Row<L, TV>(int r)
        {
            var g = G;
            int c = g.InC, n = r / g.OutH, oh = r % g.OutH;
            int h0 = oh * g.StrideH - g.PadTop, h1 = Math.Min(h0 + g.KH, g.InH);
            h0 = Math.Max(h0, 0);
            float* image = X + (nint)n * g.InH * g.InW * c;
            for (int ow = 0; ow < g.OutW; ow++)
            {
                int w0 = ow * g.StrideW - g.PadLeft, w1 = Math.Min(w0 + g.KW, g.InW);
                w0 = Math.Max(w0, 0);
                float* y = Y + ((nint)r * g.OutW + ow) * c;
                float* first = image + ((nint)h0 * g.InW + w0) * c;
                nint rowStep = (nint)g.InW * c;
                int ch = 0;
                if (Average)
                {
                    float scale = 1f / Math.Max(1, (h1 - h0) * (w1 - w0));
                    for (; ch + L.Count <= c; ch += L.Count)
                    {
                        TV sum = L.Splat(0f);
                        for (float* row = first + ch; row < first + ch + (h1 - h0) * rowStep; row += rowStep)
                            for (int iw = 0; iw < w1 - w0; iw++) sum = L.Add(sum, L.Load(row + (nint)iw * c));
                        L.Store(y + ch, L.Mul(sum, L.Splat(scale)));
                    }
                    for (; ch < c; ch++)
                    {
                        float sum = 0;
                        for (int ih = 0; ih < h1 - h0; ih++)
                            for (int iw = 0; iw < w1 - w0; iw++) sum += first[ih * rowStep + (nint)iw * c + ch];
                        y[ch] = sum * scale;
                    }
                    continue;
                }
                for (; ch + L.Count <= c; ch += L.Count)
                {
                    // Starting from the first pixel and taking it again is harmless: max(a, a) = a.
                    TV best = L.Load(first + ch);
                    for (float* row = first + ch; row < first + ch + (h1 - h0) * rowStep; row += rowStep)
                        for (int iw = 0; iw < w1 - w0; iw++) best = L.MaxKeep(best, L.Load(row + (nint)iw * c));
                    L.Store(y + ch, best);
                }
                for (; ch < c; ch++)
                {
                    float best = first[ch];
                    for (int ih = 0; ih < h1 - h0; ih++)
                        for (int iw = 0; iw < w1 - w0; iw++)
                        {
                            float v = first[ih * rowStep + (nint)iw * c + ch];
                            if (v > best) best = v;
                        }
                    y[ch] = best;
                }
            }
        }
    }
}
