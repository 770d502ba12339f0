#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// Binary PGM/PPM (P5/P6), which Keras lists and StbImageSharp does not read, decoded as PIL 9 does: maxval 255 is
/// raw; other maxvals are rescaled to 0..255 with Python's rounding, except 16-bit greyscale, which PIL opens as mode
/// "I" and clips at 255 when converting (like 16-bit PNGs).
/// </summary>
internal static class PnmDecoder
{
    public static PilImage Decode(string path, byte[] b, Action<long, long> checkSize)
    {
        bool color = b[1] == '6';
        int pos = 2;
        int width = Token(path, b, ref pos), height = Token(path, b, ref pos), maxval = Token(path, b, ref pos);
        pos++; // the single whitespace byte after maxval
        if (maxval <= 0 || maxval >= 65536) throw new InvalidImageException(path, $"the PPM maxval {maxval} is not between 1 and 65535.");
        checkSize(width, height);
        int bands = color ? 3 : 1, sampleBytes = maxval < 256 ? 1 : 2;
        long need = (long)width * height * bands;
        if (pos + need * sampleBytes > b.Length) throw new InvalidImageException(path, "the PPM file is truncated.");
        var data = new byte[need];
        for (long i = 0; i < need; i++)
        {
            int v = sampleBytes == 1 ? b[pos + i] : (b[pos + 2 * i] << 8) | b[pos + 2 * i + 1];
            data[i] = maxval == 255 ? (byte)v
                : !color && maxval > 255 ? (byte)Math.Min(255.0, Math.Round(Math.Min(v, maxval) / (double)maxval * 65535, MidpointRounding.ToEven))
                : (byte)Math.Min(255.0, Math.Round(v / (double)maxval * 255, MidpointRounding.ToEven));
        }
        return new PilImage(color ? "RGB" : "L", width, height, data);
    }

    private static int Token(string path, byte[] b, ref int pos)
    {
        while (pos < b.Length && (char.IsWhiteSpace((char)b[pos]) || b[pos] == '#'))
        {
            if (b[pos] == '#') while (pos < b.Length && b[pos] != '\n' && b[pos] != '\r') pos++;
            else pos++;
        }
        long v = 0;
        int start = pos;
        while (pos < b.Length && b[pos] >= '0' && b[pos] <= '9' && v <= int.MaxValue) v = v * 10 + (b[pos++] - '0');
        if (pos == start || v > int.MaxValue) throw new InvalidImageException(path, "the PPM header is corrupt.");
        return (int)v;
    }
}
