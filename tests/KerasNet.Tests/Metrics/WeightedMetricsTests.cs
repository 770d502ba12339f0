using System.Text.Json;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Metrics;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Metrics;

/// <summary>
/// Compile's weightedMetrics (Keras's weighted_metrics): updated with sample weights (times class weights in Fit),
/// logged after the unweighted metrics as tf.keras 2.4 names them, saved in training_config / compile_config and
/// restored. Expected values: a numpy transcription of Keras's weighted mean (sum(w * v) / sum(w)) over the
/// model's own predictions.
/// </summary>
public class WeightedMetricsTests
{
    private static Sequential Classifier(Optimizer optimizer)
    {
        KerasRandom.SetRandomSeed(5);
        var m = new Sequential();
        m.Add(new Dense(6, activation: "tanh", inputDim: 4));
        m.Add(new Dense(3, activation: "softmax"));
        m.Compile(optimizer, "categorical_crossentropy", metrics: ["accuracy", "mae"], weightedMetrics: ["accuracy", "mse"]);
        m.ProgressOutput = new StringWriter();
        return m;
    }

    private static Tensor Weights(int n, int seed)
    {
        var r = new Random(seed);
        return new Tensor(Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2)).ToArray(), n);
    }

    // Keras's MeanMetricWrapper with sample weights: per-sample values (categorical accuracy, mean squared error
    // over the last axis), then sum(w * v) / sum(w).
    private const string WeightedMean = """
        import json, sys, numpy as np
        p = json.loads(sys.argv[1])
        yt = np.array(p['y'], np.float32); yp = np.array(p['p'], np.float32); w = np.array(p['w'], np.float32)
        acc = (np.argmax(yt, -1) == np.argmax(yp, -1)).astype(np.float32)
        mae = np.mean(np.abs(yt - yp), -1); mse = np.mean(np.square(yt - yp), -1)
        out = {'accuracy': float(acc.mean()), 'mae': float(mae.mean()),
               'weighted_accuracy': float(np.sum(w * acc) / np.sum(w)), 'mse': float(np.sum(w * mse) / np.sum(w))}
        sys.stdout.write(json.dumps(out))
        """;

    private static Dictionary<string, double> Oracle_(Tensor y, Tensor pred, float[] w) =>
        JsonSerializer.Deserialize<Dictionary<string, double>>(Oracle.RunPythonCode(WeightedMean,
            JsonSerializer.Serialize(new { y = Rows(y), p = Rows(pred), w })))!;

    private static float[][] Rows(Tensor t) => Enumerable.Range(0, t.Shape[0]).Select(i => t.Buffer.AsSpan(i * t.Shape[1], t.Shape[1]).ToArray()).ToArray();

    [SkippableFact]
    public void EvaluateWeighsOnlyTheWeightedMetricsAndNamesThemAsKeras()
    {
        Oracle.RequirePython("numpy");
        var (x, y) = FitOptionsTfjsTests.Data(23, seed: 3);
        var m = Classifier(new SGD(0.1));
        var w = Weights(23, 4);
        var logs = m.Evaluate(x, y, batchSize: 5, verbose: 0, sampleWeight: w);
        // tf.keras 2.4: loss, the metrics, then the weighted ones; "accuracy" is taken, so the weighted one is renamed.
        Assert.Equal(new[] { "loss", "accuracy", "mae", "weighted_accuracy", "mse" }, m.MetricsNames);
        var expected = Oracle_(y, m.Predict(x), w.Buffer);
        Assert.Equal(expected["accuracy"], logs[1], 1e-6);
        Assert.Equal(expected["mae"], logs[2], 1e-6);
        Assert.Equal(expected["weighted_accuracy"], logs[3], 1e-6);
        Assert.Equal(expected["mse"], logs[4], 1e-6);
        Assert.NotEqual(logs[1], logs[3], 1e-6); // the weights matter
    }

    [SkippableFact]
    public void FitWeighsThemWithSampleAndClassWeights()
    {
        Oracle.RequirePython("numpy");
        var (x, y) = FitOptionsTfjsTests.Data(18, seed: 6);
        var m = Classifier(new SGD(0.0)); // a learning rate of 0: every batch sees the same predictions
        var sw = Weights(18, 7);
        var classWeight = new Dictionary<int, double> { [0] = 0.5, [1] = 2.0, [2] = 1.0 };
        var h = m.Fit(x, y, batchSize: 4, shuffle: false, classWeight: classWeight, sampleWeight: sw, verbose: 0);
        var labels = Enumerable.Range(0, 18).Select(i => Array.IndexOf(y.Buffer, 1f, i * 3, 3) - i * 3).ToArray();
        var combined = sw.Buffer.Select((v, i) => (float)(v * classWeight[labels[i]])).ToArray();
        var expected = Oracle_(y, m.Predict(x), combined);
        Assert.Equal(expected["weighted_accuracy"], h.history["weighted_accuracy"][0], 1e-6);
        Assert.Equal(expected["mse"], h.history["mse"][0], 1e-6);
        Assert.Equal(expected["accuracy"], h.history["accuracy"][0], 1e-6);
    }

    [Theory]
    [InlineData(".h5")]
    [InlineData(".keras")]
    public void TheyAreSavedAndRestored(string ext)
    {
        var (x, y) = FitOptionsTfjsTests.Data(10, seed: 3);
        var m = Classifier(new SGD(0.1));
        m.Evaluate(x, y, verbose: 0);
        var path = Path.Combine(Path.GetTempPath(), $"kerasnet-weighted-{Guid.NewGuid():N}{ext}");
        try
        {
            m.Save(path);
            var loaded = Keras.LoadModel(path);
            Assert.True(loaded.IsCompiled);
            loaded.ProgressOutput = new StringWriter();
            var w = Weights(10, 1);
            var a = m.Evaluate(x, y, verbose: 0, sampleWeight: w);
            var b = loaded.Evaluate(x, y, verbose: 0, sampleWeight: w);
            Assert.Equal(m.MetricsNames, loaded.MetricsNames);
            Assert.Equal(a, b);
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void ByObjectAnObjectInBothListsKeepsSeparateCounts()
    {
        KerasRandom.SetRandomSeed(5);
        var m = new Sequential();
        m.Add(new Dense(3, activation: "softmax", inputDim: 4));
        var auc = new AUC();
        m.Compile(new SGD(0.1), "categorical_crossentropy", [auc], weightedMetrics: [auc]);
        var (x, y) = FitOptionsTfjsTests.Data(12, seed: 3);
        var w = new Tensor(Enumerable.Range(0, 12).Select(i => i < 6 ? 0f : 1f).ToArray(), 12);
        var logs = m.Evaluate(x, y, verbose: 0, sampleWeight: w);
        Assert.Equal(new[] { "loss", "auc", "weighted_auc" }, m.MetricsNames);
        var half = m.Evaluate(new Tensor(x.Buffer[24..], 6, 4), new Tensor(y.Buffer[18..], 6, 3), verbose: 0);
        Assert.Equal(half[1], logs[2], 1e-9); // zero weights drop the first six samples from the weighted AUC only
        Assert.NotEqual(logs[1], logs[2], 1e-9);
    }
}
