using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Metrics;

namespace KerasNet.Tests.Metrics;

/// <summary>The mean metrics (regression, accuracies, top-k, losses as metrics, RMSE) against numpy versions of tf.keras 2.4's functions (Oracles/metrics_numpy.py).</summary>
public class MeanMetricTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private sealed record Case(string Fn, Func<Metric> Make, int[] TrueShape, int[] PredShape, bool Positive = false, bool Sparse = false, bool OneHot = false, bool Probabilities = false, double? Threshold = null, int? K = null);

    private static readonly Case[] Cases =
    [
        new("mean_squared_error", () => new KerasNet.Metrics.MeanSquaredError(), [12, 3], [12, 3]),
        new("mean_squared_error", () => new KerasNet.Metrics.MeanSquaredError("mse"), [6, 4, 3], [6, 4, 3]), // rows within samples
        new("mean_absolute_error", () => new MeanAbsoluteError(), [12, 3], [12, 3]),
        new("mean_absolute_percentage_error", () => new MeanAbsolutePercentageError(), [12, 3], [12, 3]),
        new("mean_squared_logarithmic_error", () => new MeanSquaredLogarithmicError(), [12, 3], [12, 3], Positive: true),
        new("logcosh", () => new LogCoshError(), [12, 3], [12, 3]),
        new("mean_absolute_error", () => new MeanAbsoluteError(), [12], [12, 1]), // targets (N,) against outputs (N, 1)
        new("root_mean_squared_error", () => new RootMeanSquaredError(), [12, 3], [12, 3]),
        new("root_mean_squared_error", () => new RootMeanSquaredError(), [6, 4, 3], [6, 4, 3]),
        new("binary_accuracy", () => new BinaryAccuracy(), [12, 3], [12, 3], OneHot: false, Probabilities: true, Threshold: 0.5),
        new("binary_accuracy", () => new BinaryAccuracy(threshold: 0.3), [12, 3], [12, 3], Probabilities: true, Threshold: 0.3),
        new("categorical_accuracy", () => new CategoricalAccuracy(), [12, 5], [12, 5], OneHot: true, Probabilities: true),
        new("sparse_categorical_accuracy", () => new SparseCategoricalAccuracy(), [12], [12, 5], Sparse: true, Probabilities: true),
        new("top_k_categorical_accuracy", () => new TopKCategoricalAccuracy(2), [12, 6], [12, 6], OneHot: true, Probabilities: true, K: 2),
        new("top_k_categorical_accuracy", () => new TopKCategoricalAccuracy(), [12, 8], [12, 8], OneHot: true, Probabilities: true, K: 5),
        new("sparse_top_k_categorical_accuracy", () => new SparseTopKCategoricalAccuracy(3), [12, 1], [12, 6], Sparse: true, Probabilities: true, K: 3),
        new("binary_crossentropy", () => new LossMetric("binary_crossentropy"), [12, 3], [12, 3], Probabilities: true),
        new("categorical_crossentropy", () => new LossMetric("categorical_crossentropy"), [12, 4], [12, 4], OneHot: true, Probabilities: true),
    ];

    private static (float[] t, float[] p) Data(Case c, Random rng)
    {
        int n = c.PredShape.Aggregate(1, (a, b) => a * b), cols = c.PredShape[^1], rows = n / cols;
        var p = new float[n];
        for (int i = 0; i < n; i++)
            p[i] = c.Probabilities ? (i % 7 == 0 ? (float)Math.Round(rng.NextDouble(), 1) : (float)rng.NextDouble()) // ties for top-k
                : c.Positive ? (float)(rng.NextDouble() * 3) : (float)(rng.NextDouble() * 4 - 2);
        var t = new float[c.TrueShape.Aggregate(1, (a, b) => a * b)];
        if (c.Sparse) for (int r = 0; r < rows; r++) t[r] = rng.Next(cols);
        else if (c.OneHot) for (int r = 0; r < rows; r++) t[r * cols + rng.Next(cols)] = 1;
        else for (int i = 0; i < t.Length; i++)
            t[i] = c.Probabilities ? (rng.NextDouble() < 0.5 ? 1 : 0) : c.Positive ? (float)(rng.NextDouble() * 3) : i % 9 == 0 ? 0 : (float)(rng.NextDouble() * 4 - 2);
        return (t, p);
    }

    [SkippableFact]
    public void MeanMetricsMatchNumpyWithAndWithoutWeights()
    {
        var rng = new Random(3);
        var cases = new JsonArray();
        var ours = new List<double>();
        foreach (var c in Cases)
            foreach (bool weighted in new[] { false, true })
            {
                var (t, p) = Data(c, rng);
                int n = c.PredShape[0];
                var w = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
                var m = c.Make();
                // Two batches: the state carries over.
                int half = n / 2, tPer = t.Length / n, pPer = p.Length / n;
                for (int b = 0; b < 2; b++)
                {
                    int from = b == 0 ? 0 : half, rows = b == 0 ? half : n - half;
                    var ts = new Tensor(t.AsSpan(from * tPer, rows * tPer).ToArray(), [rows, .. c.TrueShape[1..]]);
                    var ps = new Tensor(p.AsSpan(from * pPer, rows * pPer).ToArray(), [rows, .. c.PredShape[1..]]);
                    m.UpdateState(ts, ps, weighted ? new Tensor(w.AsSpan(from, rows).ToArray(), rows) : null);
                }
                ours.Add(m.Result());
                cases.Add(new JsonObject
                {
                    ["fn"] = c.Fn, ["y_true"] = MetricOracle.Array(t), ["true_shape"] = new JsonArray(c.TrueShape.Select(x => (JsonNode?)x).ToArray()),
                    ["y_pred"] = MetricOracle.Array(p), ["pred_shape"] = new JsonArray(c.PredShape.Select(x => (JsonNode?)x).ToArray()),
                    ["weights"] = weighted ? MetricOracle.Array(w) : null, ["k"] = c.K, ["threshold"] = c.Threshold,
                });
            }
        var expect = MetricOracle.Run("metrics_numpy.py", cases, "numpy");
        double worst = 0;
        for (int i = 0; i < ours.Count; i++)
        {
            double e = expect[i]!.GetValue<double>(), d = Math.Abs(e - ours[i]) / Math.Max(1, Math.Abs(e));
            worst = Math.Max(worst, d);
            Assert.True(d < 1e-5, $"{cases[i]!["fn"]} (weighted {cases[i]!["weights"] != null}): {ours[i]} vs numpy {e}");
        }
        output.WriteLine($"worst relative difference from numpy: {worst:E2}");
    }

    [Fact]
    public void KerasDocExamplesAndEdgeCases()
    {
        Tensor T(float[] v, params int[] s) => new(v, s);
        var mse = new KerasNet.Metrics.MeanSquaredError();
        mse.UpdateState(T([0f, 1, 0, 0], 2, 2), T([1f, 1, 0, 0], 2, 2), T([1f, 0], 2));
        Assert.Equal(0.5, mse.Result(), 7); // tf.keras docstring
        var rmse = new RootMeanSquaredError();
        rmse.UpdateState(T([0f, 1, 0, 0], 2, 2), T([1f, 1, 0, 0], 2, 2), T([1f, 0], 2));
        Assert.Equal(0.70710677, rmse.Result(), 6);
        var mape = new MeanAbsolutePercentageError();
        mape.UpdateState(T([0f, 1, 0, 0], 2, 2), T([1f, 1, 0, 0], 2, 2));
        Assert.Equal(250000000.0, mape.Result(), 0);
        var logcosh = new LogCoshError();
        logcosh.UpdateState(T([0f, 1, 0, 0], 2, 2), T([1f, 1, 0, 0], 2, 2));
        Assert.Equal(0.10844523, logcosh.Result(), 6);
        var topk = new TopKCategoricalAccuracy(1);
        topk.UpdateState(T([0f, 0, 1, 0, 1, 0], 2, 3), T([0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0f], 2, 3));
        Assert.Equal(0.5, topk.Result(), 12);
        var tie = new SparseTopKCategoricalAccuracy(1);
        tie.UpdateState(T([2f], 1), T([0.4f, 0.2f, 0.4f], 1, 3)); // a tie at the boundary counts as in (tf.nn.in_top_k)
        Assert.Equal(1.0, tie.Result());
        tie.UpdateState(T([0f], 1), T([float.NaN, 0.2f, 0.4f], 1, 3));
        Assert.Equal(0.5, tie.Result());
        var mean = new Mean();
        mean.UpdateState(T([1f, 3, 5, 7], 4));
        Assert.Equal(4, mean.Result());
        mean.UpdateState(T([12f, 10, 8, 6], 4), T([0f, 0.2f, 0.5f, 1], 4));
        Assert.Equal((16 + 2 + 4 + 6) / 5.7, mean.Result(), 6);
        Assert.Throws<KerasNetException>(() => ((Metric)mean).UpdateState(T([1f], 1), T([1f], 1)));
        mean.ResetStates();
        Assert.Equal(0, mean.Result());
        Assert.Throws<ShapeMismatchException>(() => new CategoricalAccuracy().UpdateState(T([1f, 0], 1, 2), T([0.5f, 0.2f, 0.3f], 1, 3)));
        Assert.Throws<ShapeMismatchException>(() => new MeanAbsoluteError().UpdateState(T([1f, 0], 2, 1), T([0.5f, 0.2f], 2, 1), T([1f, 1, 1], 3)));
        Assert.Equal("""{"name":"top_k_categorical_accuracy","dtype":"float32","k":5}""", new TopKCategoricalAccuracy().GetConfig().ToJsonString());
        Assert.Equal("""{"name":"binary_accuracy","dtype":"float32","threshold":0.5}""", new BinaryAccuracy().GetConfig().ToJsonString());
    }
}
