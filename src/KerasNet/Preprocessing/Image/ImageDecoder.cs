#nullable enable
using System.Buffers.Binary;
using StbImageSharp;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// Decodes BMP, PNG, JPEG and GIF (first frame) files with StbImageSharp, and binary PPM/PGM with <see cref="PnmDecoder"/>,
/// into the mode PIL opens them in.
/// The format is taken from the content, as PIL does, not from the extension. Where stb's result differs from
/// PIL's, this class corrects it: 32-bit BI_RGB BMPs are RGB (PIL ignores the fourth byte), 16-bit greyscale
/// PNGs go through <see cref="Png16Decoder"/>, and truncated BMP/JPEG data is refused as PIL refuses it.
/// The declared size is checked against <see cref="ImageLoader.MaxImagePixels"/> before anything is allocated.
/// </summary>
internal static class ImageDecoder
{
    public static PilImage Decode(string path, byte[] bytes)
    {
        var format = Sniff(bytes);
        if (format == null)
            throw new InvalidImageException(path, bytes.Length == 0 ? "the file is empty." : "not a recognised image (expected BMP, PNG, JPEG, GIF or PPM content).");
        if (format == "TIFF")
            throw new InvalidImageException(path, "TIFF images are not supported by KerasNet's decoder; convert the file to PNG.");

        // Structural checks come before stb sees the bytes: stb's header reader can loop forever on a JPEG segment
        // length that runs past the end of the file.
        if (format == "JPEG") CheckJpegComplete(path, bytes);
        if (format == "PPM") return PnmDecoder.Decode(path, bytes, (w, h) => CheckSize(path, w, h));
        ImageInfo? info;
        try { info = ImageInfo.FromStream(new MemoryStream(bytes, writable: false)); }
        catch (Exception e) when (e is not OutOfMemoryException) { throw new InvalidImageException(path, $"the {format} header is corrupt ({e.Message}).", e); }
        if (info is not ImageInfo ii) throw new InvalidImageException(path, $"the {format} header is corrupt or the file is truncated.");
        CheckSize(path, Math.Abs((long)ii.Width), Math.Abs((long)ii.Height)); // stb reports a top-down BMP's height as negative

        var components = ColorComponents.Default;
        int[]? bmp16Bits = null;
        if (format == "BMP") (components, bmp16Bits) = CheckBmp(path, bytes);
        else if (format == "PNG" && Png16Decoder.Applies(bytes)) return Png16Decoder.Decode(path, bytes);

        ImageResult r;
        try { r = ImageResult.FromMemory(bytes, components); }
        catch (Exception e) when (e is not OutOfMemoryException) { throw new InvalidImageException(path, $"the {format} data is corrupt or truncated ({e.Message}).", e); }
        if (r == null || r.Data == null) throw new InvalidImageException(path, $"the {format} data is corrupt or truncated.");
        int comp = components == ColorComponents.Default ? (int)r.SourceComp : (int)components;
        string mode = comp switch { 1 => "L", 2 => "LA", 3 => "RGB", _ => "RGBA" };
        if (r.Data.Length < (long)r.Width * r.Height * comp) throw new InvalidImageException(path, $"the {format} data is truncated.");
        var data = r.Data.Length == r.Width * r.Height * comp ? r.Data : r.Data.AsSpan(0, r.Width * r.Height * comp).ToArray();
        if (bmp16Bits != null) RescaleLikePil(data, comp, bmp16Bits);
        // GIFs are palette images to PIL: converting them never shows a fourth channel unless asked for RGBA.
        return new PilImage(mode, r.Width, r.Height, data);
    }

    private static void CheckSize(string path, long width, long height)
    {
        if (width <= 0 || height <= 0) throw new InvalidImageException(path, $"the image has zero size ({width}x{height}).");
        long limit = ImageLoader.MaxImagePixels;
        if (width * height > limit)
            throw new InvalidImageException(path, $"the image is {width}x{height} = {width * height} pixels, above the limit of {limit} " +
                "(a guard against decompression bombs, like PIL's); raise ImageLoader.MaxImagePixels if the file is trusted.");
    }

