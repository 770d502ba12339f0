#nullable enable
using KerasNet.Engine;
using KerasNet.Preprocessing.Image;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Preprocessing;

/// <summary>
/// flow_from_directory against keras_preprocessing on a folder mixing BMP (24-bit odd widths, 16-bit 5-5-5 and 5-6-5, 8-bit palette, 8-bit
/// grey, 32-bit BI_RGB, 32-bit with an alpha mask, top-down), PNG (RGBA, palette with transparency, grey, 16-bit grey,
/// LA), JPEG (colour and grey), upper-case extensions, a file whose name ends in "bmp" without a dot, ignored
/// .txt/.gif files and nested folders.
/// </summary>
public sealed class FlowFromDirectoryOracleTests(KerasFolderFixture fx) : IClassFixture<KerasFolderFixture>
{
    /// <summary>
    /// libjpeg (PIL) and stb use different IDCTs and chroma upsampling, so JPEG pixels may differ by a few levels.
    /// Measured on these files (quality 85-90, noisy content): at most 3 levels for colour, 1 for grey, in every
    /// colour mode and interpolation. Every other format must match exactly.
    /// </summary>
    private const float JpegTolerance = 4f / 255;

    private static bool IsJpeg(string f) => f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase);

    [SkippableTheory]
    [InlineData(0)] [InlineData(1)] [InlineData(2)] [InlineData(3)] [InlineData(4)] [InlineData(5)] [InlineData(6)]
    public void ListingAndPixelsEqualKeras(int config)
    {
        fx.Require();
        var (mode, interp, h, w) = KerasFolderFixture.Configs[config];
        var gen = new ImageDataGenerator(rescale: 1.0 / 255);
        var text = new StringWriter();
        var it = gen.FlowFromDirectory(fx.Folder, targetSize: (h, w), colorMode: mode, batchSize: 1000, shuffle: false,
            interpolation: interp, output: text);
        var (indices, files, classes) = fx.Meta(config);

        Assert.Equal($"Found {files.Length} images belonging to {indices.Count} classes.", text.ToString().Trim());
        Assert.Equal(indices.OrderBy(p => p.Value), it.ClassIndices.OrderBy(p => p.Value));
        Assert.Equal(files, it.Filenames);
        Assert.Equal(classes, it.Classes);
        Assert.Equal(1, it.Count);

        var batch = it.GetBatch(0);
        var kx = Npy.Load(Path.Combine(fx.OutDir, $"{config}_x.npy"));
        var ky = Npy.Load(Path.Combine(fx.OutDir, $"{config}_y.npy"));
        Assert.Equal(kx.Shape, batch.X.Shape);
        Assert.Equal(ky.Shape, batch.Y!.Shape);
        Assert.Equal(ky.ToArray(), batch.Y.ToArray());
        int size = kx.SampleSize;
        var report = new List<string>();
        float worstJpeg = 0;
        for (int i = 0; i < files.Length; i++)
        {
            float max = 0;
            int differing = 0;
            for (int k = 0; k < size; k++)
            {
                float d = Math.Abs(kx[i * size + k] - batch.X[i * size + k]);
                if (d > 0) differing++;
                max = Math.Max(max, d);
            }
            if (IsJpeg(files[i])) { worstJpeg = Math.Max(worstJpeg, max); if (max > JpegTolerance) report.Add($"{files[i]}: max diff {max * 255:F1} levels"); }
            else if (differing > 0) report.Add($"{files[i]}: {differing} values differ, max {max * 255:F1} levels");
        }
        Assert.True(report.Count == 0, $"{mode}/{interp} {h}x{w}:\n" + string.Join("\n", report));
        Assert.True(worstJpeg > 0, "the JPEG files decode identically to libjpeg: tighten JpegTolerance");
    }

    [SkippableFact]
    public void SingleFileLoadEqualsKerasBatchRow()
    {
        fx.Require();
        var (_, files, _) = fx.Meta(0);
        var kx = Npy.Load(Path.Combine(fx.OutDir, "0_x.npy"));
        int i = Array.IndexOf(files, "alpha/a02_pal8.bmp");
        var t = ImageLoader.Load(Path.Combine(fx.Folder, files[i]), "rgb", (64, 64));
        Assert.Equal(new[] { 64, 64, 3 }, t.Shape);
        for (int k = 0; k < t.Length; k++) Assert.Equal(kx[i * t.Length + k], t[k] * (float)(1.0 / 255));
    }

    [SkippableFact]
    public void ValidationSplitSubsetsEqualKeras()
    {
        fx.Require();
        for (int i = 0; i < KerasFolderFixture.SplitConfigs.Length; i++)
        {
            var (split, subset) = KerasFolderFixture.SplitConfigs[i];
            var it = new ImageDataGenerator(validationSplit: split).FlowFromDirectory(fx.Folder, targetSize: (8, 8),
                shuffle: false, subset: subset, output: TextWriter.Null);
            var (_, files, classes) = fx.Meta(i, "split");
            Assert.Equal(files, it.Filenames);
            Assert.Equal(classes, it.Classes);
        }
    }

    [SkippableFact]
    public void ExplicitClassesPickAndOrderTheFolders()
    {
        fx.Require();
        var it = new ImageDataGenerator().FlowFromDirectory(fx.Folder, targetSize: (8, 8), classes: ["gamma", "alpha"],
            shuffle: false, output: TextWriter.Null);
        Assert.Equal(new Dictionary<string, int> { ["gamma"] = 0, ["alpha"] = 1 }, it.ClassIndices);
        Assert.All(it.Filenames.Take(7), f => Assert.StartsWith("gamma/", f));
        Assert.Equal(Enumerable.Repeat(0, 7).Concat(Enumerable.Repeat(1, it.Samples - 7)), it.Classes);
    }
}
