#nullable enable
using System.Globalization;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Console;

/// <summary>
/// What <c>predict</c> writes as it streams: the .npy whose header gets its row count at the end (numpy reads it), the
/// CSV, large outputs shown as numpy shows them, NaN predictions reported as <c>nan</c> with exit 1, and pipes or
/// devices refused at once as model, array or image paths.
/// </summary>
public sealed class StreamingPredictTests
{
    private readonly string _dir = Oracle.TempDir();

    private string Flat(int n, int seed)
    {
        string folder = Path.Combine(_dir, $"flat{seed}");
        Directory.CreateDirectory(folder);
        var rng = new Random(seed);
        for (int i = 0; i < n; i++)
            TinyDataset.WriteBmp(Path.Combine(folder, $"im{i:D3}.bmp"), 6, 5, (_, _) => ((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256)));
        return folder;
    }

    private string SaveModel(Model m, string name)
    {
        string path = Path.Combine(_dir, name);
        m.Save(path);
        return path;
    }

    private static Sequential Softmax(int units, int seed)
    {
        KerasRandom.SetRandomSeed(seed);
        return new Sequential([new Flatten(inputShape: (5, 6, 3)), new Dense(units, activation: "softmax", name: "out")]);
    }

    [Fact]
    public void NpyAndCsvAreWrittenBatchByBatchAndMatchTheModel()
    {
        var model = Softmax(3, seed: 1);
        string m = SaveModel(model, "m.h5"), images = Flat(37, seed: 2);
        string npy = Path.Combine(_dir, "y.npy"), csv = Path.Combine(_dir, "y.csv");
        // 37 images at batch 8: five batches, the last one of 5.
        var r = CliRunner.Run("predict", "--model", m, "--images", images, "--output", npy, "--csv", csv, "--batch-size", "8");
        Assert.True(r.ExitCode == 0, r.Error);
        var y = Npy.Load(npy);
        Assert.Equal([37, 3], y.Shape);
        Assert.Contains($"Wrote {npy} (37, 3)", r.Out);
        Assert.Contains($"Wrote {csv} (37 rows)", r.Out);
        var rows = File.ReadAllLines(csv);
        Assert.Equal("file,true_class,predicted_class,output_0,output_1,output_2", rows[0]);
        Assert.Equal(38, rows.Length);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("im", StringComparison.Ordinal)).ToList();
        Assert.Equal(37, lines.Count);
        for (int i = 0; i < 37; i++)
        {
            var cells = rows[i + 1].Split(',');
            Assert.Equal($"im{i:D3}.bmp", cells[0]);
            Assert.Equal("", cells[1]);
            var values = cells[3..].Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            for (int j = 0; j < 3; j++) Assert.Equal(y[i * 3 + j], values[j]); // the CSV prints the float32 exactly
            int argmax = Array.IndexOf(values, values.Max());
            Assert.Equal(argmax.ToString(CultureInfo.InvariantCulture), cells[2]);
            Assert.StartsWith($"im{i:D3}.bmp  {argmax}  [", lines[i]);
        }
        // The same rows as one big batch through the library.
        var all = new Tensor(37, 5, 6, 3);
        var files = Directory.GetFiles(images).Order(StringComparer.Ordinal).ToArray();
        for (int i = 0; i < 37; i++)
        {
            var img = KerasNet.Preprocessing.Image.ImageLoader.Load(files[i], "rgb", (5, 6));
            for (int j = 0; j < img.Length; j++) all[i * img.Length + j] = img[j] * (float)(1.0 / 255);
        }
        var expected = model.Predict(all);
        for (int i = 0; i < y.Length; i++) Assert.True(Math.Abs(expected[i] - y[i]) <= 1e-6, $"value {i}: {expected[i]} vs {y[i]}");
    }

    [SkippableFact]
    public void NumpyReadsTheStreamedNpyWithItsPatchedRowCount()
    {
        Oracle.RequirePython("numpy");
        string path = Path.Combine(_dir, "s.npy");
        using (var w = new NpyWriter(path, [2, 3]))
        {
            for (int b = 0; b < 4; b++) w.Append(Enumerable.Range(0, 6 * (b + 1)).Select(i => (float)(b * 100 + i)).ToArray());
            Assert.Equal(10, w.Rows);
            Assert.False(File.Exists(path)); // written atomically: nothing until the commit
            w.Commit();
        }
        var printed = Oracle.RunPythonCode("import numpy as np, sys; a = np.load(sys.argv[1]); print(a.shape, a.dtype, a[0,0,0], a[9,1,2], a.sum())", path).Trim();
        float sum = 0;
        for (int b = 0; b < 4; b++) for (int i = 0; i < 6 * (b + 1); i++) sum += b * 100 + i;
        Assert.Equal($"(10, 2, 3) float32 0.0 323.0 {sum:0.0}", printed);
        Assert.Equal([10, 2, 3], Npy.Load(path).Shape);

        // Abandoned: the target keeps its old content and no temporary file stays.
        using (var w = new NpyWriter(path, [1])) w.Append([1f, 2f]);
        Assert.Equal([10, 2, 3], Npy.Load(path).Shape);
        Assert.Empty(Directory.GetFiles(_dir, ".*.tmp"));
    }

    [Fact]
    public void NaNPredictionsArePrintedAsNanSavedAsNaNAndExit1()
    {
        var model = Softmax(2, seed: 3);
        var kernel = model.Layers[^1].Weights[0];
        var values = kernel.Value.ToArray();
        values[0] = float.NaN; // the first input pixel feeds NaN into every output
        kernel.Assign(values);
        string m = SaveModel(model, "nan.h5"), images = Flat(4, seed: 4), npy = Path.Combine(_dir, "nan.npy");
        var r = CliRunner.Run("predict", "--model", m, "--images", images, "--output", npy);
        CliRunner.AssertOneLineError(r, 1, "4 of 4 sample(s) have NaN outputs", "im000.bmp");
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("im", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.Contains("  nan  [nan, nan]", l));
        Assert.All(Npy.Load(npy).ToArray(), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void ALargeOutputIsSummarisedOnScreenAndSavedInFull()
    {
        KerasRandom.SetRandomSeed(5);
        var model = new Sequential([new Flatten(inputShape: (5, 6, 3)), new Dense(5000, name: "wide")]);
        string m = SaveModel(model, "wide.h5"), images = Flat(2, seed: 6), npy = Path.Combine(_dir, "wide.npy");
        var r = CliRunner.Run("predict", "--model", m, "--images", images, "--output", npy);
        Assert.True(r.ExitCode == 0, r.Error);
        var y = Npy.Load(npy);
        Assert.Equal([2, 5000], y.Shape);
        var line = r.Out.Split('\n').First(l => l.StartsWith("im000.bmp", StringComparison.Ordinal));
        string shown = line[(line.IndexOf('[') + 1)..line.IndexOf(']')];
        var parts = shown.Split(", ");
        Assert.Equal(7, parts.Length); // first three, "...", last three, as numpy prints a 5000-value row
        Assert.Equal("...", parts[3]);
        Assert.Equal(y[0], float.Parse(parts[0], CultureInfo.InvariantCulture));
        Assert.Equal(y[4999], float.Parse(parts[6], CultureInfo.InvariantCulture));
        Assert.True(line.Length < 200);
    }

    [SkippableFact]
    public void PipesAndDevicesAreRefusedAtOnce()
    {
        Oracle.SkipUnlessPlatform(OperatingSystem.IsLinux(), "makes a named pipe with mkfifo and reads /dev/zero");
        string fifo = Path.Combine(_dir, "model.h5"), imageFifo = Path.Combine(_dir, "pics", "pipe.png"), npyFifo = Path.Combine(_dir, "x.npy");
        Directory.CreateDirectory(Path.GetDirectoryName(imageFifo)!);
        foreach (var f in new[] { fifo, imageFifo, npyFifo }) Assert.Equal(0, Oracle.Run("mkfifo", [f], null, 20).ExitCode);
        var model = SaveModel(Softmax(2, seed: 7), "ok.h5");

        // Each would block forever on open (a pipe without writer) or never end (/dev/zero): run them against a deadline.
        void Quick(Action a)
        {
            var t = Task.Run(a);
            Assert.True(t.Wait(TimeSpan.FromSeconds(30)), "the call hung");
            t.GetAwaiter().GetResult();
        }
        Quick(() => Assert.Contains("named pipe (FIFO)", Assert.Throws<InvalidModelFileException>(() => Keras.LoadModel(fifo)).Message));
        Quick(() => Assert.Contains("character device", Assert.ThrowsAny<KerasNetException>(() => Keras.LoadModel("/dev/zero")).Message));
        Quick(() => Assert.Contains("named pipe", Assert.ThrowsAny<KerasNetException>(() => Npy.Load(npyFifo)).Message));
        Quick(() => Assert.Contains("named pipe", Assert.ThrowsAny<KerasNetException>(() => KerasNet.Preprocessing.Image.ImageLoader.Load(imageFifo)).Message));
        Quick(() => CliRunner.AssertOneLineError(CliRunner.Run("predict", "--model", fifo, "--input", npyFifo), 1, "model file expected", "named pipe"));
        Quick(() => CliRunner.AssertOneLineError(CliRunner.Run("summary", "--model", "/dev/zero.h5"), 1));
        Quick(() => CliRunner.AssertOneLineError(CliRunner.Run("predict", "--model", model, "--images", imageFifo), 1, "pipe.png", "named pipe"));
        Quick(() => CliRunner.AssertOneLineError(CliRunner.Run("predict", "--model", model, "--input", npyFifo), 1, "x.npy", "named pipe"));
        Quick(() =>
        {
            // In a folder with --skip-invalid the pipe is skipped like any undecodable file.
            TinyDataset.WriteBmp(Path.Combine(_dir, "pics", "real.bmp"), 6, 5, (_, _) => (1, 2, 3));
            var r = CliRunner.Run("predict", "--model", model, "--images", Path.Combine(_dir, "pics"), "--skip-invalid");
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Contains("Skipped 1 invalid image(s): pipe.png", r.Out);
            Assert.Contains("real.bmp", r.Out);
        });
    }
}
