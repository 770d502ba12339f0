#nullable enable
using KerasNet.Preprocessing.Image;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Preprocessing;

/// <summary>
/// Mutated BMP, PNG (palette and 16-bit grey), JPEG, GIF and PPM files (bit flips, truncation, random bytes, shuffled chunks; fixed seed) either
/// decode or end in a KerasNetException: never another exception type, a hang or a crash.
/// </summary>
public sealed class DecoderFuzzTests
{
    private const int CasesPerSeed = 400;

    public static IEnumerable<object[]> Seeds() => new[] { "bmp", "png", "jpg", "gif", "png16", "ppm" }.Select(f => new object[] { f });

    [SkippableTheory]
    [MemberData(nameof(Seeds))]
    public void MutatedFilesDecodeOrFailCleanly(string format)
    {
        var dir = Oracle.TempDir();
        var seedPath = Path.Combine(dir, "seed." + format);
        if (format == "bmp") BmpWriter.Save(seedPath, 23, 17, TestImages.Pattern(23, 17, 3));
        else
        {
            Oracle.RequirePython("PIL", "numpy");
            Oracle.RunPythonCode("""
                import sys, numpy as np
                from PIL import Image
                a = (np.arange(19 * 29 * 3).reshape(19, 29, 3) * 7 % 256).astype(np.uint8)
                fmt, path = sys.argv[1], sys.argv[2]
                if fmt == "png16": Image.fromarray((a[..., 0].astype(np.uint16) * 3)).save(path, format="PNG")
                elif fmt == "gif": Image.fromarray(a).convert("P").save(path)
                elif fmt == "ppm": Image.fromarray(a).save(path, format="PPM")
                elif fmt == "png": Image.fromarray(a).convert("P").save(path, transparency=2, optimize=False)
                else: Image.fromarray(a).save(path, quality=80)
                """, format, seedPath);
        }
        var original = File.ReadAllBytes(seedPath);
        ImageLoader.Load(seedPath); // the seed itself decodes
        var rng = new Random(20241125 + format.Length);
        var path = Path.Combine(dir, "case." + format);
        int ok = 0, refused = 0;
        for (int i = 0; i < CasesPerSeed; i++)
        {
            File.WriteAllBytes(path, Mutate(original, rng));
            try { ImageLoader.Load(path, i % 3 == 0 ? "grayscale" : i % 3 == 1 ? "rgba" : "rgb", (5, 7), i % 2 == 0 ? "nearest" : "bicubic"); ok++; }
            catch (KerasNetException e) { Assert.Contains(path, e.Message); refused++; }
        }
        Assert.True(refused > CasesPerSeed / 10, $"only {refused} of {CasesPerSeed} mutations were refused");
    }

    private static byte[] Mutate(byte[] src, Random rng)
    {
        var b = (byte[])src.Clone();
        switch (rng.Next(5))
        {
            case 0: // bit flips
                for (int k = 1 + rng.Next(8); k > 0; k--) b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                return b;
            case 1: // truncation
                return b[..rng.Next(b.Length)];
            case 2: // random bytes over a range
                {
                    int at = rng.Next(b.Length), n = Math.Min(b.Length - at, 1 + rng.Next(32));
                    rng.NextBytes(b.AsSpan(at, n));
                    return b;
                }
            case 3: // swap two chunks
                {
                    int n = 1 + rng.Next(Math.Max(1, b.Length / 4)), p = rng.Next(b.Length - n), q = rng.Next(b.Length - n);
                    var tmp = b.AsSpan(p, n).ToArray();
                    b.AsSpan(q, n).CopyTo(b.AsSpan(p, n));
                    tmp.CopyTo(b.AsSpan(q, n));
                    return b;
                }
            default: // header field set to an extreme value
                {
                    int at = rng.Next(Math.Min(b.Length - 4, 40));
                    BitConverter.GetBytes(rng.Next(2) == 0 ? int.MaxValue : -rng.Next(1, 70000)).CopyTo(b, at);
                    return b;
                }
        }
    }
}
