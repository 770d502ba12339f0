#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// keras_preprocessing's <c>apply_affine_transform</c>: one 3x3 matrix (rotation, shift, shear, zoom, multiplied
/// in that order in double) moved to the centre (h/2 + 0.5, w/2 + 0.5), then sampled per channel like
/// <c>scipy.ndimage.affine_transform(order=1)</c>: output pixel (r, c) reads the input at <c>M·(r, c) + offset</c>
/// with linear weights, and positions outside the image follow scipy's boundary modes ("wrap" is scipy's own, with
/// period n - 1; "reflect" is half-sample symmetric).
/// </summary>
internal static class AffineTransform
{
    /// <summary>The 2x3 input-from-output matrix Keras builds for an (h, w) image, or null for the identity.</summary>
    public static double[]? Matrix(TransformParameters p, int h, int w)
    {
        double[]? m = null;
        if (p.Theta != 0)
        {
            double t = p.Theta * (Math.PI / 180.0);
            m = [Math.Cos(t), -Math.Sin(t), 0, Math.Sin(t), Math.Cos(t), 0, 0, 0, 1];
        }
        if (p.Tx != 0 || p.Ty != 0) m = Mul(m, [1, 0, p.Tx, 0, 1, p.Ty, 0, 0, 1]);
        if (p.Shear != 0)
        {
            double s = p.Shear * (Math.PI / 180.0);
            m = Mul(m, [1, -Math.Sin(s), 0, 0, Math.Cos(s), 0, 0, 0, 1]);
        }
        if (p.Zx != 1 || p.Zy != 1) m = Mul(m, [p.Zx, 0, 0, 0, p.Zy, 0, 0, 0, 1]);
        if (m == null) return null;
        double ox = h / 2.0 + 0.5, oy = w / 2.0 + 0.5;
        m = Mul(Mul([1, 0, ox, 0, 1, oy, 0, 0, 1], m), [1, 0, -ox, 0, 1, -oy, 0, 0, 1]);
        return [m[0], m[1], m[2], m[3], m[4], m[5]];
    }

