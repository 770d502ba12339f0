#nullable enable
using System.Buffers.Binary;
using System.IO.Compression;

namespace KerasNet.Preprocessing.Image;

/// <summary>Encodes an 8-bit L, RGB or RGBA image as a PNG (no filtering, zlib-compressed), which any decoder, PIL included, reads back losslessly.</summary>
internal static class PngWriter
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    public static byte[] Encode(PilImage im)
    {
        byte colorType = im.Mode switch { "L" => 0, "RGB" => 2, "RGBA" => 6, _ => throw new KerasNetException($"PNG: mode {im.Mode} cannot be written.") };
        int stride = im.Width * im.Bands;
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (int y = 0; y < im.Height; y++)
            {
                z.WriteByte(0); // filter type None
                z.Write(im.Data, y * stride, stride);
            }
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, im.Width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), im.Height);
        ihdr[8] = 8; ihdr[9] = colorType; // 8 bits, no interlace
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        for (int i = 0; i < 4; i++) head[4 + i] = (byte)type[i];
        s.Write(head);
        s.Write(data);
        uint crc = 0xFFFFFFFFu;
        foreach (var b in head[4..]) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc ^ 0xFFFFFFFFu);
        s.Write(tail);
    }

    private static uint[] BuildCrcTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }
}
