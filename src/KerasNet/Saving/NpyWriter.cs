#nullable enable
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace KerasNet.Saving;

/// <summary>
/// Writes a float32 .npy of shape (rows, sampleShape...) row block by row block, for results that are produced as a
/// stream (predicting a folder of images batch by batch): memory stays at one block whatever the row count. The header
/// is written first with room for any row count and patched with the real count at <see cref="Commit"/>; the file is
/// written atomically (<see cref="AtomicFile.Begin"/>), so until then the target keeps its old content.
/// </summary>
public sealed class NpyWriter : IDisposable
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private readonly AtomicFile.PendingFile _file;
    private readonly int[] _sampleShape;
    private readonly int _headerLength;
    private readonly long _sampleSize;

    /// <summary>Starts <paramref name="path"/> for rows of <paramref name="sampleShape"/>.</summary>
    /// <param name="path">The file to write (replaced atomically when done).</param>
    /// <param name="sampleShape">The shape of one row (the array is (rows, sampleShape...)).</param>
    public NpyWriter(string path, int[] sampleShape)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(sampleShape);
        Path = path;
        _sampleShape = (int[])sampleShape.Clone();
        _sampleSize = sampleShape.Aggregate(1L, (a, d) => a * d);
        // The longest header any row count can need (19 digits: long.MaxValue), padded as numpy pads (to 64 bytes).
        _headerLength = Header(long.MaxValue, 0).Length;
        _file = AtomicFile.Begin(path);
        WriteHeader(0);
    }

    /// <summary>The target path.</summary>
    public string Path { get; }

    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    /// <summary>Appends whole rows (a multiple of the sample size, in C order).</summary>
    /// <param name="values">The rows' values, C order.</param>
    public void Append(ReadOnlySpan<float> values)
    {
        if (values.Length % _sampleSize != 0)
            throw new KerasNetException($"{Path}: {values.Length} values are not whole rows of {_sampleSize}.");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Big-endian hosts are not supported.");
        try { _file.Stream.Write(MemoryMarshal.AsBytes(values)); }
        catch (IOException e) { throw new KerasNetException($"{Path}: cannot write the file ({e.Message}).", e); }
        Rows += values.Length / _sampleSize;
    }

    /// <summary>Writes the final row count into the header and replaces the target.</summary>
    public void Commit()
    {
        try
        {
            _file.Stream.Position = 0;
            WriteHeader(Rows);
            _file.Stream.Seek(0, SeekOrigin.End);
        }
        catch (IOException e) { throw new KerasNetException($"{Path}: cannot write the file ({e.Message}).", e); }
        _file.Commit();
    }

    /// <summary>Abandons the file unless committed (the target keeps its old content).</summary>
    public void Dispose() => _file.Dispose();

    private void WriteHeader(long rows)
    {
        string header = Header(rows, _headerLength);
        var s = _file.Stream;
        s.Write(Magic);
        s.WriteByte(1); s.WriteByte(0);
        s.Write(BitConverter.GetBytes((ushort)header.Length));
        s.Write(Encoding.Latin1.GetBytes(header));
    }

    // numpy's header dict, padded with spaces to 'length' (or, when 0, to make the whole preamble a multiple of 64).
    private string Header(long rows, int length)
    {
        var dims = new[] { rows.ToString(CultureInfo.InvariantCulture) }.Concat(_sampleShape.Select(d => d.ToString(CultureInfo.InvariantCulture))).ToArray();
        string shape = dims.Length == 1 ? $"({dims[0]},)" : "(" + string.Join(", ", dims) + ")";
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}";
        if (length == 0)
        {
            int total = 10 + dict.Length + 1;
            length = dict.Length + (64 - total % 64) % 64 + 1;
        }
        return dict.PadRight(length - 1) + "\n";
    }
}
