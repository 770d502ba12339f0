using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Metrics;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Metrics;

/// <summary>The metrics tfjs-layers also has (tf.metrics), on the same random batches, as a second implementation of Keras.</summary>
public class TfjsMetricTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [SkippableFact]
    public void MetricsAgreeWithTfjsLayers()
    {
        Oracle.RequireNodeTfjs();
        var rng = new Random(21);
        const int rows = 40, cols = 4;
        float[] R(int n, Func<float> f) => Enumerable.Range(0, n).Select(_ => f()).ToArray();
        var probs = R(rows * cols, () => (float)rng.NextDouble());
        var bits = R(rows * cols, () => rng.Next(2));
        var oneHot = new float[rows * cols];
        var sparse = new float[rows];
        for (int r = 0; r < rows; r++) { int k = rng.Next(cols); oneHot[r * cols + k] = 1; sparse[r] = k; }
        var reals = R(rows * cols, () => (float)(rng.NextDouble() * 4 - 2));
        var realsTrue = R(rows * cols, () => (float)(rng.NextDouble() * 4 - 2));
        (string fn, Func<Metric> make, float[] t, int[] ts, float[] p)[] cases =
        [
            ("binaryAccuracy", () => new BinaryAccuracy(), bits, [rows, cols], probs),
            ("categoricalAccuracy", () => new CategoricalAccuracy(), oneHot, [rows, cols], probs),
            ("sparseCategoricalAccuracy", () => new SparseCategoricalAccuracy(), sparse, [rows], probs),
            ("precision", () => new Precision(), bits, [rows, cols], probs),
            ("recall", () => new Recall(), bits, [rows, cols], probs),
            ("meanSquaredError", () => new KerasNet.Metrics.MeanSquaredError(), realsTrue, [rows, cols], reals),
            ("meanAbsoluteError", () => new MeanAbsoluteError(), realsTrue, [rows, cols], reals),
            ("MAPE", () => new MeanAbsolutePercentageError(), realsTrue, [rows, cols], reals),
            ("categoricalCrossentropy", () => new LossMetric("categorical_crossentropy"), oneHot, [rows, cols], probs),
        ];
        var payload = new JsonArray(cases.Select(c => (JsonNode?)new JsonObject
        {
            ["fn"] = c.fn, ["y_true"] = MetricOracle.Array(c.t), ["true_shape"] = new JsonArray(c.ts.Select(x => (JsonNode?)x).ToArray()),
            ["y_pred"] = MetricOracle.Array(c.p), ["pred_shape"] = new JsonArray(rows, cols),
        }).ToArray());
        var path = Path.Combine(Oracle.TempDir(), "cases.json");
        File.WriteAllText(path, payload.ToJsonString());
        var expect = JsonNode.Parse(Oracle.RunNodeScript("metrics_tfjs.js", path))!.AsArray();
        for (int i = 0; i < cases.Length; i++)
        {
            var m = cases[i].make();
            m.UpdateState(new Tensor(cases[i].t, cases[i].ts), new Tensor(cases[i].p, rows, cols));
            double e = expect[i]!.GetValue<double>();
            // tfjs computes in float32: agreement to float32 precision.
            output.WriteLine($"{cases[i].fn}: |diff| {Math.Abs(e - m.Result()):E2}");
            Assert.True(Math.Abs(e - m.Result()) <= 2e-6 * Math.Max(1, Math.Abs(e)), $"{cases[i].fn}: {m.Result()} vs tfjs {e}");
        }
    }
}
