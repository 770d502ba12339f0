#nullable enable
using System.Numerics;
using System.Numerics.Tensors;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// NHWC upsampling: nearest (repeat each pixel, as tf.keras's UpSampling2D 'nearest' and RepeatVector) and bilinear
/// (TensorFlow 2's resize_bilinear with half_pixel_centers, which tf.keras 2.4's UpSampling2D 'bilinear' calls through
/// tf.image.resize). Memory-bound: one pass over the output on the calling thread, channels copied or blended as
/// contiguous runs, nothing allocated.
/// </summary>
internal static class ResizeKernels
{
    private static void Check(int batch, int h, int w, int c, long oh, long ow, float[] input, string inputName, float[] output, string outputName, string op)
    {
        BufferCheck.Dim(batch, nameof(batch), op); BufferCheck.Dim(h, nameof(h), op); BufferCheck.Dim(w, nameof(w), op); BufferCheck.Dim(c, nameof(c), op);
        long xn = (long)batch * h * w * c, yn = batch * oh * ow * c;
        if (oh < 0 || ow < 0 || yn > int.MaxValue || xn > int.MaxValue) throw new ArgumentException($"{op}: sizes out of range (output {oh} x {ow}).");
        BufferCheck.Length(input, xn, inputName, op);
        BufferCheck.Length(output, yn, outputName, op);
    }

    private static void CheckFactors(int fh, int fw, string op)
    {
        if (fh < 1 || fw < 1) throw new ArgumentOutOfRangeException(nameof(fh), $"{op}: factors must be at least 1, got {fh} and {fw}.");
    }

    public static void NearestForward(int batch, int h, int w, int c, int fh, int fw, float[] x, float[] y)
    {
        const string op = "UpsampleNearest";
        CheckFactors(fh, fw, op);
        Check(batch, h, w, c, (long)h * fh, (long)w * fw, x, nameof(x), y, nameof(y), op);
        int ow = w * fw, rowOut = ow * c;
        for (int r = 0; r < batch * h; r++)
        {
            // The first copy of the source row is built pixel by pixel; the other fh - 1 copies repeat it whole.
            var first = y.AsSpan(r * fh * rowOut, rowOut);
            var src = x.AsSpan(r * w * c, w * c);
            if (c == 1)
                for (int j = 0; j < w; j++) first.Slice(j * fw, fw).Fill(src[j]);
            else
                for (int j = 0; j < w; j++)
                {
                    var pixel = src.Slice(j * c, c);
                    for (int k = 0; k < fw; k++) pixel.CopyTo(first.Slice((j * fw + k) * c, c));
                }
            for (int k = 1; k < fh; k++) first.CopyTo(y.AsSpan((r * fh + k) * rowOut, rowOut));
        }
    }

    public static void NearestBackward(int batch, int h, int w, int c, int fh, int fw, float[] dy, float[] dx)
    {
        const string op = "UpsampleNearestBackward";
        CheckFactors(fh, fw, op);
        Check(batch, h, w, c, (long)h * fh, (long)w * fw, dx, nameof(dx), dy, nameof(dy), op);
        int rowOut = w * fw * c;
        for (int r = 0; r < batch * h; r++)
        {
            var d = dx.AsSpan(r * w * c, w * c);
            // Row copy 0 initialises, the others add: each dx pixel is the sum over its fh x fw copies.
            for (int k = 0; k < fh; k++)
            {
                var g = dy.AsSpan((r * fh + k) * rowOut, rowOut);
                for (int j = 0; j < w; j++)
                {
                    var pixel = d.Slice(j * c, c);
                    var copies = g.Slice(j * fw * c, fw * c);
                    if (c == 1) { float s = TensorPrimitives.Sum(copies); pixel[0] = k == 0 ? s : pixel[0] + s; continue; }
                    int start = 0;
                    if (k == 0) { copies[..c].CopyTo(pixel); start = 1; }
                    for (int q = start; q < fw; q++) TensorPrimitives.Add(pixel, copies.Slice(q * c, c), pixel);
                }
            }
        }
    }

