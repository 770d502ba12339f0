#nullable enable
using System.Diagnostics;
using System.Globalization;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Preprocessing.Image;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Faults;

/// <summary>
/// <c>predict --images</c> and <c>evaluate --images</c> stream: the peak resident set of a <c>kerasnet</c> process
/// (VmHWM, sampled while it runs) on 50,000 images stays within 50 MB of its peak on 500, while every result is
/// written (.npy rows, CSV rows, one line per image) and equals the in-process prediction of the same image. The
/// images are 8x8 BMPs generated here; the model reads them at 32 x 32, so a command holding its decoded images
/// would need 12 KB more per image (600 MB more at 50,000).
/// </summary>
// The measurement is the child's own peak resident set, which other tests running meanwhile do not change.
public sealed class StreamingMemoryTests(ITestOutputHelper output)
{
    private const int Small = 500, Large = 50_000;
    private const long FlatBytes = 50L << 20;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    [SkippableFact]
    public void PredictAndEvaluateOnImagesKeepMemoryFlatFrom500To50000Images()
    {
        Oracle.SkipUnlessPlatform(ChildCli.Supported, "reads a child's peak resident set from /proc (Linux)");
        string dir = Oracle.TempDir();
        var model = Model();
        string modelPath = Path.Combine(dir, "m.h5");
        model.Save(modelPath);

        var clock = Stopwatch.StartNew();
        string small = Images(Path.Combine(dir, "small"), Small, seed: 1);
        double smallSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        string large = Images(Path.Combine(dir, "large"), Large, seed: 2);
        output.WriteLine($"generated {Small} images in {smallSeconds:F1} s and {Large} in {clock.Elapsed.TotalSeconds:F1} s");

        var peaks = new Dictionary<(string, int), long>();
        foreach (var (folder, n) in new[] { (small, Small), (large, Large) })
        {
            string npy = Path.Combine(dir, $"y{n}.npy"), csv = Path.Combine(dir, $"y{n}.csv");
            var (code, peak, text, seconds) = Run(["predict", "--model", modelPath, "--images", folder, "--output", npy, "--csv", csv, "--batch-size", "64"]);
            Assert.True(code == 0, text);
            peaks[("predict", n)] = peak;
            var y = Npy.Load(npy);
            Assert.Equal([n, 3], y.Shape);
            var rows = File.ReadLines(csv).ToList();
            Assert.Equal(n + 1, rows.Count);
            Assert.Equal("file,true_class,predicted_class,a,b,c", rows[0]);
            // Keras's order (classes, then files by name); the first, a middle and the last image equal the library's own prediction.
            foreach (int i in new[] { 0, n / 2, n - 1 })
            {
                var name = rows[i + 1].Split(',')[0];
                var expected = model.Predict(Load(Path.Combine(folder, name)));
                // Batch 1 against batch 64: other GEMM blocking, so equal to float rounding.
                for (int j = 0; j < 3; j++) Assert.True(Math.Abs(expected[j] - y[i * 3 + j]) <= 1e-5, $"{name}: {expected[j]} vs {y[i * 3 + j]}");
            }
            output.WriteLine($"predict {n} images: {seconds:F1} s, peak RSS {peak / 1e6:F1} MB");

            string report = Path.Combine(dir, $"eval{n}");
            var (ecode, epeak, etext, eseconds) = Run(["evaluate", "--model", modelPath, "--images", folder, "--output", report, "--batch-size", "64"]);
            Assert.True(ecode == 0, etext);
            Assert.Contains("accuracy: ", etext);
            Assert.Equal(n + 1, File.ReadLines(Path.Combine(report, "predictions.csv")).Count());
            peaks[("evaluate", n)] = epeak;
            output.WriteLine($"evaluate {n} images: {eseconds:F1} s, peak RSS {epeak / 1e6:F1} MB");
        }
        foreach (var command in new[] { "predict", "evaluate" })
        {
            long growth = peaks[(command, Large)] - peaks[(command, Small)];
            output.WriteLine($"{command}: peak RSS grew by {growth / 1e6:F1} MB from {Small} to {Large} images");
            Assert.True(growth < FlatBytes, $"{command}: peak RSS grew by {growth / 1e6:F1} MB from {Small} to {Large} images (limit {FlatBytes / 1e6:F0} MB)");
        }
    }

    private (int Code, long Peak, string Text, double Seconds) Run(string[] args)
    {
        var clock = Stopwatch.StartNew();
        using var child = ChildCli.Start(args, sampleMemory: true);
        int code = child.Wait(Limit);
        return (code, child.PeakRssBytes, $"exit {code}\n{child.Error}\n{Tail(child.Out)}", clock.Elapsed.TotalSeconds);
    }

    private static string Tail(string s) => s.Length > 2000 ? s[^2000..] : s;

    // (32, 32, 3) -> Flatten -> Dense(3, softmax): decoding and resizing dominate, as in a real folder run.
    private static Sequential Model()
    {
        KerasRandom.SetRandomSeed(3);
        var m = new Sequential([new Flatten(inputShape: (32, 32, 3)), new Dense(3, activation: "softmax")]);
        m.Compile("sgd", "categorical_crossentropy", ["accuracy"]);
        return m;
    }

    private static Tensor Load(string file)
    {
        var image = ImageLoader.Load(file, "rgb", (32, 32));
        var x = new Tensor([1, .. image.Shape]);
        image.Span.CopyTo(x.Span);
        float f = (float)(1.0 / 255);
        foreach (ref var v in x.Span) v *= f;
        return x;
    }

    /// <summary>n random 8x8 24-bit BMPs in three class folders a, b, c (the header built once).</summary>
    private static string Images(string dir, int n, int seed)
    {
        const int Size = 8, Stride = Size * 3, DataSize = Stride * Size;
        var bytes = new byte[54 + DataSize];
        using (var w = new BinaryWriter(new MemoryStream(bytes)))
        {
            w.Write((byte)'B'); w.Write((byte)'M');
            w.Write(bytes.Length); w.Write(0); w.Write(54);
            w.Write(40); w.Write(Size); w.Write(Size); w.Write((short)1); w.Write((short)24);
            w.Write(0); w.Write(DataSize); w.Write(2835); w.Write(2835); w.Write(0); w.Write(0);
        }
        var rng = new Random(seed);
        foreach (var c in new[] { "a", "b", "c" }) Directory.CreateDirectory(Path.Combine(dir, c));
        for (int i = 0; i < n; i++)
        {
            rng.NextBytes(bytes.AsSpan(54));
            File.WriteAllBytes(Path.Combine(dir, "abc"[i % 3].ToString(), $"img{i.ToString("D6", CultureInfo.InvariantCulture)}.bmp"), bytes);
        }
        return dir;
    }
}
