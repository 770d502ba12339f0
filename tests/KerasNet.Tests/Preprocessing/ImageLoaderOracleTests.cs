#nullable enable
using System.Text.Json;
using KerasNet.Preprocessing.Image;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Preprocessing;

/// <summary>
/// ImageLoader.Load against keras_preprocessing's load_img + img_to_array on single files outside the
/// flow_from_directory formats (GIF first frame, 1-bit BMP/PNG, PPM) and on BMPs written by KerasNet's BmpWriter.
/// </summary>
public sealed class ImageLoaderOracleTests
{
    [SkippableFact]
    public void SingleFilesEqualLoadImg()
    {
        Oracle.RequirePython("keras_preprocessing", "PIL");
        var dir = Oracle.TempDir();
        Oracle.RunPythonScript("prep_oracle.py", "singles", dir);
        BmpWriter.Save(Path.Combine(dir, "ours_odd.bmp"), 33, 7, TestImages.Pattern(33, 7, 5));
        BmpWriter.Save(Path.Combine(dir, "ours_even.bmp"), 130, 41, TestImages.Pattern(130, 41, 6));
        var items = new List<(string File, string Mode, int[]? Size, string Interp)>();
        foreach (var f in new[] { "still.gif", "animated.gif", "mono.bmp", "mono.png", "pixmap.ppm", "ours_odd.bmp", "ours_even.bmp" })
            foreach (var mode in new[] { "rgb", "grayscale", "rgba" })
            {
                items.Add((f, mode, null, "nearest"));
                items.Add((f, mode, [16, 21], "bilinear"));
            }
        items.Add(("gray.jpg", "grayscale", null, "nearest"));
        File.WriteAllText(Path.Combine(dir, "load.json"), JsonSerializer.Serialize(items.Select(i => new object?[] { Path.Combine(dir, i.File), i.Mode, i.Size, i.Interp })));
        Oracle.RunPythonScript("prep_oracle.py", "load", Path.Combine(dir, "load.json"), Path.Combine(dir, "out"));

        var failures = new List<string>();
        for (int i = 0; i < items.Count; i++)
        {
            var (file, mode, size, interp) = items[i];
            var mine = ImageLoader.Load(Path.Combine(dir, file), mode, size is null ? null : new Size2(size[0], size[1]), interp);
            var keras = Npy.Load(Path.Combine(dir, "out", $"{i}.npy"));
            Assert.Equal(keras.Shape, mine.Shape);
            float tolerance = file.EndsWith(".jpg") ? 2 : 0; // libjpeg vs stb, measured at most 1 level on this grey file
            int bad = 0;
            for (int k = 0; k < mine.Length; k++) if (Math.Abs(mine[k] - keras[k]) > tolerance) bad++;
            if (bad > 0) failures.Add($"{file} {mode} {(size is null ? "native" : $"{size[0]}x{size[1]}")} {interp}: {bad} values differ");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
