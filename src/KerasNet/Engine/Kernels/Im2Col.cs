#nullable enable
namespace KerasNet.Engine.Kernels;

/// <summary>
/// Unfolds NHWC windows into rows (one row per output pixel, columns in (kh, kw, c) order, which is the
/// Keras kernel's (KH, KW, C, F) layout read as a [KH*KW*C, F] matrix) and folds gradients back.
/// </summary>
internal static class Im2Col
{
    public static void Unfold(in ConvGeometry g, float[] x, float[] col)
    {
        var geo = g;
        Threads.For(g.Batch * g.OutH, (long)g.OutW * g.Cols, (r0, r1) =>
        {
            int c = geo.InC, rowLen = geo.Cols;
            for (int r = r0; r < r1; r++)
            {
                int n = r / geo.OutH, oh = r % geo.OutH;
                for (int ow = 0; ow < geo.OutW; ow++)
                {
                    int dst = ((r * geo.OutW) + ow) * rowLen;
                    for (int kh = 0; kh < geo.KH; kh++)
                    {
                        int ih = oh * geo.StrideH - geo.PadTop + kh;
                        for (int kw = 0; kw < geo.KW; kw++)
                        {
                            int iw = ow * geo.StrideW - geo.PadLeft + kw;
                            var d = col.AsSpan(dst + (kh * geo.KW + kw) * c, c);
                            if ((uint)ih < (uint)geo.InH && (uint)iw < (uint)geo.InW)
                                x.AsSpan(((n * geo.InH + ih) * geo.InW + iw) * c, c).CopyTo(d);
                            else d.Clear();
                        }
                    }
                }
            }
        });
    }

    /// <summary>dx = sum of the window rows of dcol scattered back to their pixels (dx overwritten).</summary>
    public static void Fold(in ConvGeometry g, float[] dcol, float[] dx)
    {
        var geo = g;
        // Images are independent, so splitting over the batch needs no locking.
        Threads.For(g.Batch, (long)g.OutH * g.OutW * g.Cols, (n0, n1) =>
        {
            int c = geo.InC, rowLen = geo.Cols;
            for (int n = n0; n < n1; n++)
            {
                dx.AsSpan(n * geo.InH * geo.InW * c, geo.InH * geo.InW * c).Clear();
                for (int oh = 0; oh < geo.OutH; oh++)
                for (int ow = 0; ow < geo.OutW; ow++)
                {
                    int src = (((n * geo.OutH) + oh) * geo.OutW + ow) * rowLen;
                    for (int kh = 0; kh < geo.KH; kh++)
                    {
                        int ih = oh * geo.StrideH - geo.PadTop + kh;
                        if ((uint)ih >= (uint)geo.InH) continue;
                        for (int kw = 0; kw < geo.KW; kw++)
                        {
                            int iw = ow * geo.StrideW - geo.PadLeft + kw;
                            if ((uint)iw >= (uint)geo.InW) continue;
                            var s = dcol.AsSpan(src + (kh * geo.KW + kw) * c, c);
                            var d = dx.AsSpan(((n * geo.InH + ih) * geo.InW + iw) * c, c);
                            System.Numerics.Tensors.TensorPrimitives.Add(d, s, d);
                        }
                    }
                }
            }
        });
    }
}
