#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// <c>Image.resize</c> of Pillow 9 for 8-bit images. "nearest" is libImaging's ImagingScaleAffine (a source
/// position accumulated in double from <c>scale/2</c> and truncated), so it is bit-identical. The filters run
/// Resample.c's two passes (horizontal then vertical, 8-bit between them) with the support widened by the scale
/// when downscaling (antialiasing) and 22-bit fixed-point weights, which reproduces PIL's bytes.
/// </summary>
internal static class PilResize
{
    private const int PrecisionBits = 32 - 8 - 2;

    /// <summary>The interpolation names Keras accepts.</summary>
    public static readonly string[] Methods = ["nearest", "bilinear", "bicubic", "lanczos", "box", "hamming"];

    public static PilImage Resize(PilImage im, int width, int height, string interpolation)
    {
        if (im.Width == width && im.Height == height) return im;
        if (interpolation == "nearest") return Nearest(im, width, height);
        var (filter, support) = FilterOf(interpolation);
        if (im.Mode == "RGBA")
            return ColorConversion.Unpremultiply(Filtered(ColorConversion.Premultiply(im), width, height, filter, support));
        return Filtered(im, width, height, filter, support);
    }

    private static PilImage Nearest(PilImage im, int width, int height) => NearestBox(im, width, height, 0, 0, im.Width, im.Height);

    /// <summary>
    /// <c>Image.resize(size, NEAREST, box=(x0, y0, x0 + boxWidth, y0 + boxHeight))</c>: ImagingTransform's affine
    /// <c>a = [boxWidth / width, 0, x0, 0, boxHeight / height, y0]</c>, the source position starting at
    /// <c>x0 + a0 / 2</c> (load_img's keep_aspect_ratio crop).
    /// </summary>
    public static PilImage NearestBox(PilImage im, int width, int height, int x0, int y0, int boxWidth, int boxHeight)
    {
        int bands = im.Bands;
        double a0 = (double)boxWidth / width, a4 = (double)boxHeight / height;
        var xin = new int[width];
        double xo = x0 + a0 * 0.5;
        for (int x = 0; x < width; x++) { xin[x] = Coord(xo, im.Width); xo += a0; }
        var dst = new byte[width * height * bands];
        double yo = y0 + a4 * 0.5;
        for (int y = 0; y < height; y++)
        {
            int yi = Coord(yo, im.Height);
            yo += a4;
            if (yi < 0) continue; // PIL fills rows outside the source with zeros; never happens for a plain resize
            int srow = yi * im.Width * bands, drow = y * width * bands;
            for (int x = 0; x < width; x++)
            {
                if (xin[x] < 0) continue;
                Buffer.BlockCopy(im.Data, srow + xin[x] * bands, dst, drow + x * bands, bands);
            }
        }
        return new PilImage(im.Mode, width, height, dst);
    }

    // libImaging's COORD(): negative positions map to -1, others truncate; out-of-range ones are skipped.
    private static int Coord(double v, int size)
    {
        int i = v < 0.0 ? -1 : (int)v;
        return i < size ? i : -1;
    }

    private static (Func<double, double> Filter, double Support) FilterOf(string name) => name switch
    {
        "bilinear" => (Bilinear, 1.0),
        "bicubic" => (Bicubic, 2.0),
        "lanczos" => (Lanczos, 3.0),
        "box" => (Box, 0.5),
        "hamming" => (Hamming, 1.0),
        _ => throw new KerasNetException($"interpolation must be one of {string.Join(", ", Methods)}, got \"{name}\"."),
    };

    private static double Box(double x) => x > -0.5 && x <= 0.5 ? 1.0 : 0.0;

    private static double Bilinear(double x)
    {
        if (x < 0.0) x = -x;
        return x < 1.0 ? 1.0 - x : 0.0;
    }

    private static double Hamming(double x)
    {
        if (x < 0.0) x = -x;
        if (x == 0.0) return 1.0;
        if (x >= 1.0) return 0.0;
        x *= Math.PI;
        return Math.Sin(x) / x * (0.54f + 0.46f * Math.Cos(x));
    }

