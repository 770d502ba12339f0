#nullable enable
using System.Buffers.Binary;
using System.IO.Compression;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// Decodes 16-bit greyscale PNGs, the one PNG kind where stb and PIL disagree: stb keeps the high byte, while PIL
/// opens the file as mode "I" (full 16-bit values) and converting that to L or RGB clips at 255. So every value
/// of 255 or more becomes 255 and only the very darkest levels survive: that is what Keras users get.
/// </summary>
internal static class Png16Decoder
{
    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>Whether the PNG header declares 16-bit greyscale (colour type 0, depth 16).</summary>
    public static bool Applies(ReadOnlySpan<byte> png) => png.Length > 26 && png[24] == 16 && png[25] == 0;

    public static PilImage Decode(string path, byte[] png)
    {
        int width = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), height = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20));
        bool interlaced = png[28] == 1;
        using var idat = new MemoryStream();
        int pos = 8;
        while (pos + 8 <= png.Length)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            if (len < 0 || pos + 12L + len > png.Length) throw new InvalidImageException(path, "the PNG file is truncated (a chunk runs past the end of the file).");
            var type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            if (type == "IDAT") idat.Write(png, pos + 8, len);
            if (type == "IEND") break;
            pos += 12 + len;
        }
        idat.Position = 0;
        byte[] raw;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            using var all = new MemoryStream();
            z.CopyTo(all);
            raw = all.ToArray();
        }
        catch (InvalidDataException e) { throw new InvalidImageException(path, "the PNG image data is corrupt (" + e.Message + ").", e); }

        var dst = new byte[checked(width * height)];
        int offset = 0;
        if (!interlaced) Unfilter(path, raw, ref offset, width, height, (x, y, v) => dst[y * width + x] = v);
        else
            foreach (var (x0, y0, dx, dy) in Adam7)
            {
                int pw = (width - x0 + dx - 1) / dx, ph = (height - y0 + dy - 1) / dy;
                if (pw > 0 && ph > 0)
                    Unfilter(path, raw, ref offset, pw, ph, (x, y, v) => dst[(y0 + y * dy) * width + x0 + x * dx] = v);
            }
        return new PilImage("L", width, height, dst);
    }

    // Undoes the PNG row filters (2 bytes per pixel) and hands each pixel, clipped to 0..255 as PIL's I->L does, to `put`.
    private static void Unfilter(string path, byte[] raw, ref int offset, int w, int h, Action<int, int, byte> put)
    {
        int stride = w * 2;
        if (offset + (long)(stride + 1) * h > raw.Length) throw new InvalidImageException(path, "the PNG file is truncated (image data ends early).");
        var prev = new byte[stride];
        var cur = new byte[stride];
        for (int y = 0; y < h; y++)
        {
            int filter = raw[offset++];
            Array.Copy(raw, offset, cur, 0, stride);
            offset += stride;
            for (int i = 0; i < stride; i++)
            {
                int a = i >= 2 ? cur[i - 2] : 0, b = prev[i], c = i >= 2 ? prev[i - 2] : 0;
                cur[i] = (byte)(cur[i] + filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    4 => Paeth(a, b, c),
                    _ => throw new InvalidImageException(path, $"the PNG image data is corrupt (row filter {filter})."),
                });
            }
            for (int x = 0; x < w; x++)
            {
                int v = (cur[2 * x] << 8) | cur[2 * x + 1];
                put(x, y, (byte)Math.Min(v, 255));
            }
            (prev, cur) = (cur, prev);
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
