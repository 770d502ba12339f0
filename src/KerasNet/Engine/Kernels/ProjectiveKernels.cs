#nullable enable
namespace KerasNet.Engine.Kernels;

/// <summary>
/// TensorFlow's ImageProjectiveTransformV3 on NHWC float32 images (what tf.keras 2.x's RandomRotation, RandomZoom
/// and RandomTranslation call), and its transpose for the input gradient. Each image has 8 numbers
/// [a0, a1, a2, b0, b1, b2, c0, c1] mapping an OUTPUT pixel (x, y) to the input point
/// ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k), k = c0 x + c1 y + 1. The point is first mapped into the image by
/// the fill mode (TF's MapCoordinate, transcribed operation by operation in float32, including its truncations and the
/// final clamp), then read with nearest (std::round, half away from zero) or bilinear interpolation, where a
/// neighbour outside the image reads the fill value. The output is linear in the input image, so the backward pass
/// recomputes the same taps and scatters the output gradient onto them (a tap reading the fill value gets none).
/// </summary>
internal static class ProjectiveKernels
{
    [ThreadStatic] private static ForwardJob? t_forward;
    [ThreadStatic] private static BackwardJob? t_backward;

    /// <summary>One output pixel's source: up to four pixel indices (-1 reads the fill value) and their weights.</summary>
    private struct Taps
    {
        public long I00, I01, I10, I11;
        public float Wx0, Wx1, Wy0, Wy1;
        public bool Single; // nearest: only I00 with weight 1
        public bool Outside; // the projection is 0: the whole pixel is the fill value
    }

    /// <summary>y = transform(x); transforms holds 8 floats per image.</summary>
    public static void Forward(int batch, int h, int w, int c, float[] x, float[] transforms,
        ImageFillMode mode, ImageInterpolation interpolation, float fillValue, float[] y)
    {
        const string op = "ProjectiveTransform";
        Check(batch, h, w, c, x, nameof(x), transforms, y, nameof(y), mode, interpolation, op);
        var job = Workspace.Rent(ref t_forward);
        (job.H, job.W, job.C, job.X, job.T, job.Mode, job.Bilinear, job.Fill, job.Y) =
            (h, w, c, x, transforms, mode, interpolation == ImageInterpolation.Bilinear, fillValue, y);
        try { Threads.For(batch * h, (long)w * (c * 4 + 16), job); }
        finally
        {
            job.X = job.T = job.Y = null!;
            Workspace.Return(ref t_forward, job);
        }
    }

    /// <summary>dx = the transpose of <see cref="Forward"/> (with the same transforms) applied to dy; dx is overwritten.</summary>
    public static void Backward(int batch, int h, int w, int c, float[] dy, float[] transforms,
        ImageFillMode mode, ImageInterpolation interpolation, float[] dx)
    {
        const string op = "ProjectiveTransformBackward";
        Check(batch, h, w, c, dx, nameof(dx), transforms, dy, nameof(dy), mode, interpolation, op);
        var job = Workspace.Rent(ref t_backward);
        (job.H, job.W, job.C, job.Dy, job.T, job.Mode, job.Bilinear, job.Dx) =
            (h, w, c, dy, transforms, mode, interpolation == ImageInterpolation.Bilinear, dx);
        // One part per image: an image's taps stay inside it, so each thread scatters into its own images only.
        try { Threads.For(batch, (long)h * w * (c * 4 + 16), job); }
        finally
        {
            job.Dy = job.T = job.Dx = null!;
            Workspace.Return(ref t_backward, job);
        }
    }

    private static void Check(int batch, int h, int w, int c, float[] image, string imageName, float[] transforms,
        float[] other, string otherName, ImageFillMode mode, ImageInterpolation interpolation, string op)
    {
        BufferCheck.Dim(batch, nameof(batch), op);
        BufferCheck.Dim(h, nameof(h), op);
        BufferCheck.Dim(w, nameof(w), op);
        BufferCheck.Dim(c, nameof(c), op);
        long n = (long)batch * h * w * c;
        BufferCheck.Length(image, n, imageName, op);
        BufferCheck.Length(other, n, otherName, op);
        BufferCheck.Length(transforms, 8L * batch, nameof(transforms), op);
        if ((uint)mode > (uint)ImageFillMode.Nearest) throw new ArgumentOutOfRangeException(nameof(mode), mode, $"{op}: unknown fill mode.");
        if ((uint)interpolation > (uint)ImageInterpolation.Nearest)
            throw new ArgumentOutOfRangeException(nameof(interpolation), interpolation, $"{op}: unknown interpolation.");
    }

    // ---- TF's MapCoordinate (float32, with its int64 truncations) ----

    private static float Map(float v, int len, ImageFillMode mode) => mode switch
    {
        ImageFillMode.Reflect => Clamp(Reflect(v, len), len),
        ImageFillMode.Wrap => Clamp(Wrap(v, len), len),
        ImageFillMode.Nearest => Clamp(v, len),
        _ => v,
    };

    private static float Clamp(float v, int len) => MathF.Min(MathF.Max(v, 0f), len - 1);

    private static float Reflect(float v, int len)
    {
        if (v < 0)
        {
            if (len <= 1) return 0;
            long sz2 = 2L * len;
            if (v < sz2) v = sz2 * (long)(-v / sz2) + v;
            return v < -len ? v + sz2 : -v - 1;
        }
        if (v > len - 1)
        {
            if (len <= 1) return 0;
            long sz2 = 2L * len;
            v -= sz2 * (long)(v / sz2);
            if (v >= len) v = sz2 - v - 1;
        }
        return v;
    }

