#nullable enable
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using KerasNet.Engine;

namespace KerasNet.Saving;

/// <summary>NumPy's .npy format (version 1.0-3.0) for float32 tensors, so results compare directly with Python.</summary>
public static partial class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a C-order .npy of dtype f4, f8, i1..i8, u1..u8 or bool as float32.</summary>
    /// <param name="path">The <c>.npy</c> file.</param>
    /// <returns>The array as a float32 tensor of its shape.</returns>
    public static Tensor Load(string path)
    {
        Saving.RegularFile.Require(path);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new KerasNetException($"{path}: cannot read the file ({e.Message}).", e); }
        return Parse(bytes, path);
    }

    /// <summary>Parses .npy bytes; <paramref name="name"/> is used in error messages.</summary>
    /// <param name="b">The file's bytes.</param>
    /// <param name="name">The file's name, for error messages.</param>
    /// <returns>The array as a float32 tensor of its shape.</returns>
    public static Tensor Parse(byte[] b, string name)
    {
        if (b.Length < 10 || !b.AsSpan(0, 6).SequenceEqual(Magic)) throw new KerasNetException($"{name}: not a .npy file (bad magic).");
        int major = b[6];
        int headerLen, offset;
        if (major == 1) { headerLen = BitConverter.ToUInt16(b, 8); offset = 10; }
        else if (major is 2 or 3) { if (b.Length < 12) throw new KerasNetException($"{name}: truncated .npy header."); headerLen = (int)Math.Min(int.MaxValue, BitConverter.ToUInt32(b, 8)); offset = 12; }
        else throw new KerasNetException($"{name}: unsupported .npy version {major}.");
        if (headerLen < 0 || (long)offset + headerLen > b.Length) throw new KerasNetException($"{name}: truncated .npy header.");
        string header = Encoding.Latin1.GetString(b, offset, headerLen);
        var descr = DescrRe().Match(header);
        var order = FortranRe().Match(header);
        var shapeM = ShapeRe().Match(header);
        if (!descr.Success || !order.Success || !shapeM.Success) throw new KerasNetException($"{name}: malformed .npy header '{header.Trim()}'.");
        if (order.Groups[1].Value == "True") throw new KerasNetException($"{name}: Fortran-order arrays are not supported; save with np.ascontiguousarray.");
        var dims = shapeM.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var d) ? d : throw new KerasNetException($"{name}: bad shape '{shapeM.Groups[1].Value}'."))
            .ToArray();
        long count = 1;
        foreach (var d in dims) { count *= d; if (count > int.MaxValue) throw new KerasNetException($"{name}: array too large ({string.Join("x", dims)})."); }
        string dt = descr.Groups[1].Value;
        char endian = dt[0]; string kind = dt[1..];
        if (endian == '>' && kind is not ("u1" or "i1" or "b1")) throw new KerasNetException($"{name}: big-endian dtype '{dt}' is not supported.");
        int size = kind switch { "f4" or "i4" or "u4" => 4, "f8" or "i8" or "u8" => 8, "i2" or "u2" or "f2" => 2, "i1" or "u1" or "b1" => 1, _ => throw new KerasNetException($"{name}: unsupported dtype '{dt}'.") };
        int data = offset + headerLen;
        if ((long)b.Length - data < count * size) throw new KerasNetException($"{name}: truncated data: expected {count * size} bytes, found {b.Length - data}.");
        var shape = dims.Length == 0 ? new[] { 1 } : dims.Select(d => (int)d).ToArray();
        var t = new Tensor(shape);
        var s = b.AsSpan(data);
        for (int i = 0; i < count; i++)
        {
            t[i] = kind switch
            {
                "f4" => BitConverter.ToSingle(s.Slice(i * 4, 4)),
                "f8" => (float)BitConverter.ToDouble(s.Slice(i * 8, 8)),
                "f2" => (float)BitConverter.ToHalf(s.Slice(i * 2, 2)),
                "i4" => BitConverter.ToInt32(s.Slice(i * 4, 4)),
                "u4" => BitConverter.ToUInt32(s.Slice(i * 4, 4)),
                "i8" => BitConverter.ToInt64(s.Slice(i * 8, 8)),
                "u8" => BitConverter.ToUInt64(s.Slice(i * 8, 8)),
                "i2" => BitConverter.ToInt16(s.Slice(i * 2, 2)),
                "u2" => BitConverter.ToUInt16(s.Slice(i * 2, 2)),
                "i1" => (sbyte)s[i],
                _ => s[i],
            };
        }
        return t;
    }

    /// <summary>Writes a float32 (little-endian, C order) .npy; atomically (temporary file, then rename).</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="t">The tensor.</param>
    public static void Save(string path, Tensor t) => AtomicFile.Write(path, stream => Write(stream, t));

    /// <summary>Writes .npy bytes to a stream.</summary>
    /// <param name="stream">The stream to write to.</param>
    /// <param name="t">The tensor.</param>
    public static void Write(Stream stream, Tensor t)
    {
        string shape = t.Shape.Length == 1 ? $"({t.Shape[0]},)" : "(" + string.Join(", ", t.Shape) + ")";
        string header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}";
        int total = 10 + header.Length + 1;
        header += new string(' ', (64 - total % 64) % 64) + "\n";
        stream.Write(Magic);
        stream.WriteByte(1); stream.WriteByte(0);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.Latin1.GetBytes(header));
        var buf = new byte[t.Length * 4];
        System.Runtime.InteropServices.MemoryMarshal.AsBytes(t.Span).CopyTo(buf);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Big-endian hosts are not supported.");
        stream.Write(buf);
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([<>|=][a-z]\d+)'")]
    private static partial Regex DescrRe();
    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex FortranRe();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRe();
}
