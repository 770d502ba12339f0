#nullable enable
using System.Buffers.Binary;

namespace KerasNet.Saving;

/// <summary>
/// Validates the HDF5 global heap collections (where variable-length strings such as <c>model_config</c> and
/// <c>layer_names</c> live) before PureHDF reads them: PureHDF allocates each heap object at its declared size, so
/// one corrupt size field would ask for gigabytes. Every collection must fit in the file and every object in its
/// collection; then no object can be larger than the file.
/// </summary>
internal static class GlobalHeapCheck
{
    private static readonly byte[] Signature = "GCOL"u8.ToArray();

    /// <summary>
    /// Scans <paramref name="s"/> for collections and checks their object sizes; the stream position is restored.
    /// <paramref name="lengthsSize"/> is the superblock's "size of lengths" (8 in every file Keras or h5py writes).
    /// </summary>
    public static void Validate(Stream s, long length, int lengthsSize, string name)
    {
        long saved = s.Position;
        try
        {
            foreach (long at in FindSignatures(s, length)) CheckCollection(s, at, length, lengthsSize, name);
        }
        finally { s.Position = saved; }
    }

    private static List<long> FindSignatures(Stream s, long length)
    {
        var hits = new List<long>();
        var buf = new byte[1 << 16];
        long start = 0;
        while (start < length)
        {
            s.Position = start;
            int n = ReadUpTo(s, buf);
            if (n < Signature.Length) break;
            var span = buf.AsSpan(0, n);
            for (int i = span.IndexOf(Signature); i >= 0;)
            {
                hits.Add(start + i);
                int next = span[(i + 1)..].IndexOf(Signature);
                i = next < 0 ? -1 : i + 1 + next;
            }
            // Overlap by three bytes so a signature across two chunks is found.
            start += n - (Signature.Length - 1);
            if (n < buf.Length) break;
        }
        return hits;
    }

    private static void CheckCollection(Stream s, long at, long length, int lengthsSize, string name)
    {
        int header = 8 + lengthsSize;
        var h = new byte[header];
        s.Position = at;
        if (ReadUpTo(s, h) < header) return;
        // Version 1 with three zero reserved bytes: anything else is four bytes of data that happen to read "GCOL".
        if (h[4] != 1 || h[5] != 0 || h[6] != 0 || h[7] != 0) return;
        ulong size = ReadLength(h.AsSpan(8), lengthsSize);
        if (size > (ulong)(length - at))
            throw Corrupt(name, $"the global heap collection at offset {at} declares {size} bytes, more than the file holds after it");
        // Objects as PureHDF walks them: index (2), reference count (2), reserved (4), size (lengthsSize), data padded to 8.
        ulong remaining = size;
        long pos = at + header;
        var oh = new byte[header];
        while (remaining > (ulong)header)
        {
            s.Position = pos;
            if (ReadUpTo(s, oh) < header) throw Corrupt(name, $"the global heap collection at offset {at} is truncated");
            if (BinaryPrimitives.ReadUInt16LittleEndian(oh) == 0) break; // free space ends the collection
            ulong objectSize = ReadLength(oh.AsSpan(8), lengthsSize);
            if (objectSize > remaining - (ulong)header)
                throw Corrupt(name, $"global heap object at offset {pos} declares {objectSize} bytes, more than its collection holds");
            ulong consumed = (ulong)header + (objectSize + 7) / 8 * 8;
            // PureHDF would wrap its unsigned count of remaining bytes here and read on past the collection.
            if (consumed > remaining)
                throw Corrupt(name, $"global heap object at offset {pos} runs past the end of its collection");
            remaining -= consumed;
            pos += (long)consumed;
        }
    }

    private static ulong ReadLength(ReadOnlySpan<byte> b, int size) => size switch
    {
        2 => BinaryPrimitives.ReadUInt16LittleEndian(b),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(b),
        _ => BinaryPrimitives.ReadUInt64LittleEndian(b),
    };

    private static int ReadUpTo(Stream s, byte[] buf)
    {
        int total = 0;
        while (total < buf.Length)
        {
            int n = s.Read(buf, total, buf.Length - total);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static InvalidModelFileException Corrupt(string name, string problem) =>
        new(name, $"corrupt HDF5 file: {problem}.");
}
