#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// PIL's mode conversions (libImaging/Convert.c), integer for integer: RGB to L is
/// <c>(R*19595 + G*38470 + B*7471 + 0x8000) &gt;&gt; 16</c> (Pillow 9's rounded form of 0.299/0.587/0.114),
/// RGBA to RGB drops alpha, L to RGB replicates, and RGBA is premultiplied ("RGBa") around a filtered resize.
/// </summary>
internal static class ColorConversion
{
    /// <summary>The PIL mode Keras asks for with <c>color_mode</c>.</summary>
    public static string ModeFor(string colorMode) => colorMode switch
    {
        "rgb" => "RGB",
        "grayscale" => "L",
        "rgba" => "RGBA",
        _ => throw new KerasNetException($"color_mode must be \"grayscale\", \"rgb\" or \"rgba\", got \"{colorMode}\"."),
    };

    public static byte Luma(int r, int g, int b) => (byte)((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);

    /// <summary>Converts between L, LA, RGB and RGBA as <c>Image.convert</c> does.</summary>
    public static PilImage Convert(PilImage im, string mode)
    {
        if (im.Mode == mode) return im;
        int n = im.Width * im.Height, sb = im.Bands, db = PilImage.BandsOf(mode);
        var src = im.Data;
        var dst = new byte[n * db];
        bool srcGray = sb <= 2;
        for (int i = 0; i < n; i++)
        {
            int s = i * sb, d = i * db;
            byte r, g, b;
            if (srcGray) r = g = b = src[s];
            else { r = src[s]; g = src[s + 1]; b = src[s + 2]; }
            byte a = sb == 2 ? src[s + 1] : sb == 4 ? src[s + 3] : (byte)255;
            switch (db)
            {
                case 1: dst[d] = srcGray ? r : Luma(r, g, b); break;
                case 2: dst[d] = srcGray ? r : Luma(r, g, b); dst[d + 1] = a; break;
                case 3: dst[d] = r; dst[d + 1] = g; dst[d + 2] = b; break;
                default: dst[d] = r; dst[d + 1] = g; dst[d + 2] = b; dst[d + 3] = a; break;
            }
        }
        return new PilImage(mode, im.Width, im.Height, dst);
    }

    /// <summary>RGBA to premultiplied RGBa (Convert.c rgbA2rgba, MULDIV255 rounding).</summary>
    public static PilImage Premultiply(PilImage im)
    {
        var d = (byte[])im.Data.Clone();
        for (int i = 0; i < d.Length; i += 4)
        {
            int a = d[i + 3];
            for (int c = 0; c < 3; c++)
            {
                int t = d[i + c] * a + 128;
                d[i + c] = (byte)(((t >> 8) + t) >> 8);
            }
        }
        return new PilImage("RGBa", im.Width, im.Height, d);
    }

    /// <summary>Premultiplied RGBa back to RGBA (Convert.c rgba2rgbA: integer division by alpha, clipped).</summary>
    public static PilImage Unpremultiply(PilImage im)
    {
        var d = (byte[])im.Data.Clone();
        for (int i = 0; i < d.Length; i += 4)
        {
            int a = d[i + 3];
            if (a == 0 || a == 255) continue;
            for (int c = 0; c < 3; c++) d[i + c] = (byte)Math.Min(255, 255 * d[i + c] / a);
        }
        return new PilImage("RGBA", im.Width, im.Height, d);
    }
}
