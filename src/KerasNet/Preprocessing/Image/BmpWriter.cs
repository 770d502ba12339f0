#nullable enable
using System.Buffers.Binary;
using KerasNet.Saving;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// Writes 24-bit uncompressed BMPs (BITMAPINFOHEADER, rows stored bottom-up, each padded to 4 bytes, BGR order):
/// the format of the tutorial's images and of the generated dataset.
/// </summary>
public static class BmpWriter
{
    /// <summary>Encodes top-row-first interleaved RGB bytes as a BMP file.</summary>
    /// <param name="width">The width in pixels, positive.</param>
    /// <param name="height">The height in pixels, positive.</param>
    /// <param name="rgb">width * height * 3 bytes, top row first, R G B per pixel.</param>
    /// <returns>The BMP file's bytes (24-bit, bottom-up rows as BMP stores them).</returns>
    public static byte[] Encode(int width, int height, ReadOnlySpan<byte> rgb)
    {
        if (width <= 0 || height <= 0) throw new KerasNetException($"BmpWriter: image size must be positive, got {width}x{height}.");
        if (rgb.Length != (long)width * height * 3) throw new KerasNetException($"BmpWriter: expected {width * height * 3} RGB bytes for {width}x{height}, got {rgb.Length}.");
        int stride = (width * 3 + 3) / 4 * 4;
        const int headerBytes = 14 + 40;
        var b = new byte[headerBytes + stride * height];
        b[0] = (byte)'B'; b[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(2), b.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(10), headerBytes);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(22), height); // positive: bottom-up
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(34), stride * height);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(38), 2835); // 72 dpi
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(42), 2835);
        for (int y = 0; y < height; y++)
        {
            int dst = headerBytes + (height - 1 - y) * stride, src = y * width * 3;
            for (int x = 0; x < width; x++, dst += 3, src += 3)
            {
                b[dst] = rgb[src + 2]; b[dst + 1] = rgb[src + 1]; b[dst + 2] = rgb[src];
            }
        }
        return b;
    }

    /// <summary>Writes the BMP atomically to <paramref name="path"/>.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="width">The width in pixels, positive.</param>
    /// <param name="height">The height in pixels, positive.</param>
    /// <param name="rgb">width * height * 3 bytes, top row first, R G B per pixel.</param>
    public static void Save(string path, int width, int height, ReadOnlySpan<byte> rgb) => AtomicFile.WriteAllBytes(path, Encode(width, height, rgb));
}
