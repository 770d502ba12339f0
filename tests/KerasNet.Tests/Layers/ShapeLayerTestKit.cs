using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Layers;

/// <summary>
/// What PoolingTests and ReshapingTests share: weightless LayerCases checked against a PyTorch script, a Sequential
/// model checked against tfjs-layers (predictions, then the weights after one SGD step, which back-propagate through
/// the layer under test; train: false compares predictions only), config round trips through the registry, and .h5/.keras round trips.
/// </summary>
internal static class ShapeLayerTestKit
{
    public static JsonObject Spec(string kind, params (string Key, JsonNode? Value)[] fields)
    {
        var o = new JsonObject { ["kind"] = kind };
        foreach (var (k, v) in fields) o[k] = v;
        return o;
    }

    public static JsonArray Ints(params int[] v) => new(v.Select(i => (JsonNode)i).ToArray());

    /// <summary>A case whose label ends in " ties" gets inputs in {-1, 0, 1}, so maxima tie.</summary>
    public static bool Ties(LayerCase c) => c.Label.EndsWith(" ties", StringComparison.Ordinal);

    public static (Layer layer, Tensor x, Tensor r) Instantiate(LayerCase c, int seed)
    {
        var (layer, x, r) = c.Instantiate(seed);
        if (Ties(c))
        {
            var rng = new Random(seed);
            for (int i = 0; i < x.Length; i++) x[i] = rng.Next(-1, 2);
        }
        return (layer, x, r);
    }

