#nullable enable
using KerasNet.ConsoleApp.Reporting;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Preprocessing.Image;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using StbImageSharp;

namespace KerasNet.Tests.Console;

/// <summary>
/// <c>kerasnet featuremaps</c>: the grids are read back pixel by pixel and the .npy files compared with the
/// activations computed layer by layer through the API (eager calls, no Functional model involved).
/// </summary>
public sealed class FeatureMapsCommandTests
{
    private readonly string _dir = Oracle.TempDir();

    private (string Model, string Image, Sequential Network) Saved()
    {
        var network = CliModels.SmallCnn(seed: 21);
        string model = Path.Combine(_dir, "cnn.h5");
        network.Save(model);
        // 20 wide, 24 high: resized (nearest, as flow_from_directory) to the model's 12 x 10.
        string image = Path.Combine(_dir, "img.bmp");
        TinyDataset.WriteBmp(image, 20, 24, (x, y) => ((byte)(x * 12), (byte)(y * 10), (byte)((x * y) % 256)));
        return (model, image, network);
    }

    /// <summary>The API's activations: the image as the tutorial prepares it, then each layer called in turn.</summary>
    private static Dictionary<string, Tensor> ApiActivations(Sequential network, string image, double rescale = 1.0 / 255)
    {
        var img = ImageLoader.Load(image, "rgb", (CliModels.H, CliModels.W));
        var x = new Tensor([1, .. img.Shape]);
        for (int i = 0; i < img.Length; i++) x[i] = img[i] * (float)rescale;
        var result = new Dictionary<string, Tensor>();
        foreach (var layer in network.Layers)
        {
            x = layer.Call(x);
            result[layer.Name] = x;
        }
        return result;
    }

    private static ImageResult Decode(string path)
    {
        using var s = File.OpenRead(path);
        return ImageResult.FromStream(s, ColorComponents.RedGreenBlue);
    }

    private static (byte R, byte G, byte B) Pixel(ImageResult img, int x, int y)
    {
        int i = 3 * (y * img.Width + x);
        return (img.Data[i], img.Data[i + 1], img.Data[i + 2]);
    }

    /// <summary>matplotlib's imshow(a, cmap='gray') of one channel: min-max to [0, 1], then its 256-entry table.</summary>
    internal static byte Gray(Tensor maps, int y, int x, int channel)
    {
        int h = maps.Shape[1], w = maps.Shape[2], c = maps.Shape[3];
        var values = Enumerable.Range(0, h * w).Select(i => (double)maps[i * c + channel]).ToArray();
        double min = values.Min(), max = values.Max();
        if (max == min) return 0;
        return (byte)Math.Min(255, Math.Floor((maps[(y * w + x) * c + channel] - min) / (max - min) * 256));
    }

    /// <summary>
    /// Reads a grid back: the tiles found by scanning for the white gaps (columns/rows of the grid area that are white
    /// from top to bottom), and every pixel of every tile compared with the channel's grey levels.
    /// </summary>
    private static void AssertGrid(string png, Tensor maps, int expectedCols, int expectedRows)
    {
        var img = Decode(png);
        int c = maps.Shape[3];
        var g = new FeatureMaps.Grid(c, maps.Shape[1], maps.Shape[2]);
        Assert.Equal((g.ImageWidth, g.ImageHeight), (img.Width, img.Height));
        Assert.Equal((expectedCols, expectedRows), (g.Cols, g.Rows));

        bool White(int x, int y) => Pixel(img, x, y) == (255, 255, 255);
        // Tile columns: runs of non-white columns across the first tile row's height.
        int Runs(int count, Func<int, bool> blank)
        {
            int runs = 0;
            bool inRun = false;
            for (int i = 0; i < count; i++)
            {
                bool b = blank(i);
                if (!b && !inRun) runs++;
                inRun = !b;
            }
            return runs;
        }
        int cols = Runs(img.Width, x => Enumerable.Range(g.Top, g.TileHeight).All(y => White(x, y)));
        int rows = Runs(img.Height - g.Top, y => Enumerable.Range(g.Left, g.TileWidth).All(x => White(x, g.Top + y)));
        Assert.Equal((expectedCols, expectedRows), (cols, rows));

        for (int k = 0; k < g.Cols * g.Rows; k++)
        {
            var (x0, y0) = g.TileOrigin(k);
            for (int y = 0; y < g.TileHeight; y++)
                for (int x = 0; x < g.TileWidth; x++)
                {
                    var p = Pixel(img, x0 + x, y0 + y);
                    if (k >= c) { Assert.True(p == (255, 255, 255), $"empty slot {k} at ({x}, {y}): {p}"); continue; }
                    byte v = Gray(maps, y / g.Scale, x / g.Scale, k);
                    Assert.True(p == (v, v, v), $"{png} tile {k} pixel ({x}, {y}): {p}, expected grey {v}");
                }
        }
        // The title sits above the grid: dark text pixels there.
        int dark = 0;
        for (int y = 0; y < g.Top; y++) for (int x = 0; x < img.Width; x++) if (Pixel(img, x, y).R < 128) dark++;
        Assert.True(dark > 50, $"{dark} dark pixels in the title band");
    }

