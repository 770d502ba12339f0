#nullable enable
namespace KerasNet.Tests.Faults;

/// <summary>
/// Seeded byte-level mutations of a valid file: the damage disks, downloads and hostile authors do. Each kind is
/// used in turn so every format sees all of them in equal numbers.
/// </summary>
internal sealed class Mutator
{
    /// <summary>The mutation kinds, in the order cases cycle through them.</summary>
    public static readonly string[] Kinds = ["bitflip", "truncate", "random", "shuffle", "run00", "runFF", "inflate", "splice"];

    // Values that make a size, count or offset field absurd in any width (int16 to int64, signed or not).
    private static readonly ulong[] HugeValues = [0x7FFF, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 1UL << 40, 0x7FFF_FFFF_FFFF_FFFF, ulong.MaxValue, 1UL << 20, 1UL << 16];

    private readonly Random _rng;
    private readonly byte[] _original;
    private readonly int[] _smallFields;

    /// <summary>Creates a mutator of <paramref name="original"/> with a fixed seed.</summary>
    public Mutator(byte[] original, int seed)
    {
        _original = original;
        _rng = new Random(seed);
        _smallFields = FindSmallFields(original);
    }

    /// <summary>The <paramref name="index"/>-th mutated copy and the kind of damage done.</summary>
    public (string Kind, byte[] Bytes) Next(int index)
    {
        string kind = Kinds[index % Kinds.Length];
        var b = (byte[])_original.Clone();
        switch (kind)
        {
            case "bitflip":
                for (int k = 1 + _rng.Next(8); k > 0; k--) b[_rng.Next(b.Length)] ^= (byte)(1 << _rng.Next(8));
                return (kind, b);
            case "truncate":
                // Half the cuts land in the last tenth, where trailers, tables and final chunks live.
                int keep = _rng.Next(2) == 0 ? _rng.Next(b.Length) : b.Length - 1 - _rng.Next(Math.Max(1, b.Length / 10));
                return (kind, b[..Math.Max(0, keep)]);
            case "random":
                Overwrite(b, (at, len) => _rng.NextBytes(b.AsSpan(at, len)), 64);
                return (kind, b);
            case "shuffle":
                return (kind, ShuffleChunks(b));
            case "run00":
            case "runFF":
                byte fill = kind == "run00" ? (byte)0 : (byte)0xFF;
                Overwrite(b, (at, len) => b.AsSpan(at, len).Fill(fill), 256);
                return (kind, b);
            case "inflate":
                Inflate(b);
                return (kind, b);
            default:
                return (kind, Splice(b));
        }
    }

    private void Overwrite(byte[] b, Action<int, int> write, int maxLen)
    {
        int at = _rng.Next(b.Length);
        write(at, Math.Min(b.Length - at, 1 + _rng.Next(maxLen)));
    }

    /// <summary>Swaps two chunks of equal size (so offsets still point somewhere plausible, at the wrong content).</summary>
    private byte[] ShuffleChunks(byte[] b)
    {
        int size = Math.Min(b.Length / 2, 8 << _rng.Next(6));
        if (size == 0) return b;
        int n = b.Length / size;
        int i = _rng.Next(n), j = _rng.Next(n);
        var tmp = b.AsSpan(i * size, size).ToArray();
        b.AsSpan(j * size, size).CopyTo(b.AsSpan(i * size, size));
        tmp.CopyTo(b.AsSpan(j * size, size));
        return b;
    }

    /// <summary>Replaces a small integer field (a size, count or dimension) with an absurd value of the same width.</summary>
    private void Inflate(byte[] b)
    {
        int at = _smallFields.Length > 0 && _rng.Next(4) != 0 ? _smallFields[_rng.Next(_smallFields.Length)] : _rng.Next(b.Length);
        int width = 1 << _rng.Next(1, 4); // 2, 4 or 8 bytes
        bool bigEndian = _rng.Next(2) == 0;
        ulong v = HugeValues[_rng.Next(HugeValues.Length)];
        // A little-endian field starts at its low byte; a big-endian one ends there.
        int start = bigEndian ? at - width + 1 : at;
        for (int k = 0; k < width; k++)
        {
            int pos = bigEndian ? start + width - 1 - k : start + k;
            if ((uint)pos < (uint)b.Length) b[pos] = (byte)(v >> (8 * k));
        }
    }

    /// <summary>Deletes a segment or inserts a copy of one elsewhere: lengths and offsets stop agreeing.</summary>
    private byte[] Splice(byte[] b)
    {
        int at = _rng.Next(b.Length), len = Math.Min(b.Length - at, 1 + _rng.Next(128));
        if (_rng.Next(2) == 0) return [.. b.AsSpan(0, at), .. b.AsSpan(at + len)];
        int to = _rng.Next(b.Length + 1);
        return [.. b.AsSpan(0, to), .. b.AsSpan(at, len), .. b.AsSpan(to)];
    }

    /// <summary>Offsets of bytes 1..255 next to zero bytes: the low byte of a small LE or BE integer field.</summary>
    private static int[] FindSmallFields(byte[] b)
    {
        var list = new List<int>();
        for (int i = 1; i + 1 < b.Length; i++)
            if (b[i] != 0 && (b[i + 1] == 0 || b[i - 1] == 0)) list.Add(i);
        return list.ToArray();
    }
}
