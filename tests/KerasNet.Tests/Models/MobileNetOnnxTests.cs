#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using Microsoft.ML.OnnxRuntime;
using Apps = KerasNet.Applications.Applications;

namespace KerasNet.Tests.Models;

/// <summary>
/// MobileNetV2 against ONNX Runtime: onnx_export_graph.py rebuilds the graph in PyTorch from nothing but the model's
/// <c>ToJson()</c> and per-layer .npy weights (BatchNormalization exported as ONNX BatchNormalization with the moving
/// statistics), and ONNX Runtime with all its graph optimizations (its own Conv+BN fusion among them) computes the
/// reference that KerasNet's Predict, with its own BatchNormalization folding, must match. The same export is what
/// the bench's <c>mobilenet</c> mode times.
/// </summary>
public class MobileNetOnnxTests
{
    private const double RelTolerance = 1e-4;

    [SkippableTheory]
    [InlineData(0.35, 224)]
    [InlineData(1.0, 96)]
    public void MobileNetV2PredictMatchesOnnxRuntime(double alpha, int size)
    {
        Oracle.RequirePython("torch", "numpy");
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(31);
        var model = Apps.MobileNetV2((size, size, 3), alpha: alpha, classes: 10, classifierActivation: null);
        RandomizeNormalizations(model, new Random(32));
        var dir = Oracle.TempDir();
        try
        {
            File.WriteAllText(Path.Combine(dir, "model.json"), model.ToJson());
            foreach (var layer in model.Layers)
                foreach (var w in layer.Weights)
                    Npy.Save(Path.Combine(dir, $"{layer.Name}__{w.Name}.npy"), w.Value);
            Oracle.RunPythonScript("onnx_export_graph.py", dir);
            using var session = OnnxRuntimeOracle.Open(Path.Combine(dir, "model.onnx"), allOptimizations: true);
            var rng = new Random(33);
            foreach (int batch in new[] { 1, 3 })
            {
                var x = Synthetic.Uniform(rng, -1f, 1f, [batch, size, size, 3]);
                var expected = OnnxRuntimeOracle.Run(session, x);
                var actual = model.Predict(x).ToArray();
                Assert.Equal(batch * 10, actual.Length);
                double diff = 0, scale = 0;
                for (int i = 0; i < expected.Length; i++)
                {
                    diff = Math.Max(diff, Math.Abs((double)expected[i] - actual[i]));
                    scale = Math.Max(scale, Math.Abs((double)expected[i]));
                }
                Assert.True(scale > 1e-3, $"the reference logits are all near zero ({scale:E2}): the comparison would be empty");
                Assert.True(diff <= RelTolerance * scale,
                    $"MobileNetV2({alpha}, {size}), batch {batch}: KerasNet differs from ONNX Runtime by {diff:E2} (logits up to {scale:E2}, > {RelTolerance:E0} relative)");
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    /// <summary>Random gamma, beta and moving statistics, so that every normalization is far from its initial identity.</summary>
    internal static void RandomizeNormalizations(Model m, Random r)
    {
        foreach (var bn in m.Layers.OfType<BatchNormalization>())
        {
            Fill(bn.Gamma, () => 0.5f + r.NextSingle());
            Fill(bn.Beta, () => r.NextSingle() - 0.5f);
            Fill(bn.MovingMean, () => (r.NextSingle() - 0.5f) * 0.4f);
            Fill(bn.MovingVariance, () => 0.5f + 1.5f * r.NextSingle());
        }

        static void Fill(Variable? v, Func<float> next)
        {
            if (v is null) return;
            var values = new float[v.Size];
            for (int i = 0; i < values.Length; i++) values[i] = next();
            v.Assign(values);
        }
    }


}