    [Fact]
    public void WritesAGridAndNpyPerConv2DLayerEqualToTheApiActivations()
    {
        var (model, image, network) = Saved();
        string outDir = Path.Combine(_dir, "maps");
        var r = CliRunner.Run("featuremaps", "--model", model, "--image", image, "--output", outDir, "--npy");
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        Assert.Equal(["c1.npy", "c1.png", "c2.npy", "c2.png"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains($"Wrote {Path.Combine(outDir, "c1.png")}", r.Out);

        var api = ApiActivations(network, image);
        foreach (var (layer, shape, cols, rows) in new[] { ("c1", new[] { 1, 10, 8, 6 }, 3, 2), ("c2", new[] { 1, 4, 3, 3 }, 3, 1) })
        {
            var npy = Npy.Load(Path.Combine(outDir, layer + ".npy"));
            Assert.Equal(shape, npy.Shape);
            Assert.Equal(api[layer].Shape, npy.Shape);
            for (int i = 0; i < npy.Length; i++) Assert.Equal(api[layer][i], npy[i], 1e-6f);
            Assert.True(npy.Span.ToArray().Distinct().Count() > npy.Shape[3], $"{layer}: the maps are (nearly) constant");
            AssertGrid(Path.Combine(outDir, layer + ".png"), npy, cols, rows);
        }
    }

    [Fact]
    public void NamedLayersAndRescaleAreHonoured()
    {
        var (model, image, network) = Saved();
        string outDir = Path.Combine(_dir, "named");
        var r = CliRunner.Run("featuremaps", "--model", model, "--image", image, "--output", outDir, "--layers", "pool", "c2", "--rescale", "0.5", "--target-size", "12", "10", "--npy");
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        Assert.Equal(["c2.npy", "c2.png", "pool.npy", "pool.png"], Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        var api = ApiActivations(network, image, rescale: 0.5);
        var pool = Npy.Load(Path.Combine(outDir, "pool.npy"));
        Assert.Equal([1, 5, 4, 6], pool.Shape);
        for (int i = 0; i < pool.Length; i++) Assert.Equal(api["pool"][i], pool[i], 1e-5f);
        AssertGrid(Path.Combine(outDir, "pool.png"), pool, 3, 2);

        // Without --npy only the grids.
        string pngOnly = Path.Combine(_dir, "png_only");
        Assert.Equal(0, CliRunner.Run("featuremaps", "--model", model, "--image", image, "--output", pngOnly, "--layers", "c1").ExitCode);
        Assert.Equal(["c1.png"], Directory.GetFiles(pngOnly).Select(Path.GetFileName));
    }

    [Fact]
    public void GridHasOneTilePerChannelAndWhiteEmptySlots()
    {
        // 7 channels: 3 x 3 with two empty slots; channel 2 constant (a dead ReLU: black), channel 4 a ramp.
        var maps = new Tensor(1, 5, 4, 7);
        var rng = new Random(3);
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 4; x++)
                for (int k = 0; k < 7; k++)
                    maps[((y * 4) + x) * 7 + k] = k switch { 2 => 0.5f, 4 => y * 4 + x, _ => (float)rng.NextDouble() * 3 - 1 };
        string png = Path.Combine(_dir, "seven.png");
        FeatureMaps.DrawGrid(png, "layer (1, 5, 4, 7)", maps);
        AssertGrid(png, maps, 3, 3);
        var ramp = FeatureMaps.Tile(maps, 4);
        Assert.Equal(0, ramp[0, 0]);
        Assert.Equal(255, ramp[4, 3]);
        Assert.Equal((byte)Math.Floor(7.0 / 19 * 256), ramp[1, 3]);
        Assert.All(FeatureMaps.Tile(maps, 2).Cast<byte>(), v => Assert.Equal(0, v));
        Assert.Equal((8, 4), (FeatureMaps.Grid.ColumnsFor(32), (32 + 7) / 8));
        Assert.Equal(8, FeatureMaps.Grid.ColumnsFor(64));
        Assert.Equal(1, FeatureMaps.Grid.ColumnsFor(1));
    }

    [Fact]
    public void ErrorsNameTheLayerOrFile()
    {
        var (model, image, _) = Saved();
        string outDir = Path.Combine(_dir, "err");
        CliRunner.AssertOneLineError(CliRunner.Run("featuremaps", "--model", model, "--image", image, "--output", outDir, "--layers", "out"), 1,
            "Layer 'out' outputs (None, 2), not feature maps (H, W, C)");
        CliRunner.AssertOneLineError(CliRunner.Run("featuremaps", "--model", model, "--image", image, "--output", outDir, "--layers", "nope"), 1,
            "no layer named 'nope'", "c1, pool, c2, flat, out");
        CliRunner.AssertOneLineError(CliRunner.Run("featuremaps", "--model", model, "--image", Path.Combine(_dir, "absent.png"), "--output", outDir), 1,
            "absent.png: image file not found");
        CliRunner.AssertOneLineError(CliRunner.Run("featuremaps", "--model", model, "--output", outDir), 2, "--image");
        CliRunner.AssertOneLineError(CliRunner.Run("featuremaps", "--model", model, "--image", image), 2, "--output");
        CliRunner.AssertOneLineError(CliRunner.Run("featuremaps", "--model", model, "--image", image, "--output", outDir, "--color-mode", "cmyk"), 2, "cmyk");
        CliRunner.AssertOneLineError(CliRunner.Run("featuremaps", "--model", model, "--image", image, "--output", outDir, "--target-size", "8", "8"), 1, "(1, 8, 8, 3)");
        Assert.False(Directory.Exists(outDir));

        KerasRandom.SetRandomSeed(1);
        var dense = new Sequential([new Dense(3, inputShape: 4, name: "d")]);
        string denseFile = Path.Combine(_dir, "dense.h5");
        dense.Save(denseFile);
        CliRunner.AssertOneLineError(CliRunner.Run("featuremaps", "--model", denseFile, "--image", image, "--output", outDir), 1,
            "has no Conv2D layer");
    }
}
