#nullable enable
using System.Buffers.Binary;

namespace KerasNet.Saving;

/// <summary>
/// Checks the HDF5 structures PureHDF would otherwise trust before it reads them. PureHDF allocates what a size
/// field declares before reading it, so one corrupt field asks for gigabytes:
/// <list type="bullet">
/// <item>global heap collections (where variable-length strings such as <c>model_config</c> live): every collection
/// must fit in the file and every object in its collection;</item>
/// <item>version 2 object headers (what PureHDF, and h5py with <c>libver='latest'</c>, write): their Jenkins
/// lookup3 checksum must match, so a damaged link name or attribute length is refused before it is decoded.</item>
/// </list>
/// Structures are found by their signatures. Four bytes of weight data cannot spell "OHDR" or "GCOL" followed by
/// the right version byte unless a float32 weight is at least 512 in magnitude, so a false match is rare, and one
/// that happens is skipped unless its layout is consistent.
/// </summary>
internal static class H5Integrity
{
    private static readonly byte[] HeapSignature = "GCOL"u8.ToArray();
    private static readonly byte[] HeaderSignature = "OHDR"u8.ToArray();
    private const ulong MaxHeaderChunk = 16 << 20;

    /// <summary>
    /// Scans <paramref name="s"/> (an HDF5 file whose superblock starts at <paramref name="superblockAt"/>); the
    /// stream position is restored.
    /// </summary>
    public static void Validate(Stream s, long length, long superblockAt, string name)
    {
        long saved = s.Position;
        try
        {
            // The superblock's "size of lengths" sits at byte 14 (versions 0 and 1) or 10 (versions 2 and 3).
            var sb = new byte[16];
            s.Position = superblockAt;
            if (ReadUpTo(s, sb) < sb.Length) return; // too short to be HDF5: PureHDF says so
            int lengthsSize = sb[8] <= 1 ? sb[14] : sb[10];
            if (lengthsSize is not (2 or 4 or 8)) return;
            var (heaps, headers) = FindSignatures(s, length);
            foreach (long at in heaps) CheckCollection(s, at, length, lengthsSize, name);
            foreach (long at in headers) CheckObjectHeader(s, at, length, name);
        }
        finally { s.Position = saved; }
    }

    /// <summary>Offsets of "GCOL" and "OHDR" in one pass over the file (64 kB reads, nothing kept but offsets).</summary>
    private static (List<long> Heaps, List<long> Headers) FindSignatures(Stream s, long length)
    {
        var heaps = new List<long>();
        var headers = new List<long>();
        var buf = new byte[1 << 16];
        long start = 0;
        while (start < length)
        {
            s.Position = start;
            int n = ReadUpTo(s, buf);
            if (n < 4) break;
            Collect(buf.AsSpan(0, n), start, HeapSignature, heaps);
            Collect(buf.AsSpan(0, n), start, HeaderSignature, headers);
            if (n < buf.Length) break;
            // Overlap by three bytes so a signature across two reads is found (once: a full match needs four).
            start += n - 3;
        }
        return (heaps, headers);
    }

    private static void Collect(ReadOnlySpan<byte> span, long start, byte[] signature, List<long> hits)
    {
        for (int i = span.IndexOf(signature); i >= 0;)
        {
            hits.Add(start + i);
            int next = span[(i + 1)..].IndexOf(signature);
            i = next < 0 ? -1 : i + 1 + next;
        }
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

    /// <summary>Verifies the checksum of a version 2 object header's first chunk (signature to checksum).</summary>
    private static void CheckObjectHeader(Stream s, long at, long length, string name)
    {
        var h = new byte[6 + 16 + 4 + 8];
        s.Position = at;
        int got = ReadUpTo(s, h);
        if (got < 7 || h[4] != 2) return; // not a version 2 header: data that happens to read "OHDR"
        int flags = h[5];
        int pos = 6 + ((flags & 0x20) != 0 ? 16 : 0) + ((flags & 0x10) != 0 ? 4 : 0);
        int width = 1 << (flags & 3);
        if (got < pos + width) throw Corrupt(name, $"the object header at offset {at} is truncated");
        ulong chunk = ReadLength(h.AsSpan(pos), width);
        long end = at + pos + width + (long)Math.Min(chunk, MaxHeaderChunk);
        // Object headers hold messages of at most 64 kB each; 16 MB of them is corruption, not a model.
        if (chunk > MaxHeaderChunk || end + 4 > length)
            throw Corrupt(name, $"the object header at offset {at} declares {chunk} bytes of messages, past the end of the file");
        var block = new byte[end - at + 4];
        s.Position = at;
        if (ReadUpTo(s, block) < block.Length) throw Corrupt(name, $"the object header at offset {at} is truncated");
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(block.Length - 4));
        if (Lookup3.Hash(block.AsSpan(0, block.Length - 4)) != stored)
            throw Corrupt(name, $"the object header at offset {at} fails its checksum");
    }

    private static ulong ReadLength(ReadOnlySpan<byte> b, int size) => size switch
    {
        1 => b[0],
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