    /// <summary>The container format from the leading bytes, or null.</summary>
    internal static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 2 && b[0] == 'B' && b[1] == 'M') return "BMP";
        if (b.Length >= 8 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return "PNG";
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "JPEG";
        if (b.Length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') return "GIF";
        if (b.Length >= 2 && b[0] == 'P' && (b[1] == '5' || b[1] == '6')) return "PPM";
        if (b.Length >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42) || (b[0] == 'M' && b[1] == 'M' && b[3] == 42))) return "TIFF";
        return null;
    }

    /// <summary>
    /// 16-bit BMP channels: stb widens an n-bit value v by repeating its bits, PIL (Unpack.c BGR;15 / BGR;16) computes
    /// v * 255 / (2^n - 1) with integer division, one level apart for about half the values. The top n bits of stb's
    /// byte are v, so the PIL value is recomputed from them.
    /// </summary>
    private static void RescaleLikePil(byte[] data, int comp, int[] bits)
    {
        for (int i = 0; i < data.Length; i += comp)
            for (int c = 0; c < 3; c++)
            {
                int v = data[i + c] >> (8 - bits[c]);
                data[i + c] = (byte)(v * 255 / ((1 << bits[c]) - 1));
            }
    }

    /// <summary>
    /// Checks the BMP's pixel data is all there and picks the channels PIL gives it (RGB unless an alpha bit mask is
    /// declared), and for 16-bit files the bits per channel (5-5-5 or 5-6-5) to rescale as PIL does.
    /// </summary>
    private static (ColorComponents, int[]?) CheckBmp(string path, byte[] b)
    {
        if (b.Length < 26) throw new InvalidImageException(path, "the BMP header is truncated.");
        uint dataOffset = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(10));
        int headerSize = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(14));
        int width, height, bpp, compression = 0;
        if (headerSize == 12)
        {
            width = BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(18));
            height = BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(20));
            bpp = BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(24));
        }
        else
        {
            if (b.Length < 34) throw new InvalidImageException(path, "the BMP header is truncated.");
            width = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(18));
            height = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(22));
            bpp = BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(28));
            compression = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(30));
        }
        if (compression is 1 or 2)
            throw new InvalidImageException(path, "RLE-compressed BMPs are not supported by KerasNet's decoder; save the image as an uncompressed BMP or PNG.");
        if (compression is 0 or 3)
        {
            long stride = ((long)Math.Abs(width) * bpp + 31) / 32 * 4;
            long need = dataOffset + stride * Math.Abs((long)height);
            // PIL accepts a file whose last row lacks only its padding; anything shorter is "truncated".
            if (b.Length < need - (stride - ((long)Math.Abs(width) * bpp + 7) / 8))
                throw new InvalidImageException(path, $"the BMP file is truncated ({b.Length} bytes, the header declares {need}).");
        }
        if (bpp == 16)
        {
            if (compression == 0) return (ColorComponents.RedGreenBlue, [5, 5, 5]);
            if (compression == 3 && b.Length >= 66 && headerSize >= 40)
            {
                uint red = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(54)), green = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(58));
                if (red == 0xF800 && green == 0x7E0) return (ColorComponents.RedGreenBlue, [5, 6, 5]);
                if (red == 0x7C00 && green == 0x3E0) return (ColorComponents.RedGreenBlue, [5, 5, 5]);
            }
            return (ColorComponents.Default, null);
        }
        if (bpp != 32) return (ColorComponents.Default, null);
        uint alphaMask = 0;
        if (compression is 3 or 6 && headerSize >= 56 && b.Length >= 70) alphaMask = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(66));
        return (alphaMask != 0 ? ColorComponents.RedGreenBlueAlpha : ColorComponents.RedGreenBlue, null);
    }

    /// <summary>
    /// Walks the JPEG's marker segments up to the start of scan, checking every length stays inside the file and a
    /// frame header comes first (stb can loop forever on a segment length that runs past the end), then requires an
    /// end-of-image marker: libjpeg (PIL) fails on a file cut before it, where stb would silently fill the rest.
    /// </summary>
    private static void CheckJpegComplete(string path, byte[] b)
    {
        int pos = 2;
        bool frame = false;
        while (true)
        {
            if (pos >= b.Length || b[pos] != 0xFF) throw new InvalidImageException(path, $"the JPEG header is corrupt (no marker at byte {pos}).");
            while (pos < b.Length && b[pos] == 0xFF) pos++;
            if (pos >= b.Length) throw new InvalidImageException(path, "the JPEG file is truncated (it ends inside the header).");
            int marker = b[pos++];
            if (marker == 0xD8 || marker == 0x01 || marker is >= 0xD0 and <= 0xD7) continue;
            if (marker == 0xD9 || marker == 0x00) throw new InvalidImageException(path, "the JPEG header is corrupt (image data is missing).");
            if (pos + 2 > b.Length) throw new InvalidImageException(path, "the JPEG file is truncated (it ends inside the header).");
            int length = (b[pos] << 8) | b[pos + 1];
            if (length < 2 || pos + length > b.Length)
                throw new InvalidImageException(path, $"the JPEG file is truncated or corrupt (a segment of {length} bytes at byte {pos} runs past the end).");
            if (marker is >= 0xC0 and <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC) frame = true;
            if (marker == 0xDA)
            {
                if (!frame) throw new InvalidImageException(path, "the JPEG header is corrupt (scan before frame header).");
                pos += length;
                break;
            }
            pos += length;
        }
        for (int i = b.Length - 2; i >= pos; i--)
            if (b[i] == 0xFF && b[i + 1] == 0xD9) return;
        throw new InvalidImageException(path, "the JPEG file is truncated (no end-of-image marker).");
    }
}
