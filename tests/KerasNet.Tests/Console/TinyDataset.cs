#nullable enable
namespace KerasNet.Tests.Console;

/// <summary>
/// Writes a small flow_from_directory dataset of 24-bit BMP files: class "bart" is a bright square on dark noise,
/// class "homer" a dark square on bright noise, so a few epochs can separate them.
/// </summary>
internal static class TinyDataset
{
    public static readonly string[] Classes = ["bart", "homer"];

    /// <summary>Creates DIR/training_set/CLASS/*.bmp and DIR/test_set/CLASS/*.bmp.</summary>
    public static void Create(string dir, int trainPerClass, int testPerClass, int size, int seed)
    {
        var rng = new Random(seed);
        foreach (var (set, count) in new[] { ("training_set", trainPerClass), ("test_set", testPerClass) })
            for (int c = 0; c < Classes.Length; c++)
            {
                string folder = Path.Combine(dir, set, Classes[c]);
                Directory.CreateDirectory(folder);
                for (int i = 0; i < count; i++)
                    WriteBmp(Path.Combine(folder, $"{Classes[c]}{i + 1}.bmp"), size, size, (x, y) =>
                    {
                        bool inside = x > size / 4 && x < 3 * size / 4 && y > size / 4 && y < 3 * size / 4;
                        int noise = rng.Next(60);
                        int v = (inside ^ (c == 1)) ? 195 + noise : noise;
                        return ((byte)v, (byte)(c == 0 ? v : 255 - v), (byte)(v / 2));
                    });
            }
    }

    /// <summary>A bottom-up 24-bit BMP (rows padded to 4 bytes), the format every decoder reads.</summary>
    public static void WriteBmp(string path, int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel)
    {
        int stride = (width * 3 + 3) & ~3, dataSize = stride * height;
        using var w = new BinaryWriter(File.Create(path));
        w.Write((byte)'B'); w.Write((byte)'M');
        w.Write(54 + dataSize); w.Write(0); w.Write(54);
        w.Write(40); w.Write(width); w.Write(height); w.Write((short)1); w.Write((short)24);
        w.Write(0); w.Write(dataSize); w.Write(2835); w.Write(2835); w.Write(0); w.Write(0);
        var row = new byte[stride];
        for (int y = height - 1; y >= 0; y--)
        {
            Array.Clear(row);
            for (int x = 0; x < width; x++)
            {
                var (r, g, b) = pixel(x, y);
                row[3 * x] = b; row[3 * x + 1] = g; row[3 * x + 2] = r;
            }
            w.Write(row);
        }
    }
}