    // numpy's dot for 3x3 float64 matrices goes to OpenBLAS's dgemm, which accumulates with fused multiply-adds
    // (a0*b0, then fma for the second and third terms). Matching it to the last bit matters: a centre offset one ulp
    // below zero sends a whole edge row to cval in "constant" mode.
    private static double[] Mul(double[]? a, double[] b)
    {
        if (a == null) return b;
        var r = new double[9];
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double s = a[i * 3] * b[j];
                s = Math.FusedMultiplyAdd(a[i * 3 + 1], b[3 + j], s);
                r[i * 3 + j] = Math.FusedMultiplyAdd(a[i * 3 + 2], b[6 + j], s);
            }
        return r;
    }

    /// <summary>Samples <paramref name="src"/> (h, w, c) into <paramref name="dst"/> through the 2x3 matrix.</summary>
    public static void Apply(ReadOnlySpan<float> src, Span<float> dst, int h, int w, int c, double[] m, FillMode mode, double cval)
    {
        Span<int> ri = stackalloc int[2];
        Span<int> ci = stackalloc int[2];
        for (int r = 0; r < h; r++)
            for (int col = 0; col < w; col++)
            {
                double y = 0.0, x = 0.0;
                y += r * m[0]; y += col * m[1]; y += m[2];
                x += r * m[3]; x += col * m[4]; x += m[5];
                int o = (r * w + col) * c;
                if (!Axis(y, h, mode, ri, out double wy) || !Axis(x, w, mode, ci, out double wx))
                {
                    for (int k = 0; k < c; k++) dst[o + k] = (float)cval;
                    continue;
                }
                double wy0 = 1.0 - wy, wx0 = 1.0 - wx;
                wy = 1.0 - wy0; wx = 1.0 - wx0;
                for (int k = 0; k < c; k++)
                {
                    double t = 0.0;
                    t += src[(ri[0] * w + ci[0]) * c + k] * wy0 * wx0;
                    t += src[(ri[0] * w + ci[1]) * c + k] * wy0 * wx;
                    t += src[(ri[1] * w + ci[0]) * c + k] * wy * wx0;
                    t += src[(ri[1] * w + ci[1]) * c + k] * wy * wx;
                    dst[o + k] = (float)t;
                }
            }
    }

    /// <summary>
    /// One axis of scipy's NI_GeometricTransform for order 1: map the coordinate into the image by the mode, then the
    /// two neighbours (mirrored about the edge pixel when they fall outside) and the fraction. False means "use cval".
    /// </summary>
    private static bool Axis(double v, int len, FillMode mode, Span<int> idx, out double frac)
    {
        if (mode == FillMode.Reflect) return ReflectAxis(v, len, idx, out frac);
        double cc = MapCoordinate(v, len, mode);
        frac = 0;
        if (cc <= -1.0) return false;
        int start = (int)Math.Floor(cc);
        frac = cc - Math.Floor(cc);
        for (int l = 0; l < 2; l++)
        {
            long i = start + l;
            if (len <= 1) i = 0;
            else
            {
                long s2 = 2L * len - 2;
                if (i < 0)
                {
                    i = s2 * (-i / s2) + i;
                    i = i <= 1 - len ? i + s2 : -i;
                }
                else if (i >= len)
                {
                    i -= s2 * (i / s2);
                    if (i >= len) i = s2 - i;
                }
            }
            idx[l] = (int)i;
        }
        return true;
    }

    /// <summary>
    /// scipy 1.10's "reflect" for order 1 (measured against it): the signal is extended by half-sample symmetry
    /// (d c b a | a b c d | d c b a, period 2n) and interpolated linearly between the two neighbours in that extension.
    /// </summary>
    private static bool ReflectAxis(double v, int len, Span<int> idx, out double frac)
    {
        double f = Math.Floor(v);
        frac = v - f;
        long start = (long)f, period = 2L * len;
        for (int l = 0; l < 2; l++)
        {
            long m = ((start + l) % period + period) % period;
            idx[l] = (int)(m < len ? m : period - 1 - m);
        }
        return true;
    }

    // scipy ni_interpolation.c map_coordinate; (long) casts truncate toward zero like npy_intp casts in C.
    private static double MapCoordinate(double v, int len, FillMode mode)
    {
        if (v < 0)
        {
            switch (mode)
            {
                case FillMode.Wrap:
                    if (len <= 1) return 0;
                    {
                        long sz = len - 1;
                        return v + sz * ((long)(-v / sz) + 1);
                    }
                case FillMode.Nearest: return 0;
                default: return -1;
            }
        }
        if (v > len - 1)
        {
            switch (mode)
            {
                case FillMode.Wrap:
                    if (len <= 1) return 0;
                    {
                        long sz = len - 1;
                        return v - sz * (long)(v / sz);
                    }
                case FillMode.Nearest: return len - 1;
                default: return -1;
            }
        }
        return v;
    }

    /// <summary>Reverses the column order (horizontal flip) or the row order (vertical flip) in place.</summary>
    public static void Flip(Span<float> img, int h, int w, int c, bool horizontal)
    {
        if (horizontal)
        {
            for (int r = 0; r < h; r++)
                for (int a = 0, b = w - 1; a < b; a++, b--)
                    for (int k = 0; k < c; k++)
                        (img[(r * w + a) * c + k], img[(r * w + b) * c + k]) = (img[(r * w + b) * c + k], img[(r * w + a) * c + k]);
        }
        else
        {
            int row = w * c;
            var tmp = new float[row];
            for (int a = 0, b = h - 1; a < b; a++, b--)
            {
                img.Slice(a * row, row).CopyTo(tmp);
                img.Slice(b * row, row).CopyTo(img.Slice(a * row, row));
                tmp.CopyTo(img.Slice(b * row, row));
            }
        }
    }
}
