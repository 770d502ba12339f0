#nullable enable
using System.Text.Json;
using KerasNet.ConsoleApp.Reporting;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Serving;

/// <summary>
/// The page in a real browser: Debian's headless Chromium driven by puppeteer-core (Oracles/page_browser.js) loads
/// <c>/</c> at 360 px wide, uploads an image with the file chooser and reads back what the page shows. The shown class
/// must be a direct Predict's top class, the chart's bars the probabilities of that Predict, and every Conv2D layer's
/// canvas must hold, pixel for pixel, the grey tiles of that layer's activations (computed layer by layer through
/// the API) laid out as the page lays them out; a file that is not an image must show the server's error. The
/// screenshot is kept in the test's temporary folder (and copied to KERASNET_TEST_ARTIFACTS when that is set).
/// </summary>
public sealed class ServePageBrowserTests(ITestOutputHelper output)
{
    // The page's layout constants (wwwroot/app.js: TILE_TARGET, GAP).
    private const int TileTarget = 128, Gap = 4;

    private static string Chromium => Environment.GetEnvironmentVariable("KERASNET_CHROMIUM") ?? "/usr/bin/chromium";

    private static void RequireBrowser() => Oracle.RequireOracle(
        File.Exists(Chromium) && Directory.Exists(Path.Combine(Oracle.NodeDir, "node_modules", "puppeteer-core"))
            && Oracle.Run("node", ["--version"], null, 60).ExitCode == 0,
        $"Browser not available: {Chromium} (Debian's chromium) and node with puppeteer-core in {Oracle.NodeDir}/node_modules (installed by .ci/run).");

