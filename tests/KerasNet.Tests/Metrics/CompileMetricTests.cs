using System.Text.Json.Nodes;
using KerasNet.Callbacks;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Metrics;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Metrics;

/// <summary>Metrics from Compile (by name and by object) through Fit, Evaluate, the progress bar and saved files.</summary>
public class CompileMetricTests
{
    private static (Tensor x, Tensor y) BinaryData(int n, int seed = 2)
    {
        var rng = new Random(seed);
        var x = new Tensor(n, 5); var y = new Tensor(n, 1);
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < 5; j++) { x[i * 5 + j] = (float)(rng.NextDouble() * 2 - 1); s += x[i * 5 + j] * (j - 2); }
            y[i] = s + rng.NextDouble() - 0.5 > 0 ? 1 : 0;
        }
        return (x, y);
    }

    private static Model Binary(string name = "out")
    {
        KerasRandom.SetRandomSeed(9);
        var inp = Keras.Input(shape: 5);
        var h = new Dense(6, activation: "tanh").Apply(inp);
        var m = new Model(inp, new Dense(1, activation: "sigmoid", name: name).Apply(h));
        m.ProgressOutput = new StringWriter();
        return m;
    }

    private sealed class BatchLogs : Callback
    {
        public readonly List<Dictionary<string, double>> Logs = [];
        public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs) => Logs.Add(new(logs));
    }

    [Fact]
    public void UnknownNamesAreRefusedAtCompileListingTheKnownOnes()
    {
        var m = Binary();
        var e = Assert.Throws<KerasNetException>(() => m.Compile("adam", "binary_crossentropy", ["accuracy", "precison"]));
        Assert.Contains("'precison'", e.Message);
        foreach (var known in new[] { "mae", "top_k_categorical_accuracy", "AUC", "Precision", "binary_crossentropy" }) Assert.Contains(known, e.Message);
        Assert.False(m.IsCompiled); // refused before anything was set
        Assert.Contains("needs arguments", Assert.Throws<KerasNetException>(() => m.Compile("adam", "mse", ["MeanIoU"])).Message);
        Assert.Contains("averages values", Assert.Throws<KerasNetException>(() => m.Compile(new Adam(), "mse", [new Mean()])).Message);
        Assert.Contains("has 2 thresholds", Assert.Throws<KerasNetException>(() => m.Compile(new Adam(), "mse", [new Precision([0.3, 0.6])])).Message);
        Assert.Contains("two metrics are named 'auc'", Assert.Throws<KerasNetException>(() => m.Compile(new Adam(), "mse", [new AUC(), "AUC"])).Message);
        Assert.Throws<KerasNetException>(() => m.Compile(new Adam(), new Dictionary<string, string> { ["out"] = "mse" },
            new Dictionary<string, string[]> { ["out"] = ["nope"] }));
        // Keras 3's snake_case class names and loss names are metrics too.
        m.Compile("adam", "binary_crossentropy", ["auc", "precision", "recall", "binary_crossentropy", "crossentropy", "log_cosh"]);
        Assert.Equal(["auc", "precision", "recall", "binary_crossentropy", "crossentropy", "log_cosh"], m.MetricNames);
    }

    [SkippableFact]
    public void FitLogsRunningValuesOfStatefulMetricsAsKeras()
    {
        const int n = 64, batch = 16;
        var (x, y) = BinaryData(n);
        var m = Binary();
        // A learning rate too small to move a float32 weight: every step sees the predictions of Predict below.
        m.Compile(new SGD(1e-30), "binary_crossentropy", [new AUC(), new Precision(name: "prec"), "mae", "mean_absolute_error", "acc", new AUC(curve: "PR", name: "pr")]);
        var logs = new BatchLogs();
        var h = m.Fit(x, y, batchSize: batch, epochs: 2, verbose: 1, callbacks: [logs], shuffle: false);
        Assert.Equal(["loss", "auc", "prec", "mae", "mean_absolute_error", "acc", "pr"], h.history.Keys);
        var p = m.Predict(x).ToArray();
        var yt = y.ToArray();
        // Oracle answers over the first k batches of the epoch, for each k.
        var cases = new JsonArray(); var numpy = new JsonArray();
        for (int k = 1; k <= n / batch; k++)
        {
            int rows = k * batch;
            cases.Add(new JsonObject
            {
                ["y_true"] = MetricOracle.Array(yt[..rows]), ["y_pred"] = MetricOracle.Array(p[..rows]), ["cols"] = 1, ["weights"] = null,
                ["auc"] = new JsonArray(new JsonObject { ["num_thresholds"] = 200, ["curve"] = "ROC", ["summation_method"] = "interpolation" },
                    new JsonObject { ["num_thresholds"] = 200, ["curve"] = "PR", ["summation_method"] = "interpolation" }),
                ["counts"] = new JsonArray(new JsonObject { ["thresholds"] = new JsonArray(0.5) }),
            });
            foreach (var fn in new[] { "mean_absolute_error", "binary_accuracy" })
                numpy.Add(new JsonObject
                {
                    ["fn"] = fn, ["y_true"] = MetricOracle.Array(yt[..rows]), ["true_shape"] = new JsonArray(rows, 1),
                    ["y_pred"] = MetricOracle.Array(p[..rows]), ["pred_shape"] = new JsonArray(rows, 1), ["weights"] = null,
                });
        }
        var r = MetricOracle.Run("metrics_keras_auc.py", cases, "numpy", "sklearn");
        var rn = MetricOracle.Run("metrics_numpy.py", numpy, "numpy");
        Assert.Equal(2 * n / batch, logs.Logs.Count);
        for (int epoch = 0; epoch < 2; epoch++) // the metrics restart each epoch
            for (int k = 0; k < n / batch; k++)
            {
                var l = logs.Logs[epoch * (n / batch) + k];
                Assert.Equal(r[k]!["auc"]![0]!.GetValue<double>(), l["auc"], 6);
                Assert.Equal(r[k]!["auc"]![1]!.GetValue<double>(), l["pr"], 6);
                Assert.Equal(r[k]!["counts"]![0]!["precision"]![0]!.GetValue<double>(), l["prec"], 9);
                Assert.Equal(rn[2 * k]!.GetValue<double>(), l["mae"], 6);
                Assert.Equal(l["mae"], l["mean_absolute_error"]);
                Assert.Equal(rn[2 * k + 1]!.GetValue<double>(), l["acc"], 9);
            }
        var last = r[n / batch - 1]!;
        Assert.Equal(last["auc"]![0]!.GetValue<double>(), h.history["auc"][1], 6);
        var eval = m.Evaluate(new ArraySequence(x, y, 10), verbose: 0); // other batch boundaries, same epoch-wide state
        Assert.Equal(last["auc"]![0]!.GetValue<double>(), eval[1], 6);
        Assert.Equal(last["counts"]![0]!["precision"]![0]!.GetValue<double>(), eval[2], 9);
        // The progress bar prints the running values Keras's does: the epoch's final line carries the epoch values.
        string text = m.ProgressOutput!.ToString()!;
        Assert.Contains($" - auc: {Progbar.FormatValue(h.history["auc"][1])} - prec: {Progbar.FormatValue(h.history["prec"][1])}", text);
    }

    [Fact]
    public void MetricObjectsAreCopiedPerOutputAndPrefixed()
    {
        KerasRandom.SetRandomSeed(3);
        var inp = Keras.Input(shape: 5);
        var a = new Dense(1, activation: "sigmoid", name: "a").Apply(inp);
        var b = new Dense(1, activation: "sigmoid", name: "b").Apply(inp);
        var m = new Model(inp, [a, b]) { ProgressOutput = new StringWriter() };
        var auc = new AUC();
        m.Compile(new SGD(0.01), ["binary_crossentropy", "binary_crossentropy"], [auc, "accuracy"]);
        var (x, y) = BinaryData(40);
        var flipped = new Tensor(40, 1);
        for (int i = 0; i < 40; i++) flipped[i] = 1 - y[i];
        var h = m.Fit([x], [y, flipped], batchSize: 20, epochs: 1, verbose: 0, shuffle: false);
        Assert.Equal(["loss", "a_loss", "b_loss", "a_auc", "a_accuracy", "b_auc", "b_accuracy"], h.history.Keys);
        Assert.Equal(2, m.Metrics.Count(x => x is AUC));
        Assert.DoesNotContain(auc, m.Metrics); // copies, so the outputs keep separate counts
        Assert.NotEqual(h.history["a_auc"][0], h.history["b_auc"][0]);
        Assert.All(m.Metrics.Where(x => x.Name == "accuracy"), x => Assert.IsType<BinaryAccuracy>(x));
    }

    [Theory]
    [InlineData("model.h5")]
    [InlineData("model.keras")]
    public void MetricsAreSavedAsTfKerasWritesThemAndRestored(string file)
    {
        var (x, y) = BinaryData(32);
        var m = Binary();
        m.Compile(new Adam(0.01), "binary_crossentropy", ["accuracy", "mae", new AUC(curve: "PR", numThresholds: 50), new Precision([0.6], name: "p2"), new Recall(classId: 0)]);
        m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        var path = Path.Combine(Oracle.TempDir(), file);
        m.Save(path);
        var loaded = Keras.LoadModel(path);
        Assert.Equal(m.MetricNames, loaded.MetricNames);
        loaded.ProgressOutput = new StringWriter();
        var e1 = m.Evaluate(new ArraySequence(x, y), verbose: 0);
        var reloaded = loaded.Evaluate(new ArraySequence(x, y), verbose: 0);
        Assert.Equal(["loss", "accuracy", "mae", "auc", "p2", "recall"], loaded.MetricsNames);
        var pr = Assert.IsType<AUC>(loaded.Metrics[2]);
        Assert.Equal(("PR", 50), (pr.Curve, pr.NumThresholds));
        Assert.Equal([0.6], Assert.IsType<Precision>(loaded.Metrics[3]).Thresholds!);
        Assert.Equal(0, Assert.IsType<Recall>(loaded.Metrics[4]).ClassId);
        Assert.IsType<BinaryAccuracy>(loaded.Metrics[0]);
        Assert.Equal(e1.Skip(1), reloaded.Skip(1)); // same weights, same metrics
    }

    [Fact]
    public void TrainingConfigHoldsTfKeras24MetricObjects()
    {
        var (x, y) = BinaryData(16);
        var m = Binary();
        m.Compile(new Adam(0.01), "binary_crossentropy", ["acc", "mae", "AUC", new TopKCategoricalAccuracy(3, "top3")]);
        var before = KerasNet.Saving.TrainingConfig.Keras2(m)!["metrics"]!.ToJsonString();
        // Before the first batch "acc" is guessed from the loss; "AUC" names a class, so Keras stores the object.
        Assert.StartsWith("""[[{"class_name":"MeanMetricWrapper","config":{"name":"acc","dtype":"float32","fn":"binary_accuracy"}},{"class_name":"MeanMetricWrapper","config":{"name":"mae","dtype":"float32","fn":"mean_absolute_error"}},{"class_name":"AUC","config":{"name":"auc","dtype":"float32","num_thresholds":200,""", before);
        Assert.EndsWith("""{"class_name":"TopKCategoricalAccuracy","config":{"name":"top3","dtype":"float32","k":3}}]]""", before);
        var k3 = KerasNet.Saving.TrainingConfig.Keras3(m)!["metrics"]!.AsArray();
        Assert.Equal("acc", k3[0]!.GetValue<string>());
        Assert.Equal("AUC", k3[2]!.GetValue<string>());
        Assert.Equal("""{"module":"keras.metrics","class_name":"TopKCategoricalAccuracy","config":{"name":"top3","dtype":"float32","k":3},"registered_name":null}""", k3[3]!.ToJsonString());

        // A tf.keras 2.4 training_config with metric objects compiles the model with them.
        var other = Binary();
        var tc = JsonNode.Parse("""
            {"loss": "binary_crossentropy", "metrics": [[{"class_name": "MeanMetricWrapper", "config": {"name": "accuracy", "dtype": "float32", "fn": "binary_accuracy"}},
              {"class_name": "AUC", "config": {"name": "auc_1", "dtype": "float32", "num_thresholds": 3, "curve": "ROC", "summation_method": "majoring", "thresholds": [0.5], "multi_label": false, "label_weights": null}},
              {"class_name": "SensitivityAtSpecificity", "config": {"name": "sas", "dtype": "float32", "num_thresholds": 20, "specificity": 0.5}},
              {"class_name": "MeanMetricWrapper", "config": {"name": "my_mse", "dtype": "float32", "fn": "mean_squared_error"}}]],
             "weighted_metrics": null, "loss_weights": null,
             "optimizer_config": {"class_name": "Adam", "config": {"name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": false}}}
            """)!.AsObject();
        Assert.True(KerasNet.Saving.TrainingConfig.Apply(other, tc, "test"));
        other.Evaluate(new ArraySequence(x, y), verbose: 0);
        Assert.Equal(["loss", "accuracy", "auc_1", "sas", "my_mse"], other.MetricsNames);
        var auc = Assert.IsType<AUC>(other.Metrics[1]);
        Assert.Equal(("majoring", 3), (auc.SummationMethod, auc.NumThresholds));
        Assert.IsType<KerasNet.Metrics.MeanSquaredError>(other.Metrics[3]);
        // weighted_metrics are restored, and logged after the others under Keras's weighted_ name.
        tc["weighted_metrics"] = new JsonArray("accuracy");
        var third = Binary();
        Assert.True(KerasNet.Saving.TrainingConfig.Apply(third, tc, "test"));
        third.Evaluate(new ArraySequence(x, y), verbose: 0);
        Assert.Equal(["loss", "accuracy", "auc_1", "sas", "my_mse", "weighted_accuracy"], third.MetricsNames);
    }
}
