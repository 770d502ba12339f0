#nullable enable
using System.Numerics.Tensors;

namespace KerasNet.Engine.Kernels;

/// <summary>NHWC max and average pooling with TensorFlow's padding semantics.</summary>
internal static class Pooling
{
    public static void MaxForward(in ConvGeometry g, float[] x, float[] y, int[] argmax)
    {
        var geo = g;
        bool record = argmax.Length > 0;
        Threads.For(g.Batch * g.OutH, (long)g.OutW * g.KH * g.KW * g.InC, (r0, r1) =>
        {
            int c = geo.InC;
            for (int r = r0; r < r1; r++)
            {
                int n = r / geo.OutH, oh = r % geo.OutH;
                for (int ow = 0; ow < geo.OutW; ow++)
                {
                    int o = ((r * geo.OutW) + ow) * c;
                    for (int ch = 0; ch < c; ch++) { y[o + ch] = float.NegativeInfinity; if (record) argmax[o + ch] = -1; }
                    for (int kh = 0; kh < geo.KH; kh++)
                    {
                        int ih = oh * geo.StrideH - geo.PadTop + kh;
                        if ((uint)ih >= (uint)geo.InH) continue;
                        for (int kw = 0; kw < geo.KW; kw++)
                        {
                            int iw = ow * geo.StrideW - geo.PadLeft + kw;
                            if ((uint)iw >= (uint)geo.InW) continue;
                            int i = ((n * geo.InH + ih) * geo.InW + iw) * c;
                            for (int ch = 0; ch < c; ch++)
                            {
                                float v = x[i + ch];
                                // Strict '>' keeps the first maximum, as TensorFlow's and PyTorch's gradients do.
                                if (v > y[o + ch] || (record && argmax[o + ch] < 0 && float.IsNaN(v)))
                                {
                                    y[o + ch] = v;
                                    if (record) argmax[o + ch] = i + ch;
                                }
                            }
                        }
                    }
                }
            }
        });
    }

    public static void MaxBackward(in ConvGeometry g, float[] dy, int[] argmax, float[] dx)
    {
        int inLen = g.Batch * g.InH * g.InW * g.InC, outLen = g.Batch * g.OutH * g.OutW * g.InC;
        Array.Clear(dx, 0, inLen);
        for (int o = 0; o < outLen; o++)
        {
            int i = argmax[o];
            if (i >= 0) dx[i] += dy[o];
        }
    }

    /// <summary>The in-image range [h0, h1) x [w0, w1) of one window: padding never counts.</summary>
    private static (int h0, int h1, int w0, int w1) Window(in ConvGeometry g, int oh, int ow)
    {
        int h0 = oh * g.StrideH - g.PadTop, w0 = ow * g.StrideW - g.PadLeft;
        return (Math.Max(h0, 0), Math.Min(h0 + g.KH, g.InH), Math.Max(w0, 0), Math.Min(w0 + g.KW, g.InW));
    }

    public static void AvgForward(in ConvGeometry g, float[] x, float[] y)
    {
        var geo = g;
        Threads.For(g.Batch * g.OutH, (long)g.OutW * g.KH * g.KW * g.InC, (r0, r1) =>
        {
            int c = geo.InC;
            for (int r = r0; r < r1; r++)
            {
                int n = r / geo.OutH, oh = r % geo.OutH;
                for (int ow = 0; ow < geo.OutW; ow++)
                {
                    var yo = y.AsSpan(((r * geo.OutW) + ow) * c, c);
                    yo.Clear();
                    var (h0, h1, w0, w1) = Window(geo, oh, ow);
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++)
                            TensorPrimitives.Add(yo, x.AsSpan(((n * geo.InH + ih) * geo.InW + iw) * c, c), yo);
                    TensorPrimitives.Multiply(yo, 1f / Math.Max(1, (h1 - h0) * (w1 - w0)), yo);
                }
            }
        });
    }

    public static void AvgBackward(in ConvGeometry g, float[] dy, float[] dx)
    {
        var geo = g;
        Threads.For(g.Batch, (long)g.OutH * g.OutW * g.KH * g.KW * g.InC, (n0, n1) =>
        {
            int c = geo.InC;
            for (int n = n0; n < n1; n++)
            {
                dx.AsSpan(n * geo.InH * geo.InW * c, geo.InH * geo.InW * c).Clear();
                for (int oh = 0; oh < geo.OutH; oh++)
                for (int ow = 0; ow < geo.OutW; ow++)
                {
                    var (h0, h1, w0, w1) = Window(geo, oh, ow);
                    float scale = 1f / Math.Max(1, (h1 - h0) * (w1 - w0));
                    var go = dy.AsSpan((((n * geo.OutH) + oh) * geo.OutW + ow) * c, c);
                    for (int ih = h0; ih < h1; ih++)
                        for (int iw = w0; iw < w1; iw++)
                        {
                            var d = dx.AsSpan(((n * geo.InH + ih) * geo.InW + iw) * c, c);
                            TensorPrimitives.MultiplyAdd(go, scale, d, d);
                        }
                }
            }
        });
    }
}