    private static float Wrap(float v, int len)
    {
        if (v < 0)
        {
            if (len <= 1) return 0;
            long sz = len - 1;
            v += len * ((long)(-v / sz) + 1);
        }
        else if (v > len - 1)
        {
            if (len <= 1) return 0;
            long sz = len - 1;
            v -= len * (long)(v / sz);
        }
        return v;
    }

    private static long Pixel(long row, long col, int h, int w) => row >= 0 && row < h && col >= 0 && col < w ? row * w + col : -1;

    /// <summary>The taps of output pixel (ox, oy) under the transform t (8 floats).</summary>
    private static Taps Sample(ReadOnlySpan<float> t, int ox, int oy, int h, int w, ImageFillMode mode, bool bilinear)
    {
        var taps = new Taps();
        float fx = ox, fy = oy;
        float projection = t[6] * fx + t[7] * fy + 1f;
        if (projection == 0) { taps.Outside = true; return taps; }
        float inX = (t[0] * fx + t[1] * fy + t[2]) / projection;
        float inY = (t[3] * fx + t[4] * fy + t[5]) / projection;
        float x = Map(inX, w, mode), y = Map(inY, h, mode);
        if (!bilinear)
        {
            taps.Single = true;
            taps.I00 = Pixel((long)MathF.Round(y, MidpointRounding.AwayFromZero), (long)MathF.Round(x, MidpointRounding.AwayFromZero), h, w);
            return taps;
        }
        float yFloor = MathF.Floor(y), xFloor = MathF.Floor(x);
        float yCeil = yFloor + 1, xCeil = xFloor + 1;
        long r0 = (long)yFloor, r1 = (long)yCeil, c0 = (long)xFloor, c1 = (long)xCeil;
        taps.I00 = Pixel(r0, c0, h, w);
        taps.I01 = Pixel(r0, c1, h, w);
        taps.I10 = Pixel(r1, c0, h, w);
        taps.I11 = Pixel(r1, c1, h, w);
        (taps.Wx0, taps.Wx1, taps.Wy0, taps.Wy1) = (xCeil - x, x - xFloor, yCeil - y, y - yFloor);
        return taps;
    }

    private sealed class ForwardJob : ParallelJob
    {
        public int H, W, C;
        public float[] X = null!, T = null!, Y = null!;
        public ImageFillMode Mode;
        public bool Bilinear;
        public float Fill;

        public override void Execute(int part, int r0, int r1)
        {
            int h = H, w = W, c = C;
            for (int r = r0; r < r1; r++)
            {
                int b = r / h, oy = r % h;
                var t = new ReadOnlySpan<float>(T, b * 8, 8);
                long image = (long)b * h * w * c, dst = (long)r * w * c;
                for (int ox = 0; ox < w; ox++, dst += c)
                {
                    var s = Sample(t, ox, oy, h, w, Mode, Bilinear);
                    for (int ch = 0; ch < c; ch++)
                    {
                        float v;
                        if (s.Outside) v = Fill;
                        else if (s.Single) v = Read(image, s.I00, ch);
                        else
                        {
                            // TF's order: value_yfloor, value_yceil, then the blend over y.
                            float top = s.Wx0 * Read(image, s.I00, ch) + s.Wx1 * Read(image, s.I01, ch);
                            float bottom = s.Wx0 * Read(image, s.I10, ch) + s.Wx1 * Read(image, s.I11, ch);
                            v = s.Wy0 * top + s.Wy1 * bottom;
                        }
                        Y[dst + ch] = v;
                    }
                }
            }
        }

        private float Read(long image, long pixel, int ch) => pixel < 0 ? Fill : X[image + pixel * C + ch];
    }

    private sealed class BackwardJob : ParallelJob
    {
        public int H, W, C;
        public float[] Dy = null!, T = null!, Dx = null!;
        public ImageFillMode Mode;
        public bool Bilinear;

        public override void Execute(int part, int b0, int b1)
        {
            int h = H, w = W, c = C;
            long imageSize = (long)h * w * c;
            Array.Clear(Dx, (int)(b0 * imageSize), (int)((b1 - b0) * imageSize));
            for (int b = b0; b < b1; b++)
            {
                var t = new ReadOnlySpan<float>(T, b * 8, 8);
                long image = b * imageSize;
                for (int oy = 0; oy < h; oy++)
                    for (int ox = 0; ox < w; ox++)
                    {
                        var s = Sample(t, ox, oy, h, w, Mode, Bilinear);
                        if (s.Outside) continue;
                        long src = image + ((long)oy * w + ox) * c;
                        if (s.Single) { Add(image, s.I00, src, 1f); continue; }
                        Add(image, s.I00, src, s.Wy0 * s.Wx0);
                        Add(image, s.I01, src, s.Wy0 * s.Wx1);
                        Add(image, s.I10, src, s.Wy1 * s.Wx0);
                        Add(image, s.I11, src, s.Wy1 * s.Wx1);
                    }
            }
        }

        private void Add(long image, long pixel, long src, float weight)
        {
            if (pixel < 0) return;
            long dst = image + pixel * C;
            for (int ch = 0; ch < C; ch++) Dx[dst + ch] += weight * Dy[src + ch];
        }
    }
}
