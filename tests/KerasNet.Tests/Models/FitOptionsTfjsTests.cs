using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Models;

/// <summary>
/// Fit's array options against tfjs-layers' model.fit (Oracles/fit_tfjs.js, an independent Keras): the same small
/// Dense model, the same initial weights, plain SGD and shuffle=false, so both sides run the same batches. The
/// History (loss, accuracy and their val_ values per epoch) and the weights after training must agree.
/// </summary>
public class FitOptionsTfjsTests(Xunit.Abstractions.ITestOutputHelper log)
{
    private const int InputDim = 4, Hidden = 5, Classes = 3;

    public static TheoryData<string> Cases => new() { "split", "data", "initial_epoch", "split_initial" };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void FitMatchesTfjs(string scenario)
    {
        Oracle.RequireNodeTfjs();
        KerasRandom.SetRandomSeed(11);
        var (x, y) = Data(22, seed: 5);
        var (vx, vy) = Data(7, seed: 6);
        var m = new Sequential();
        m.Add(new Dense(Hidden, activation: "tanh", inputDim: InputDim));
        m.Add(new Dense(Classes, activation: "softmax"));
        m.Compile(new SGD(0.5), "categorical_crossentropy", ["accuracy"]);
        m.ProgressOutput = new StringWriter();
        var w0 = m.Weights.Select(w => (w.Value.Shape.ToArray(), w.Value.ToArray())).ToList();

        double split = scenario.StartsWith("split", StringComparison.Ordinal) ? 0.25 : 0;
        int initial = scenario.EndsWith("initial", StringComparison.Ordinal) || scenario == "initial_epoch" ? 1 : 0;
        int epochs = initial + 2;
        var payload = new JsonObject
        {
            ["input_dim"] = InputDim,
            ["layers"] = new JsonArray(new JsonObject { ["units"] = Hidden, ["activation"] = "tanh" }, new JsonObject { ["units"] = Classes, ["activation"] = "softmax" }),
            ["weights"] = new JsonArray(w0.Select(w => (JsonNode)Array(w.Item1, w.Item2)).ToArray()),
            ["x"] = Array(x.Shape, x.ToArray()), ["y"] = Array(y.Shape, y.ToArray()),
            ["loss"] = "categoricalCrossentropy", ["metrics"] = new JsonArray("accuracy"), ["lr"] = 0.5,
            ["batch_size"] = 5, ["epochs"] = epochs, ["initial_epoch"] = initial, ["validation_split"] = split,
        };
        if (scenario == "data") { payload["val_x"] = Array(vx.Shape, vx.ToArray()); payload["val_y"] = Array(vy.Shape, vy.ToArray()); }
        var dir = Oracle.TempDir();
        var path = Path.Combine(dir, "payload.json");
        File.WriteAllText(path, payload.ToJsonString());
        using var tfjs = JsonDocument.Parse(Oracle.RunNodeScript("fit_tfjs.js", path));

        var h = scenario == "data"
            ? m.Fit(x, y, batchSize: 5, epochs: epochs, verbose: 0, validationData: (vx, vy), shuffle: false, initialEpoch: initial)
            : m.Fit(x, y, batchSize: 5, epochs: epochs, verbose: 0, validationSplit: split, shuffle: false, initialEpoch: initial);

        var expected = tfjs.RootElement.GetProperty("history");
        double worstHistory = 0, worstWeight = 0;
        Assert.Equal(expected.EnumerateObject().Select(p => p.Name).Order(), h.history.Keys.Order());
        Assert.Equal(tfjs.RootElement.GetProperty("epoch").EnumerateArray().Select(e => e.GetInt32()), h.Epoch);
        foreach (var key in expected.EnumerateObject())
        {
            var want = key.Value.EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(want.Length, h.history[key.Name].Count);
            for (int i = 0; i < want.Length; i++) worstHistory = Math.Max(worstHistory, Math.Abs(want[i] - h.history[key.Name][i]));
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(want[i] - h.history[key.Name][i]) < 1e-5, $"{scenario}: {key.Name}[{i}] tfjs {want[i]} KerasNet {h.history[key.Name][i]}");
        }
        var after = tfjs.RootElement.GetProperty("weights_after").EnumerateArray().ToList();
        Assert.Equal(w0.Count, after.Count);
        for (int i = 0; i < after.Count; i++)
        {
            var want = after[i].GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
            var got = m.Weights[i].Value.ToArray();
            float max = want.Zip(got, (a, b) => Math.Abs(a - b)).Max();
            worstWeight = Math.Max(worstWeight, max);
            Assert.True(max < 1e-5f, $"{scenario}: weight {i} differs from tfjs by {max}");
        }
        log.WriteLine($"{scenario}: max |History - tfjs| {worstHistory:E2}, max |weight - tfjs| {worstWeight:E2}");
    }

    internal static (Tensor X, Tensor Y) Data(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new float[n * InputDim];
        var y = new float[n * Classes];
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < InputDim; j++) { x[i * InputDim + j] = (float)(rng.NextDouble() * 2 - 1); s += x[i * InputDim + j] * (j + 1); }
            y[i * Classes + (s < -0.5 ? 0 : s < 0.8 ? 1 : 2)] = 1;
        }
        return (new Tensor(x, n, InputDim), new Tensor(y, n, Classes));
    }

    private static JsonObject Array(int[] shape, float[] values) => new()
    {
        ["shape"] = new JsonArray(shape.Select(d => (JsonNode)d).ToArray()),
        ["values"] = new JsonArray(values.Select(v => (JsonNode)(double)v).ToArray()),
    };
}
