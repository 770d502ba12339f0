#nullable enable
using System.Buffers.Binary;
using System.Numerics;

namespace KerasNet.Saving;

/// <summary>
/// Bob Jenkins' lookup3 <c>hashlittle</c> with an initial value of 0: the checksum HDF5 stores after version 2
/// object headers, B-tree nodes and other metadata blocks.
/// </summary>
internal static class Lookup3
{
    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Hash(ReadOnlySpan<byte> data)
    {
        uint a, b, c;
        a = b = c = 0xdeadbeef + (uint)data.Length;
        while (data.Length > 12)
        {
            a += BinaryPrimitives.ReadUInt32LittleEndian(data);
            b += BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c += BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
            Mix(ref a, ref b, ref c);
            data = data[12..];
        }
        if (data.Length == 0) return c;
        // The last 1..12 bytes, zero-padded, as the reference's byte-wise switch adds them.
        Span<byte> tail = stackalloc byte[12];
        tail.Clear();
        data.CopyTo(tail);
        a += BinaryPrimitives.ReadUInt32LittleEndian(tail);
        b += BinaryPrimitives.ReadUInt32LittleEndian(tail[4..]);
        c += BinaryPrimitives.ReadUInt32LittleEndian(tail[8..]);
        Final(ref a, ref b, ref c);
        return c;
    }

    private static void Mix(ref uint a, ref uint b, ref uint c)
    {
        a -= c; a ^= BitOperations.RotateLeft(c, 4); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 6); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 8); b += a;
        a -= c; a ^= BitOperations.RotateLeft(c, 16); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 19); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 4); b += a;
    }

    private static void Final(ref uint a, ref uint b, ref uint c)
    {
        c ^= b; c -= BitOperations.RotateLeft(b, 14);
        a ^= c; a -= BitOperations.RotateLeft(c, 11);
        b ^= a; b -= BitOperations.RotateLeft(a, 25);
        c ^= b; c -= BitOperations.RotateLeft(b, 16);
        a ^= c; a -= BitOperations.RotateLeft(c, 4);
        b ^= a; b -= BitOperations.RotateLeft(a, 14);
        c ^= b; c -= BitOperations.RotateLeft(b, 24);
    }
}
