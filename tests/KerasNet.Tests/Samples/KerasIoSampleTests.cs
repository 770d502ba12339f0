#nullable enable
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;
using KerasNet.Engine;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Samples;

/// <summary>
/// The keras.io samples (samples/mnist_convnet, churn_ann, regression_mlp, two_inputs, transfer_learning,
/// load_python_h5), built with the tests (project references, not referenced assemblies) and run briefly as separate
/// processes, as their users run them. Each test checks what the sample prints (its score against chance or a
/// baseline, Keras's summary counts, early stopping) and that the files it saves exist and reload with
/// <see cref="Keras.LoadModel"/> predicting what the sample itself predicted.
/// </summary>
public partial class KerasIoSampleTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [Fact]
    public void MnistConvnetLearnsTheSyntheticDigits()
    {
        var (dir, stdout) = RunSample("mnist_convnet", 2);
        Assert.Contains("x_train shape: (3000, 28, 28, 1)", stdout);
        Assert.Contains("3000 train samples", stdout);
        Assert.Contains("500 test samples", stdout);
        Assert.Contains("Total params: 34,826", stdout); // keras.io's summary of this model
        Assert.Contains("22/22 [====", stdout); // validation_split=0.1: 2700 training images in batches of 128
        double accuracy = Number(TestAccuracy(), stdout);
        Assert.True(accuracy > 0.5, $"after 2 epochs mnist_convnet's test accuracy is {accuracy} (chance 0.1)");
        ReloadsAndPredictsTheSame(dir, "mnist_convnet", "x_sample.npy");
    }

    [Fact]
    public void MnistConvnetReadsAnNpzOrAFolderAndRefusesAWrongFile()
    {
        // A tiny mnist.npz in keras.datasets.mnist's layout: uint8 images (n, 28, 28) and labels (n,), as np.savez writes.
        var data = Oracle.TempDir();
        var npz = Path.Combine(data, "mnist.npz");
        var rng = new Random(3);
        var arrays = new Dictionary<string, (int[] Shape, byte[] Values)>
        {
            ["x_train"] = ([64, 28, 28], Bytes(64 * 784, 256)), ["y_train"] = ([64], Bytes(64, 10)),
            ["x_test"] = ([16, 28, 28], Bytes(16 * 784, 256)), ["y_test"] = ([16], Bytes(16, 10)),
        };
        using (var zip = ZipFile.Open(npz, ZipArchiveMode.Create))
            foreach (var (key, (shape, values)) in arrays)
            {
                using var s = zip.CreateEntry(key + ".npy").Open();
                WriteUint8Npy(s, shape, values);
            }
        var (_, stdout) = RunSample("mnist_convnet", 1, ["--mnist", npz]);
        Assert.Contains("x_train shape: (64, 28, 28, 1)", stdout);
        Assert.Contains("16 test samples", stdout);

        // The same arrays as a folder of .npy files.
        var folder = Path.Combine(data, "folder");
        Directory.CreateDirectory(folder);
        foreach (var (key, (shape, values)) in arrays)
            using (var f = File.Create(Path.Combine(folder, key + ".npy"))) WriteUint8Npy(f, shape, values);
        (_, stdout) = RunSample("mnist_convnet", 1, ["--mnist", folder]);
        Assert.Contains("x_train shape: (64, 28, 28, 1)", stdout);

        // A zip without MNIST's arrays: a clear message and exit code 1, nothing trained.
        var wrong = Path.Combine(data, "wrong.npz");
        using (var zip = ZipFile.Open(wrong, ZipArchiveMode.Create)) using (var s = zip.CreateEntry("a.npy").Open()) WriteUint8Npy(s, [1], [0]);
        var r = Oracle.Run(Host, [SampleDll("mnist_convnet"), Path.Combine(data, "out"), "--mnist", wrong], null, 300);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("has no 'x_train.npy'", r.StdErr);
        Assert.DoesNotContain("Epoch", r.StdOut);

        byte[] Bytes(int n, int max) => Enumerable.Range(0, n).Select(_ => (byte)rng.Next(max)).ToArray();
    }

    [Fact]
    public void ChurnAnnBeatsTheMajorityClass()
    {
        var (dir, stdout) = RunSample("churn_ann", 2);
        Assert.Contains("Total params: 121", stdout); // 11*6+6 + 6*6+6 + 6+1
        var m = ChurnAccuracy().Match(stdout);
        Assert.True(m.Success, "no accuracy line:\n" + stdout);
        double accuracy = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), majority = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy > majority + 0.05, $"after 2 epochs churn_ann's test accuracy {accuracy} does not beat always predicting 'stays' ({majority}) by 0.05");
        Assert.Matches(@"\[\[ *\d+ +\d+\]\s*\n \[ *\d+ +\d+\]\]", stdout); // the confusion matrix, as numpy prints it
        ReloadsAndPredictsTheSame(dir, "churn_ann", "x_sample.npy");
    }

    [Fact]
    public void RegressionMlpStopsEarlyRestoresTheBestWeightsAndBeatsTheMean()
    {
        // Its default 200 epochs: EarlyStopping(patience=10) ends the run long before (each epoch is 21 small steps).
        var (dir, stdout) = RunSample("regression_mlp", null);
        Assert.Contains("Total params: 5,121", stdout); // 13*64+64 + 64*64+64 + 64+1
        Assert.Contains("Restoring model weights from the end of the best epoch.", stdout);
        var stop = Regex.Match(stdout, @"Epoch (\d+): early stopping");
        Assert.True(stop.Success, "EarlyStopping did not stop the 200 epochs:\n" + stdout);
        var trained = Regex.Match(stdout, @"trained (\d+) epochs, best val_loss ([0-9.]+)");
        Assert.True(trained.Success, stdout);
        int epochs = int.Parse(trained.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(int.Parse(stop.Groups[1].Value, CultureInfo.InvariantCulture), epochs);
        Assert.True(epochs < 200);
        // restore_best_weights: the saved model's validation loss is the best epoch's, not the last one's. The last 10
        // epochs did not improve on it, so the last epoch's val_loss is above the best.
        var valLosses = Regex.Matches(stdout, @"val_loss: ([0-9.]+)").Select(v => double.Parse(v.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(epochs, valLosses.Count);
        Assert.True(valLosses[^1] > valLosses.Min());
        var mae = Regex.Match(stdout, @"test MAE ([0-9.]+) \(predicting the training mean: ([0-9.]+)\)");
        Assert.True(mae.Success, stdout);
        double testMae = double.Parse(mae.Groups[1].Value, CultureInfo.InvariantCulture), baseline = double.Parse(mae.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.True(testMae < 0.6 * baseline, $"regression_mlp's test MAE {testMae} is not well below the training-mean baseline's {baseline}");
        ReloadsAndPredictsTheSame(dir, "regression_mlp", "x_sample.npy");
    }

    [Fact]
    public void TwoInputsLearnsWhatNeedsBothInputs()
    {
        var (dir, stdout) = RunSample("two_inputs", 3);
        Assert.Contains("Connected to", stdout); // a Functional model's summary, with both named inputs and the join
        Assert.Contains("features (InputLayer)", stdout);
        Assert.Contains("image (InputLayer)", stdout);
        Assert.Matches(@"concatenate \(Concatenate\) +\(None, 408\) +0 +dense\[0\]\[0\]\s+flatten\[0\]\[0\]", stdout); // 16 + 7*7*8
        double accuracy = Number(TestAccuracy(), stdout);
        Assert.True(accuracy > 0.85, $"after 3 epochs two_inputs reached {accuracy} test accuracy; one input alone allows about 0.75");
        ReloadsAndPredictsTheSame(dir, "two_inputs", "x_sample_features.npy", "x_sample_image.npy");
    }

    [Fact]
    public void TransferLearningTrainsOnlyTheHead()
    {
        var (dir, stdout) = RunSample("transfer_learning", 1);
        Assert.Contains("with random weights", stdout);
        Assert.Contains("mobilenetv2_0.35_96 (Functio", stdout); // the summary's 29-character column, as Keras cuts it
        Assert.Contains("Trainable params: 1,281", stdout); // Dense(1) on the 1280 pooled features
        var nonTrainable = Regex.Match(stdout, @"Non-trainable params: ([0-9,]+)");
        Assert.True(nonTrainable.Success && int.Parse(nonTrainable.Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture) > 300_000, stdout);
        Assert.Contains("trainable weights: 2 non-trainable weights:", stdout);
        Assert.Contains("base_model weights unchanged by fit: True", stdout);
        ReloadsAndPredictsTheSame(dir, "transfer_learning", "x_sample.npy");
        // The frozen flag is saved: the reloaded base is frozen too.
        var reloaded = Keras.LoadModel(Path.Combine(dir, "transfer_learning.h5"));
        Assert.Equal(2, reloaded.TrainableWeights.Count);
    }

    [SkippableFact]
    public void LoadPythonH5PredictsWhatPythonKerasPredicted()
    {
        var fixtures = Oracle.RequireFixtures();
        const string stem = "binhgo_Learn-AI__mnist_cnn"; // tf.keras 2.4's Sequential: Conv2D, MaxPooling2D, Flatten, Dense
        var entry = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixtures, "manifest.json"))).RootElement
            .GetProperty("files").EnumerateArray().Single(f => f.GetProperty("stem").GetString() == stem);
        double tolerance = JsonDocument.Parse(File.ReadAllText(Path.Combine(fixtures, "manifest.json"))).RootElement.GetProperty("tolerance_abs").GetDouble();
        var dir = Path.Combine(Oracle.TempDir(), "out");
        var input = Path.Combine(fixtures, entry.GetProperty("input").GetString()!);
        var r = Oracle.Run(Host, [SampleDll("load_python_h5"), Path.Combine(fixtures, entry.GetProperty("model").GetString()!), input, "--out", dir], null, 300);
        output.WriteLine(r.StdOut);
        Assert.True(r.ExitCode == 0, $"load_python_h5 exited {r.ExitCode}:\n{r.StdErr}\n{r.StdOut}");
        Assert.Contains("Total params:", r.StdOut);
        Assert.Contains("input shape: (4, 28, 28, 1)", r.StdOut);
        Assert.Contains("predictions shape: (4, 10)", r.StdOut);
        var argmax = entry.GetProperty("argmax").EnumerateArray().Select(a => a.GetInt32());
        Assert.Contains($"argmax: [{string.Join(", ", argmax)}]", r.StdOut);
        var expected = Npy.Load(Path.Combine(fixtures, entry.GetProperty("expected").GetString()!));
        var predicted = Npy.Load(Path.Combine(dir, "predictions.npy"));
        Assert.Equal(expected.Shape, predicted.Shape);
        double diff = MaxDiff(expected, predicted);
        output.WriteLine($"load_python_h5 vs the fixture's float64 reference: max abs diff {diff:E2}");
        Assert.True(diff <= tolerance, $"load_python_h5's predictions differ from the expected ones by {diff:E2} (tolerance {tolerance})");
        foreach (var file in new[] { "x_sample.npy", "predictions.npy", "load_python_h5.h5", "load_python_h5.keras" })
            Assert.Contains(Path.Combine(dir, file), r.StdOut);
        ReloadsAndPredictsTheSame(dir, "load_python_h5", "x_sample.npy");

        // No model: the usage line and exit code 2. A model that is not there: its message and exit code 1.
        var usage = Oracle.Run(Host, [SampleDll("load_python_h5")], null, 120);
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("usage: load_python_h5 MODEL.h5", usage.StdErr);
        var missing = Oracle.Run(Host, [SampleDll("load_python_h5"), Path.Combine(dir, "no-such.h5"), "--out", dir], null, 120);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no-such.h5", missing.StdErr);
    }

    /// <summary>Runs the sample's dll into a fresh folder; checks its last epoch line and the files it lists.</summary>
    private (string Dir, string Stdout) RunSample(string name, int? epochs, string[]? extra = null)
    {
        var dir = Path.Combine(Oracle.TempDir(), "out");
        string[] args = [SampleDll(name), dir, .. epochs is { } e ? new[] { "--epochs", e.ToString(CultureInfo.InvariantCulture) } : [], .. extra ?? []];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var r = Oracle.Run(Host, args, null, 600);
        output.WriteLine($"{name}: {watch.Elapsed.TotalSeconds:F1} s\n{r.StdOut}");
        Assert.True(r.ExitCode == 0, $"{name} exited {r.ExitCode}:\n{r.StdErr}\n{r.StdOut}");
        if (epochs is { } n and > 1) Assert.Contains($"Epoch {n}/{n}", r.StdOut); // tf.keras 2.4 prints no "Epoch 1/1"
        var inputs = name == "two_inputs" ? new[] { "x_sample_features.npy", "x_sample_image.npy" } : ["x_sample.npy"];
        foreach (var file in inputs.Concat([name + ".h5", name + ".keras", "predictions.npy"]))
        {
            var path = Path.Combine(dir, file);
            Assert.True(File.Exists(path), $"{name} did not save {file}");
            Assert.Contains(path, r.StdOut); // the sample prints the file names
        }
        return (dir, r.StdOut);
    }

    /// <summary>Both saved files reload with Keras.LoadModel and predict what the sample predicted.</summary>
    private void ReloadsAndPredictsTheSame(string dir, string name, params string[] inputs)
    {
        var x = inputs.Select(i => Npy.Load(Path.Combine(dir, i))).ToArray();
        var expected = Npy.Load(Path.Combine(dir, "predictions.npy"));
        foreach (var file in new[] { name + ".h5", name + ".keras" })
        {
            var model = Keras.LoadModel(Path.Combine(dir, file));
            var y = model.PredictOnBatch(x)[0];
            Assert.Equal(expected.Shape, y.Shape);
            double diff = MaxDiff(expected, y);
            output.WriteLine($"{file} reloaded: max abs diff to the sample's predictions {diff:E2}");
            Assert.True(diff <= Tolerance, $"{file} reloaded predicts {diff:E2} away from the sample's own predictions");
        }
    }

    private static double MaxDiff(Tensor a, Tensor b) => a.ToArray().Zip(b.ToArray(), (p, q) => Math.Abs((double)p - q)).Max();

    private static double Number(Regex re, string stdout) =>
        re.Match(stdout) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : throw new Xunit.Sdk.XunitException($"no line matching {re}:\n{stdout}");

    /// <summary>A uint8 C-order .npy, as numpy writes MNIST's arrays.</summary>
    private static void WriteUint8Npy(Stream s, int[] shape, byte[] values)
    {
        string header = $"{{'descr': '|u1', 'fortran_order': False, 'shape': ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : "")}), }}";
        header = header.PadRight(((header.Length + 11) / 64 + 1) * 64 - 11) + "\n";
        s.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        s.Write(BitConverter.GetBytes((ushort)header.Length));
        s.Write(System.Text.Encoding.Latin1.GetBytes(header));
        s.Write(values);
    }

    private static string Host => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";

    // tests/KerasNet.Tests/bin/<Configuration>/<tfm>/ -> samples/<name>/bin/<Configuration>/<tfm>/<name>.dll
    private static string SampleDll(string name)
    {
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(Oracle.RepoRoot, "samples", name, "bin", tfmDir.Parent!.Name, tfmDir.Name, name + ".dll");
        Assert.True(File.Exists(dll), $"{dll} was not built (the tests project references samples/{name})");
        return dll;
    }

    [GeneratedRegex(@"[Tt]est accuracy:? ([0-9.]+)")]
    private static partial Regex TestAccuracy();

    [GeneratedRegex(@"test accuracy ([0-9.]+) \(always 'stays': ([0-9.]+)\)")]
    private static partial Regex ChurnAccuracy();
}