    private static double Bicubic(double x)
    {
        const double a = -0.5;
        if (x < 0.0) x = -x;
        if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
        return 0.0;
    }

    private static double Sinc(double x)
    {
        if (x == 0.0) return 1.0;
        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    private static double Lanczos(double x) => -3.0 <= x && x < 3.0 ? Sinc(x) * Sinc(x / 3) : 0.0;

    /// <summary>Resample.c precompute_coeffs + normalize_coeffs_8bpc: per output pixel a start, a count and fixed-point weights.</summary>
    private static (int[] Bounds, int[] Weights, int KSize) Coefficients(int inSize, int outSize, Func<double, double> filter, double filterSupport)
    {
        double scale = (double)inSize / outSize, filterScale = Math.Max(scale, 1.0);
        double support = filterSupport * filterScale;
        int ksize = (int)Math.Ceiling(support) * 2 + 1;
        var bounds = new int[outSize * 2];
        var weights = new int[outSize * ksize];
        var k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++)
        {
            double center = (xx + 0.5) * scale, ww = 0.0, ss = 1.0 / filterScale;
            int xmin = Math.Max(0, (int)(center - support + 0.5));
            int xmax = Math.Min(inSize, (int)(center + support + 0.5)) - xmin;
            for (int x = 0; x < xmax; x++) { k[x] = filter((x + xmin - center + 0.5) * ss); ww += k[x]; }
            for (int x = 0; x < xmax; x++)
            {
                double w = ww != 0.0 ? k[x] / ww : k[x];
                weights[xx * ksize + x] = w < 0 ? (int)(-0.5 + w * (1 << PrecisionBits)) : (int)(0.5 + w * (1 << PrecisionBits));
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return (bounds, weights, ksize);
    }

    private static byte Clip8(int v)
    {
        v >>= PrecisionBits;
        return v < 0 ? (byte)0 : v > 255 ? (byte)255 : (byte)v;
    }

    private static PilImage Filtered(PilImage im, int width, int height, Func<double, double> filter, double support)
    {
        int bands = im.Bands;
        var (vb, vw, vk) = Coefficients(im.Height, height, filter, support);
        byte[] src = im.Data;
        int srcW = im.Width, srcH = im.Height;
        if (width != im.Width)
        {
            // Only the rows the vertical pass reads are filtered horizontally (ybox_first..ybox_last), as PIL does.
            int first = vb[0], last = vb[height * 2 - 2] + vb[height * 2 - 1];
            var (hb, hw, hk) = Coefficients(im.Width, width, filter, support);
            var tmp = new byte[(last - first) * width * bands];
            for (int y = 0; y < last - first; y++)
            {
                int srow = (y + first) * srcW * bands;
                for (int xx = 0; xx < width; xx++)
                {
                    int xmin = hb[xx * 2], n = hb[xx * 2 + 1], kOff = xx * hk;
                    for (int c = 0; c < bands; c++)
                    {
                        int ss = 1 << (PrecisionBits - 1);
                        for (int x = 0; x < n; x++) ss += src[srow + (x + xmin) * bands + c] * hw[kOff + x];
                        tmp[(y * width + xx) * bands + c] = Clip8(ss);
                    }
                }
            }
            for (int i = 0; i < height; i++) vb[i * 2] -= first;
            src = tmp; srcW = width; srcH = last - first;
        }
        if (height == im.Height) return new PilImage(im.Mode, width, height, src.Length == width * height * bands ? src : (byte[])src.Clone());
        var dst = new byte[width * height * bands];
        for (int yy = 0; yy < height; yy++)
        {
            int ymin = vb[yy * 2], n = vb[yy * 2 + 1], kOff = yy * vk;
            for (int x = 0; x < srcW * bands; x++)
            {
                int ss = 1 << (PrecisionBits - 1);
                for (int y = 0; y < n; y++) ss += src[(y + ymin) * srcW * bands + x] * vw[kOff + y];
                dst[yy * srcW * bands + x] = Clip8(ss);
            }
        }
        return new PilImage(im.Mode, width, height, dst);
    }
}
