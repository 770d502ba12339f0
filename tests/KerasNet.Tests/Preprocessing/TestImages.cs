#nullable enable
using KerasNet.Preprocessing.Image;

namespace KerasNet.Tests.Preprocessing;

/// <summary>Small BMP folders written with KerasNet's own BmpWriter (no binary test files are committed).</summary>
internal static class TestImages
{
    /// <summary>An RGB image whose pixels encode (seed, x, y), so different files and positions differ.</summary>
    public static byte[] Pattern(int width, int height, int seed)
    {
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 3;
                rgb[o] = (byte)(x * 7 + seed * 31);
                rgb[o + 1] = (byte)(y * 11 + seed * 17);
                rgb[o + 2] = (byte)((x ^ y) * 5 + seed);
            }
        return rgb;
    }

    public static void WriteBmp(string path, int width, int height, int seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        BmpWriter.Save(path, width, height, Pattern(width, height, seed));
    }

    /// <summary>A folder with classes a (n0 images) and b (n1 images) of odd sizes.</summary>
    public static string Folder(int n0 = 5, int n1 = 4)
    {
        var root = TestUtil.Oracle.TempDir();
        for (int i = 0; i < n0; i++) WriteBmp(Path.Combine(root, "a", $"a{i}.bmp"), 17 + i, 13 + 2 * i, i);
        for (int i = 0; i < n1; i++) WriteBmp(Path.Combine(root, "b", $"b{i}.bmp"), 21 + 2 * i, 11 + i, 100 + i);
        return root;
    }
}