    /// <summary>
    /// All cases in one oracle run: output shape, output and input gradient to 1e-4 relative (OracleCompare); returns
    /// the largest absolute differences seen (output, gradient).
    /// </summary>
    public static (double y, double dx) MatchTorch(IReadOnlyList<LayerCase> cases, string script, ITestOutputHelper? log = null)
    {
        Oracle.RequirePython("torch", "numpy");
        var dir = Oracle.TempDir();
        var results = new List<(Tensor y, float[] dx)>();
        var specs = new JsonArray();
        for (int i = 0; i < cases.Count; i++)
        {
            var (layer, x, r) = Instantiate(cases[i], 300 + i);
            var y = layer.Call(x, training: true).Clone();
            var (dx, _) = GradientCheck.Analytic(layer, x, r);
            results.Add((y, dx));
            Npy.Save(Path.Combine(dir, $"{i}_x.npy"), x);
            Npy.Save(Path.Combine(dir, $"{i}_r.npy"), r);
            specs.Add(cases[i].Spec.DeepClone());
        }
        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        Oracle.RunPythonScript(script, dir);
        double maxY = 0, maxDx = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            var (y, dx) = results[i];
            var label = cases[i].Label;
            var ey = Npy.Load(Path.Combine(dir, $"{i}_y.npy"));
            var edx = Npy.Load(Path.Combine(dir, $"{i}_dx.npy"));
            Assert.True(ey.Shape.SequenceEqual(y.Shape), $"{label}: output shape {ShapeUtil.Format(y.Shape)}, oracle {ShapeUtil.Format(ey.Shape)}");
            OracleCompare.Close(ey, y.ToArray(), label + " output");
            OracleCompare.Close(edx, dx, label + " dL/dx");
            for (int k = 0; k < y.Length; k++) maxY = Math.Max(maxY, Math.Abs(y[k] - ey[k]));
            for (int k = 0; k < dx.Length; k++) maxDx = Math.Max(maxDx, Math.Abs(dx[k] - edx[k]));
        }
        try { Directory.Delete(dir, true); } catch (IOException) { }
        log?.WriteLine($"{script}: {cases.Count} cases, max |y - torch| = {maxY:G3}, max |dx - torch| = {maxDx:G3}");
        return (maxY, maxDx);
    }

    private const double PredictTol = 1e-5, WeightTol = 2e-6;

    /// <summary>
    /// The model's to_json() and weights rebuilt in tfjs: same predictions; then one full-batch SGD step (mse) here and
    /// there, same loss and same weights after it. Returns the largest absolute differences (predictions, weights).
    /// </summary>
    public static (double pred, double weights) MatchTfjs(Sequential m, Tensor x, Tensor y, double lr = 0.1, ITestOutputHelper? log = null, bool train = true)
    {
        Oracle.RequireNodeTfjs();
        var json = m.ToJson();
        var start = m.Weights.Select(w => ((int[])w.Shape.Clone(), w.Value.ToArray())).ToList();
        var tfjs = TfjsGraphOracle.Run(json, start, [((int[])x.Shape.Clone(), x.ToArray())], [((int[])y.Shape.Clone(), y.ToArray())],
            ["mean_squared_error"], sgdLr: lr);
        var pred = m.Predict(x);
        Assert.Equal(tfjs.Outputs[0].Shape, pred.Shape);
        double maxPred = 0, maxW = 0;
        for (int i = 0; i < pred.Length; i++)
        {
            double d = Math.Abs(tfjs.Outputs[0].Values[i] - pred[i]);
            Assert.True(d <= PredictTol, $"{m.Name}: prediction[{i}] {pred[i]:R} vs tfjs {tfjs.Outputs[0].Values[i]:R}");
            maxPred = Math.Max(maxPred, d);
        }
        if (!train)
        {
            log?.WriteLine($"{m.Name}: max |pred - tfjs| = {maxPred:G3} (no training comparison)");
            return (maxPred, double.NaN);
        }
        m.Compile(new SGD(lr), "mean_squared_error");
        var logs = m.TrainOnBatch(new Batch(x, y));
        Assert.Equal(tfjs.Loss!.Value, logs[0], 1e-5);
        for (int k = 0; k < m.Weights.Count; k++)
        {
            var mine = m.Weights[k].Value.Span;
            var theirs = tfjs.WeightsAfter![k].Values;
            var moved = false;
            for (int i = 0; i < mine.Length; i++)
            {
                double d = Math.Abs(theirs[i] - mine[i]);
                Assert.True(d <= WeightTol, $"{m.Name}: {tfjs.WeightsAfter[k].Name}[{i}] after one SGD step {mine[i]:R} vs tfjs {theirs[i]:R}");
                maxW = Math.Max(maxW, d);
                moved |= theirs[i] != start[k].Item2[i];
            }
            Assert.True(moved, $"{m.Name}: {tfjs.WeightsAfter[k].Name} did not move in one step, so the gradient through the layer went unchecked");
        }
        log?.WriteLine($"{m.Name}: max |pred - tfjs| = {maxPred:G3}, max |w after SGD - tfjs| = {maxW:G3}");
        return (maxPred, maxW);
    }

    /// <summary>A layer of <paramref name="className"/> from a config object's text (the registry, as a model file is read).</summary>
    public static Layer FromConfig(string className, string configJson) =>
        LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse(configJson)!.AsObject(), className, "test.json"));

    /// <summary>GetConfig, then the registry on that config, gives the same class and the same config text.</summary>
    public static Layer RoundTrip(Layer layer)
    {
        var config = layer.GetConfig().ToJsonString();
        var back = FromConfig(layer.ClassName, config);
        Assert.Equal(layer.GetType(), back.GetType());
        Assert.Equal(config, back.GetConfig().ToJsonString());
        return back;
    }

    /// <summary>The error of a bad argument: a KerasNetException whose message contains every given part.</summary>
    public static void Refused(Action make, params string[] parts)
    {
        var e = Assert.ThrowsAny<KerasNetException>(make);
        foreach (var p in parts) Assert.Contains(p, e.Message);
    }

    /// <summary>Saves to .h5 and .keras, loads back: same to_json, bit-identical predictions.</summary>
    public static void SaveLoad(Model m, Tensor x)
    {
        var expected = m.Predict(x).ToArray();
        var dir = Oracle.TempDir();
        foreach (var file in new[] { "m.h5", "m.keras" })
        {
            var path = Path.Combine(dir, file);
            m.Save(path);
            var loaded = Keras.LoadModel(path);
            Assert.Equal(m.ToJson(), loaded.ToJson());
            var got = loaded.Predict(x).ToArray();
            Assert.Equal(expected.Length, got.Length);
            for (int i = 0; i < got.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(got[i]), $"{file}: prediction[{i}] {got[i]:R} vs {expected[i]:R}");
        }
    }
}
