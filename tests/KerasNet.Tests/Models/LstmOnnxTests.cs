#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;
using Microsoft.ML.OnnxRuntime;

namespace KerasNet.Tests.Models;

/// <summary>
/// The lstm bench compares KerasNet's batch-1 latency with ONNX Runtime's on src/KerasNet.Bench/lstm_onnx_export.py's
/// export (torch nn.LSTM with Keras's gates mapped, ONNX's LSTM operator). This checks that ONNX Runtime's answer on
/// that export equals KerasNet's at the bench's shapes (LSTM(128) on 100 steps of 32 features, Dense(1)), so the
/// bench times the same computation, and that the comparison would notice a wrong gate mapping.
/// </summary>
public class LstmOnnxTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;
    private const int Steps = 100, Features = 32, Units = 128;

    [SkippableFact]
    public void OnnxRuntimeOnTheBenchExportEqualsKerasNet()
    {
        Oracle.RequirePython("torch", "numpy");
        var (model, dir) = ModelAndWeights();
        using var session = Export(dir, "lstm.onnx");
        var rng = new Random(5);
        foreach (int batch in new[] { 1, 4 })
        {
            var x = Synthetic.Uniform(rng, -1f, 1f, [batch, Steps, Features]);
            double diff = OnnxRuntimeOracle.MaxAbsDiff(model.Predict(x).ToArray(), OnnxRuntimeOracle.Run(session, x));
            output.WriteLine($"batch {batch}: max |KerasNet - ONNX Runtime| {diff:E2}");
            Assert.True(diff <= Tolerance, $"batch {batch}: KerasNet differs from ONNX Runtime on the bench's export by {diff:E2} (> {Tolerance:E0})");
        }
    }

    /// <summary>The negative control: the same export from a kernel whose i and f gate blocks are swapped is far off.</summary>
    [SkippableFact]
    public void SwappedGatesInTheExportAreDetected()
    {
        Oracle.RequirePython("torch", "numpy");
        var (model, dir) = ModelAndWeights();
        var k = model.Weights[0].Value; // (features, 4 units), gates i, f, c, o
        var swapped = k.ToArray();
        for (int r = 0; r < Features; r++)
            for (int j = 0; j < Units; j++)
                (swapped[r * 4 * Units + j], swapped[r * 4 * Units + Units + j]) = (swapped[r * 4 * Units + Units + j], swapped[r * 4 * Units + j]);
        Npy.Save(Path.Combine(dir, "kernel.npy"), new Tensor(swapped, k.Shape));
        using var session = Export(dir, "swapped.onnx");
        var x = Synthetic.Uniform(new Random(6), -1f, 1f, [2, Steps, Features]);
        double diff = OnnxRuntimeOracle.MaxAbsDiff(model.Predict(x).ToArray(), OnnxRuntimeOracle.Run(session, x));
        output.WriteLine($"i/f gates swapped in the export: max |KerasNet - ONNX Runtime| {diff:E2}");
        Assert.True(diff > 100 * Tolerance, $"swapping the i and f gates changed ONNX Runtime's answer by only {diff:E2}");
    }

    /// <summary>The bench's network with random weights (biases and head included), saved as the bench saves them.</summary>
    private static (Sequential Model, string Dir) ModelAndWeights()
    {
        KerasRandom.SetRandomSeed(17);
        var model = new Sequential([new LSTM(Units, inputShape: (Steps, Features)), new Dense(1)]);
        var rng = new Random(9);
        foreach (var w in model.Weights)
            w.Assign(Synthetic.Uniform(rng, -0.3f, 0.3f, w.Shape).Span);
        var dir = Oracle.TempDir();
        var names = new[] { "kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias" };
        for (int i = 0; i < names.Length; i++) Npy.Save(Path.Combine(dir, names[i] + ".npy"), model.Weights[i].Value);
        return (model, dir);
    }

    private static InferenceSession Export(string dir, string file)
    {
        var onnx = Path.Combine(dir, file);
        Oracle.RunPythonScript("lstm_onnx_export.py", dir, onnx, Steps.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return OnnxRuntimeOracle.Open(onnx);
    }


}