    [SkippableFact]
    public async Task PageShowsTheDirectPredictionAndEveryConv2DLayersMaps()
    {
        RequireBrowser();
        string dir = Oracle.TempDir();
        var network = ServePageFixture.Classifier(seed: 5);
        string model = ServePageFixture.Save(network, dir);
        string image = ServePageFixture.WriteImage(dir, red: true);
        string notAnImage = Path.Combine(dir, "notes.png");
        File.WriteAllText(notAnImage, "this is text, not a PNG\n");
        string screenshot = Path.Combine(dir, "serve-page.png");

        var expectedProbabilities = network.Predict(ServePageFixture.Prepared(image)).ToArray();
        string expectedClass = ServePageFixture.PredictedClass(network, image);
        var activations = ServePageFixture.Activations(network, image);

        var (app, url) = await ServePageFixture.StartAsync(("tiny", model));
        Oracle.ProcessResult run;
        try
        {
            run = await Task.Run(() => Oracle.Run("node", [Path.Combine(Oracle.ScriptsDir, "page_browser.js"), url.ToString(), image, notAnImage, screenshot], null, 300,
                new() { ["NODE_PATH"] = Path.Combine(Oracle.NodeDir, "node_modules"), ["KERASNET_CHROMIUM"] = Chromium }));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        Assert.True(run.ExitCode == 0, $"page_browser.js failed ({run.ExitCode}):\n{run.StdErr}\n{run.StdOut}");
        KeepArtifact(screenshot);
        var r = JsonDocument.Parse(run.StdOut).RootElement;

        Assert.Equal("done", r.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, r.GetProperty("error").ValueKind);
        Assert.Equal(["tiny"], r.GetProperty("models").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal("Model", r.GetProperty("modelLabel").GetString());
        Assert.Equal("Choose an image", r.GetProperty("fileLabel").GetString());
        Assert.Equal(expectedClass, r.GetProperty("predictedClass").GetString());

        // The bars: most likely first, each labelled with its probability.
        var bars = r.GetProperty("bars").EnumerateArray().ToArray();
        var order = ServePageFixture.Classes.Select((c, i) => (c, p: expectedProbabilities[i])).OrderByDescending(t => t.p).ToArray();
        Assert.Equal(order.Select(t => t.c).ToArray(), bars.Select(b => b.GetProperty("class").GetString()!).ToArray());
        Assert.True(bars[0].GetProperty("width").GetDouble() >= bars[1].GetProperty("width").GetDouble());
        foreach (var (b, (c, p)) in bars.Zip(order))
        {
            string label = b.GetProperty("label").GetString()!;
            double shown = double.Parse(label.Replace(" %", ""), System.Globalization.CultureInfo.InvariantCulture) / 100;
            Assert.True(Math.Abs(shown - p) <= 0.0051, $"bar {c}: '{label}' for probability {p}");
        }
        Assert.Contains(expectedClass, r.GetProperty("chartLabel").GetString());

        // One canvas per Conv2D layer, in the model's order, holding exactly the layer's grey tiles.
        var maps = r.GetProperty("maps").EnumerateArray().ToArray();
        Assert.Equal(ServePageFixture.ConvLayers, maps.Select(m => m.GetProperty("layer").GetString()!).ToArray());
        foreach (var m in maps)
        {
            string layer = m.GetProperty("layer").GetString()!;
            AssertCanvas(layer, activations[layer], m.GetProperty("width").GetInt32(), m.GetProperty("height").GetInt32(),
                Convert.FromBase64String(m.GetProperty("red").GetString()!));
            Assert.Contains(layer, m.GetProperty("label").GetString());
        }

        Assert.True(r.GetProperty("scrollWidth").GetInt32() <= r.GetProperty("viewportWidth").GetInt32(),
            $"the page is {r.GetProperty("scrollWidth")} px wide in a 360 px window");
        Assert.Empty(r.GetProperty("foreignRequests").EnumerateArray());
        // The one console error allowed: Chromium's note of the 400 answer to the file that is not an image.
        var consoleErrors = r.GetProperty("consoleErrors").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.True(consoleErrors.All(e => e.Contains("status of 400")), "console errors: " + string.Join(" | ", consoleErrors));
        var bad = r.GetProperty("badFileError").GetString();
        Assert.False(string.IsNullOrWhiteSpace(bad), "no error shown for a file that is not an image");
        Assert.Contains("HTTP 400", bad);
        Assert.Equal("alert", r.GetProperty("badFileRole").GetString());

        var png = File.ReadAllBytes(screenshot);
        Assert.True(png.Length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "the screenshot is not a PNG");
    }

    /// <summary>
    /// The canvas as the page draws it: columns as the featuremaps command chooses them, each map pixel a Scale x Scale
    /// block, Gap white pixels around and between tiles, empty slots white; each tile pixel the channel's grey level.
    /// </summary>
    private static void AssertCanvas(string layer, KerasNet.Engine.Tensor maps, int width, int height, byte[] red)
    {
        int h = maps.Shape[1], w = maps.Shape[2], c = maps.Shape[3];
        int cols = FeatureMaps.Grid.ColumnsFor(c), rows = (c + cols - 1) / cols;
        int scale = Math.Max(1, TileTarget / Math.Max(h, w)), tw = w * scale, th = h * scale;
        Assert.Equal((cols * tw + (cols + 1) * Gap, rows * th + (rows + 1) * Gap), (width, height));
        Assert.Equal(width * height, red.Length);
        var expected = Enumerable.Repeat((byte)255, width * height).ToArray();
        for (int k = 0; k < c; k++)
        {
            int x0 = Gap + k % cols * (tw + Gap), y0 = Gap + k / cols * (th + Gap);
            for (int y = 0; y < th; y++)
                for (int x = 0; x < tw; x++)
                    expected[(y0 + y) * width + x0 + x] = ServePageFixture.Gray(maps, y / scale, x / scale, k);
        }
        int wrong = 0, first = -1;
        for (int i = 0; i < red.Length; i++)
            if (red[i] != expected[i]) { wrong++; if (first < 0) first = i; }
        Assert.True(wrong == 0, $"{layer}: {wrong} of {red.Length} canvas pixels differ, first at ({first % width}, {first / width}): {red[Math.Max(0, first)]} vs {expected[Math.Max(0, first)]}");
        // Not blank: the tiles hold several grey levels, not only the white background.
        Assert.True(red.Distinct().Count() > 8, $"{layer}: the canvas holds only {red.Distinct().Count()} grey levels");
    }

    private void KeepArtifact(string screenshot)
    {
        output.WriteLine($"Screenshot of the page: {screenshot}");
        var keep = Environment.GetEnvironmentVariable("KERASNET_TEST_ARTIFACTS");
        if (string.IsNullOrEmpty(keep) || !File.Exists(screenshot)) return;
        Directory.CreateDirectory(keep);
        string target = Path.Combine(keep, Path.GetFileName(screenshot));
        File.Copy(screenshot, target, overwrite: true);
        output.WriteLine($"Copied to {target}");
    }
}
