#nullable enable
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Samples;

/// <summary>
/// The recurrent samples (samples/text_classifier, samples/forecaster), built with the tests (project references)
/// and run briefly as their users run them, as separate processes. What they save is then read by independent
/// readers only: Oracles/samples_read.py (h5py and numpy: Keras's weight names and shapes in the .h5 and the
/// .keras archive, and a float64 numpy forward pass from the saved weights that must reproduce the sample's own C#
/// predictions), and tfjs-layers (the .h5's model_config and weights, predicting the same).
/// </summary>
public partial class SampleTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    [SkippableFact]
    public void TextClassifierLearnsAndItsFilesAreReadByNumpyAndTfjs()
    {
        var (dir, stdout) = RunSample("text_classifier", epochs: 3);
        output.WriteLine(stdout);
        var accuracy = double.Parse(AccuracyLine().Match(stdout) is { Success: true } m ? m.Groups[1].Value : throw new Xunit.Sdk.XunitException("no accuracy line:\n" + stdout), CultureInfo.InvariantCulture);
        Assert.True(accuracy >= 0.8, $"the text classifier reached only {accuracy} test accuracy after 3 epochs (chance 0.5)");
        var report = ReadWithNumpy(dir, "text_classifier", ["embedding/embeddings:0", "lstm/lstm_cell/kernel:0", "lstm/lstm_cell/recurrent_kernel:0", "lstm/lstm_cell/bias:0", "dense/kernel:0", "dense/bias:0"]);
        // The negative control: ignoring the mask (the padded ids' embeddings reach the LSTM) changes the outputs.
        Assert.True(report.GetProperty("unmasked_diff").GetDouble() > 100 * Tolerance, "the numpy pass does not depend on the mask");
        PredictsWithTfjs(dir, 6);
    }

    [SkippableFact]
    public void ForecasterBeatsTheNaiveBaselineAndItsFilesAreReadByNumpyAndTfjs()
    {
        var (dir, stdout) = RunSample("forecaster", epochs: 5);
        output.WriteLine(stdout);
        var m = MaeLine().Match(stdout);
        Assert.True(m.Success, "no MAE line:\n" + stdout);
        double mae = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), naive = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.True(mae < naive, $"after 5 epochs the forecaster's MAE {mae} is not below the naive baseline's {naive}");
        ReadWithNumpy(dir, "forecaster", ["lstm/lstm_cell/kernel:0", "lstm/lstm_cell/recurrent_kernel:0", "lstm/lstm_cell/bias:0",
            "lstm_1/lstm_cell_1/kernel:0", "lstm_1/lstm_cell_1/recurrent_kernel:0", "lstm_1/lstm_cell_1/bias:0", "dense/kernel:0", "dense/bias:0"]);
        PredictsWithTfjs(dir, 8);
    }

    /// <summary>Runs the sample's dll (built beside its project) into a fresh folder; checks it lists what it saved.</summary>
    private static (string Dir, string Stdout) RunSample(string name, int epochs)
    {
        var dll = SampleDll(name);
        Assert.True(File.Exists(dll), $"{dll} was not built (the tests project references samples/{name})");
        var dir = Path.Combine(Oracle.TempDir(), "out");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var r = Oracle.Run(host, [dll, dir, "--epochs", epochs.ToString(CultureInfo.InvariantCulture)], null, 300);
        Assert.True(r.ExitCode == 0, $"{name} exited {r.ExitCode}:\n{r.StdErr}\n{r.StdOut}");
        foreach (var file in new[] { name + ".h5", name + ".keras", "x_sample.npy", "predictions.npy" })
        {
            var path = Path.Combine(dir, file);
            Assert.True(File.Exists(path), $"{name} did not save {file}");
            Assert.Contains(path, r.StdOut); // the sample prints the file names
        }
        Assert.Contains($"Epoch {epochs}/{epochs}", r.StdOut);
        return (dir, r.StdOut);
    }

    // tests/KerasNet.Tests/bin/<Configuration>/<tfm>/ -> samples/<name>/bin/<Configuration>/<tfm>/<name>.dll
    private static string SampleDll(string name)
    {
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        return Path.Combine(Oracle.RepoRoot, "samples", name, "bin", tfmDir.Parent!.Name, tfmDir.Name, name + ".dll");
    }

    private JsonElement ReadWithNumpy(string dir, string name, string[] weightNames)
    {
        Oracle.RequirePython("numpy", "h5py");
        var report = JsonDocument.Parse(Oracle.RunPythonScript("samples_read.py", dir, name)).RootElement;
        Assert.Equal(weightNames, report.GetProperty("weights").EnumerateArray().Select(w => w.GetProperty("name").GetString()));
        double diff = report.GetProperty("max_diff").GetDouble();
        output.WriteLine($"{name}: numpy forward pass from the .h5 weights vs the C# predictions: max abs diff {diff:E2}");
        Assert.True(diff <= Tolerance, $"{name}: numpy's forward pass from the saved weights differs from the C# predictions by {diff:E2}");
        return report;
    }

    /// <summary>tfjs-layers builds the model from the .h5's model_config, sets the weights h5py read, and predicts.</summary>
    private void PredictsWithTfjs(string dir, int weightCount)
    {
        var oracle = Path.Combine(dir, "oracle");
        var weights = Enumerable.Range(0, weightCount).Select(i => Npy.Load(Path.Combine(oracle, $"w{i}.npy"))).Select(t => (t.Shape, t.ToArray())).ToList();
        var x = Npy.Load(Path.Combine(dir, "x_sample.npy"));
        var expected = Npy.Load(Path.Combine(dir, "predictions.npy"));
        var result = TfjsGraphOracle.Run(File.ReadAllText(Path.Combine(oracle, "model.json")), weights, [(x.Shape, x.ToArray())]);
        var (shape, values) = Assert.Single(result.Outputs);
        Assert.Equal(expected.Shape, shape);
        double diff = values.Zip(expected.ToArray(), (a, b) => Math.Abs((double)a - b)).Max();
        output.WriteLine($"tfjs-layers vs the C# predictions: max abs diff {diff:E2}");
        Assert.True(diff <= Tolerance, $"tfjs-layers' predictions from the saved model differ from the C# ones by {diff:E2}");
    }

    [GeneratedRegex(@"test accuracy ([0-9.]+)")]
    private static partial Regex AccuracyLine();

    [GeneratedRegex(@"test MAE ([0-9.]+), naive \(last value\) MAE ([0-9.]+)")]
    private static partial Regex MaeLine();
}