    /// <summary>TensorFlow's per-axis interpolation: the two source indices and the weight of the second.</summary>
    private static (int lo, int hi, float lerp) Source(int dst, float scale, int size)
    {
        float s = ((float)dst + 0.5f) * scale - 0.5f, f = MathF.Floor(s);
        return (Math.Max((int)f, 0), Math.Min((int)MathF.Ceiling(s), size - 1), s - f);
    }

    public static void BilinearForward(int batch, int h, int w, int c, int outH, int outW, float[] x, float[] y)
    {
        const string op = "ResizeBilinear";
        Check(batch, h, w, c, outH, outW, x, nameof(x), y, nameof(y), op);
        if (h == 0 || w == 0) { y.AsSpan(0, batch * outH * outW * c).Clear(); return; }
        float sh = (float)h / outH, sw = (float)w / outW;
        for (int n = 0; n < batch; n++)
            for (int oy = 0; oy < outH; oy++)
            {
                var (top, bottom, ly) = Source(oy, sh, h);
                int rowTop = (n * h + top) * w, rowBottom = (n * h + bottom) * w;
                for (int ox = 0; ox < outW; ox++)
                {
                    var (left, right, lx) = Source(ox, sw, w);
                    Blend(x.AsSpan((rowTop + left) * c, c), x.AsSpan((rowTop + right) * c, c),
                        x.AsSpan((rowBottom + left) * c, c), x.AsSpan((rowBottom + right) * c, c),
                        lx, ly, y.AsSpan(((n * outH + oy) * outW + ox) * c, c));
                }
            }
    }

    /// <summary>TensorFlow's compute_lerp per channel: top = a + (b - a) lx, bottom = c + (d - c) lx, top + (bottom - top) ly.</summary>
    private static void Blend(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, ReadOnlySpan<float> d, float lx, float ly, Span<float> o)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated && o.Length >= Vector<float>.Count)
        {
            var vx = new Vector<float>(lx);
            var vy = new Vector<float>(ly);
            for (; i <= o.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var va = new Vector<float>(a[i..]);
                var vc = new Vector<float>(c[i..]);
                var t = va + (new Vector<float>(b[i..]) - va) * vx;
                var u = vc + (new Vector<float>(d[i..]) - vc) * vx;
                (t + (u - t) * vy).CopyTo(o[i..]);
            }
        }
        for (; i < o.Length; i++)
        {
            float t = a[i] + (b[i] - a[i]) * lx, u = c[i] + (d[i] - c[i]) * lx;
            o[i] = t + (u - t) * ly;
        }
    }

    /// <summary>TensorFlow's ResizeBilinearGrad: each output gradient goes to its four sources with the forward weights.</summary>
    public static void BilinearBackward(int batch, int h, int w, int c, int outH, int outW, float[] dy, float[] dx)
    {
        const string op = "ResizeBilinearBackward";
        Check(batch, h, w, c, outH, outW, dx, nameof(dx), dy, nameof(dy), op);
        dx.AsSpan(0, batch * h * w * c).Clear();
        if (h == 0 || w == 0) return;
        float sh = (float)h / outH, sw = (float)w / outW;
        for (int n = 0; n < batch; n++)
            for (int oy = 0; oy < outH; oy++)
            {
                var (top, bottom, ly) = Source(oy, sh, h);
                int rowTop = (n * h + top) * w, rowBottom = (n * h + bottom) * w;
                for (int ox = 0; ox < outW; ox++)
                {
                    var (left, right, lx) = Source(ox, sw, w);
                    var g = dy.AsSpan(((n * outH + oy) * outW + ox) * c, c);
                    float iy = 1f - ly, ix = 1f - lx;
                    Accumulate(g, iy * ix, dx.AsSpan((rowTop + left) * c, c));
                    Accumulate(g, iy * lx, dx.AsSpan((rowTop + right) * c, c));
                    Accumulate(g, ly * ix, dx.AsSpan((rowBottom + left) * c, c));
                    Accumulate(g, ly * lx, dx.AsSpan((rowBottom + right) * c, c));
                }
            }
    }

    private static void Accumulate(ReadOnlySpan<float> g, float weight, Span<float> d)
    {
        if (d.Length == 1) d[0] += g[0] * weight;
        else TensorPrimitives.MultiplyAdd(g, weight, d, d);
    }
}
