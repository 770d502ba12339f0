using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Layers;

/// <summary>
/// The activation layers (ReLU, LeakyReLU, PReLU, ELU, ThresholdedReLU, Softmax): forward, input gradient and PReLU's
/// alpha gradient against PyTorch and finite differences; predictions and weights after one SGD step against tfjs-layers
/// (an independent Keras that reads KerasNet's to_json); the summary table; .h5 and .keras round trips.
/// </summary>
public class ActivationLayerTests(ITestOutputHelper output)
{
    internal sealed record Spec(string Label, Func<Layer> Make, int[] Shape, JsonObject Oracle, float[] Kinks, double Range = 3);

    private static JsonObject Relu(double? max, double slope, double threshold) =>
        new() { ["kind"] = "relu", ["max_value"] = max, ["negative_slope"] = slope, ["threshold"] = threshold };

    private static JsonObject SoftmaxSpec(params int[] axes) => new() { ["kind"] = "softmax", ["axes"] = new JsonArray(axes.Select(a => (JsonNode)a).ToArray()) };

    internal static IEnumerable<Spec> Specs()
    {
        yield return new("ReLU()", () => new ReLU(), [4, 9], Relu(null, 0, 0), [0f]);
        yield return new("ReLU(max 6)", () => new ReLU(maxValue: 6), [4, 9], Relu(6, 0, 0), [0f, 6f], 8);
        yield return new("ReLU(max 1.5, slope 0.1)", () => new ReLU(1.5, 0.1), [4, 9], Relu(1.5, 0.1, 0), [0f, 1.5f]);
        yield return new("ReLU(threshold 0.5)", () => new ReLU(threshold: 0.5), [4, 9], Relu(null, 0, 0.5), [0.5f]);
        yield return new("ReLU(threshold -0.7)", () => new ReLU(threshold: -0.7), [4, 9], Relu(null, 0, -0.7), [-0.7f]);
        yield return new("ReLU(max 3, slope 0.2, threshold 1)", () => new ReLU(3, 0.2, 1), [4, 9], Relu(3, 0.2, 1), [0f, 1f, 3f], 5);
        yield return new("ReLU(max 2, threshold -0.7)", () => new ReLU(2, 0, -0.7), [4, 9], Relu(2, 0, -0.7), [-0.7f, 0f, 2f]);
        yield return new("ReLU(max 6, slope 0.3)", () => new ReLU(6, 0.3), [4, 9], Relu(6, 0.3, 0), [0f, 6f], 8);
        yield return new("LeakyReLU()", () => new LeakyReLU(), [4, 9], new() { ["kind"] = "leaky", ["alpha"] = (double)(float)0.3 }, [0f]);
        yield return new("LeakyReLU(0.01)", () => new LeakyReLU(0.01), [4, 9], new() { ["kind"] = "leaky", ["alpha"] = (double)(float)0.01 }, [0f]);
        foreach (double a in new[] { 1.0, 0.5, 2.5, -0.4 })
            yield return new($"ELU({a})", () => new ELU(a), [4, 9], new() { ["kind"] = "elu", ["alpha"] = (double)(float)a }, a == 1 ? [] : [0f], 4);
        foreach (double t in new[] { 1.0, 0.2, 0.0 })
            yield return new($"ThresholdedReLU({t})", () => new ThresholdedReLU(t), [4, 9], new() { ["kind"] = "thresholded", ["theta"] = (double)(float)t }, [(float)t]);
        yield return new("Softmax()", () => new Softmax(), [3, 4, 5], SoftmaxSpec(-1), []);
        yield return new("Softmax(axis 1)", () => new Softmax(1), [3, 4, 5], SoftmaxSpec(1), []);
        yield return new("Softmax(axis -2)", () => new Softmax(-2), [2, 3, 4, 5], SoftmaxSpec(2), []);
        yield return new("Softmax(axes [1, 2])", () => new Softmax([1, 2]), [2, 3, 4, 5], SoftmaxSpec(1, 2), []);
        yield return new("Softmax(axes [2, 3])", () => new Softmax([2, 3]), [2, 3, 4, 5], SoftmaxSpec(2, 3), []);
        yield return new("PReLU()", () => new PReLU(), [3, 4, 5], new() { ["kind"] = "prelu" }, [0f]);
        yield return new("PReLU(shared [1])", () => new PReLU(sharedAxes: [1]), [3, 4, 5], new() { ["kind"] = "prelu" }, [0f]);
        yield return new("PReLU(shared [1, 2])", () => new PReLU(sharedAxes: [1, 2]), [2, 3, 4, 5], new() { ["kind"] = "prelu" }, [0f]);
        yield return new("PReLU(shared [2])", () => new PReLU(sharedAxes: [2]), [2, 3, 4, 5], new() { ["kind"] = "prelu" }, [0f]);
        yield return new("PReLU(shared [1, 3])", () => new PReLU(sharedAxes: [1, 3]), [2, 3, 4, 5], new() { ["kind"] = "prelu" }, [0f]);
    }

    public static TheoryData<string> Labels()
    {
        var d = new TheoryData<string>();
        foreach (var s in Specs()) d.Add(s.Label);
        return d;
    }

    /// <summary>The layer built for the spec's shape, PReLU's alpha random (its initializer gives zeros), input and upstream gradient.</summary>
    internal static (Layer Layer, Tensor X, Tensor R) Instantiate(Spec s, int seed)
    {
        var rng = new Random(seed);
        var layer = s.Make();
        layer.Build(s.Shape[1..]);
        foreach (var w in layer.Weights)
            for (int i = 0; i < w.Size; i++) w.Value[i] = (float)(rng.NextDouble() * 1.4 - 0.5);
        return (layer, ActsOracle.Uniform(rng, -s.Range, s.Range, s.Shape), ActsOracle.Uniform(rng, -1, 1, s.Shape));
    }

    [SkippableFact]
    public void EveryLayerMatchesPyTorch()
    {
        var cases = Specs().Select((s, i) =>
        {
            var (layer, x, r) = Instantiate(s, 40 + i);
            return new ActsOracle.Case(s.Label, layer, x, r, s.Oracle);
        }).ToList();
        foreach (var (label, d) in ActsOracle.CompareAll(cases)) output.WriteLine($"{label,-40} max |diff| {d:E2}");
    }

    [Theory]
    [MemberData(nameof(Labels))]
    public void GradientsMatchFiniteDifferences(string label)
    {
        var s = Specs().Single(c => c.Label == label);
        var (layer, x, r) = Instantiate(s, 7);
        KinkAwareGradientCheck.Check(label, layer, null, x, r, s.Kinks);
    }

    // ---- tfjs ----

    /// <summary>Input(shape) -> Dense(5) -> layer -> [Flatten] -> Dense(3): predictions and one SGD step (mse) against tfjs.</summary>
    private static void MatchesTfjs(Layer layer, int[] sampleShape, bool train = true)
    {
        Oracle.RequireNodeTfjs();
        KerasBackend.ClearSession();
        var m = new Sequential();
        m.Add(new Dense(5, inputShape: new Shape(sampleShape), name: "d1"));
        m.Add(layer);
        if (sampleShape.Length > 1) m.Add(new Flatten());
        m.Add(new Dense(3, activation: "tanh", name: "d2"));
        var rng = new Random(3);
        foreach (var w in m.Weights)
            for (int i = 0; i < w.Size; i++) w.Value[i] = (float)(rng.NextDouble() * 1.6 - 0.6);
        const int n = 6;
        var x = ActsOracle.Uniform(rng, -2, 2, [n, .. sampleShape]);
        var y = ActsOracle.Uniform(rng, -1, 1, n, 3);
        var start = m.Weights.Select(w => ((int[])w.Shape.Clone(), w.Value.ToArray())).ToList();
        var tfjs = TfjsGraphOracle.Run(m.ToJson(), start, [((int[])x.Shape.Clone(), x.ToArray())],
            train ? [((int[])y.Shape.Clone(), y.ToArray())] : null, train ? ["mean_squared_error"] : null, sgdLr: 0.1);
        var pred = m.Predict(x);
        Assert.Equal(tfjs.Outputs[0].Shape, pred.Shape);
        ActsOracle.Close(tfjs.Outputs[0].Values, pred.ToArray(), $"{layer.ClassName} prediction", 1e-5, 1e-5);
        if (!train) return;
        m.Compile(new SGD(0.1), "mse");
        var logs = m.TrainOnBatch(new Batch(x, y));
        Assert.Equal(tfjs.Loss!.Value, logs[0], 1e-5);
        for (int i = 0; i < m.Weights.Count; i++)
            ActsOracle.Close(tfjs.WeightsAfter![i].Values, m.Weights[i].Value.ToArray(), $"{m.Weights[i].FullName} after one SGD step", 1e-5, 2e-6);
    }

    [SkippableFact]
    public void ReLUMatchesTfjs() { MatchesTfjs(new ReLU(), [4]); MatchesTfjs(new ReLU(maxValue: 0.8), [4]); }

    [SkippableFact]
    public void LeakyReLUMatchesTfjs() => MatchesTfjs(new LeakyReLU(0.25), [4]);

    [SkippableFact]
    public void PReLUMatchesTfjsAndTrainsAlpha()
    {
        MatchesTfjs(new PReLU(alphaInitializer: new Constant(0.2)), [4]);
        MatchesTfjs(new PReLU(sharedAxes: [1]), [3, 4]);
    }

    [SkippableFact]
    public void ELUMatchesTfjs() => MatchesTfjs(new ELU(), [4]); // tfjs's ELU refuses any alpha but 1

    /// <summary>Predictions only: tfjs cannot differentiate its ThresholdedReLU ("gradient function not found for Greater").</summary>
    [SkippableFact]
    public void ThresholdedReLUMatchesTfjs() => MatchesTfjs(new ThresholdedReLU(0.4), [4], train: false);

    /// <summary>The last axis (tfjs refuses softmax along any other; PyTorch checks those).</summary>
    [SkippableFact]
    public void SoftmaxMatchesTfjs() { MatchesTfjs(new Softmax(), [4]); MatchesTfjs(new Softmax(-1), [3, 4]); }

    /// <summary>Dense with each activation tfjs knows by name: tfjs reads the names KerasNet's to_json writes the same way.</summary>
    [SkippableTheory]
    [InlineData("elu")]
    [InlineData("hard_sigmoid")]
    [InlineData("relu6")]
    [InlineData("selu")]
    [InlineData("softplus")]
    [InlineData("softsign")]
    [InlineData("swish")]
    [InlineData("mish")]
    [InlineData("gelu")]
    [InlineData("log_softmax")]
    [InlineData("sigmoid")]
    public void DenseActivationsMatchTfjs(string name) => MatchesTfjs(new Dense(4, activation: name, name: "act"), [4]);

    /// <summary>The noise layers are the identity at inference; tfjs reads their configs and agrees (tfjs trains them randomly, so no step).</summary>
    [SkippableFact]
    public void NoiseLayersAreReadByTfjsAndTheIdentityAtInference()
    {
        MatchesTfjs(new GaussianNoise(0.3), [4], train: false);
        MatchesTfjs(new GaussianDropout(0.2), [4], train: false);
        MatchesTfjs(new AlphaDropout(0.1), [4], train: false);
        MatchesTfjs(new SpatialDropout1D(0.3), [3, 4], train: false);
    }

    /// <summary>A Softmax layer (last axis) after a linear Dense trains exactly as Dense(softmax): both fuse with the cross-entropy.</summary>
    [Fact]
    public void SoftmaxLayerFusesWithCrossEntropyAsDenseSoftmaxDoes()
    {
        Sequential Make(bool layer)
        {
            KerasRandom.SetRandomSeed(4);
            var m = new Sequential();
            m.Add(new Dense(3, activation: layer ? null : "softmax", inputShape: 4));
            if (layer) m.Add(new Softmax());
            m.Compile(new SGD(0.5), "categorical_crossentropy");
            return m;
        }
        var rng = new Random(2);
        // Large logits: where fusion matters (the unfused loss would clip probabilities at 1e-7).
        var x = ActsOracle.Uniform(rng, -40, 40, 5, 4);
        var y = new Tensor(5, 3);
        for (int i = 0; i < 5; i++) y[i * 3 + i % 3] = 1;
        var a = Make(layer: false);
        var b = Make(layer: true);
        Assert.Equal(a.TrainOnBatch(new Batch(x, y))[0], b.TrainOnBatch(new Batch(x, y))[0], 1e-6);
        Assert.Equal(a.Weights[0].Value.ToArray(), b.Weights[0].Value.ToArray());
        Assert.Equal(a.Predict(x).ToArray(), b.Predict(x).ToArray());
    }

    // ---- summary, saving ----

    [Fact]
    public void SummaryListsTheLayersAndAlphaParameters()
    {
        KerasBackend.ClearSession();
        var m = new Sequential();
        m.Add(new Dense(4, inputShape: 3));
        foreach (var l in new Layer[] { new PReLU(), new LeakyReLU(), new ReLU(), new ELU(), new ThresholdedReLU(), new Softmax(),
            new GaussianNoise(0.1), new GaussianDropout(0.1), new AlphaDropout(0.1) }) m.Add(l);
        string[] lines =
        [
            "Model: \"sequential\"",
            "_________________________________________________________________",
            "Layer (type)                 Output Shape              Param #   ",
            "=================================================================",
            "dense (Dense)                (None, 4)                 16        ",
            "_________________________________________________________________",
            "p_re_lu (PReLU)              (None, 4)                 4         ",
            "_________________________________________________________________",
            "leaky_re_lu (LeakyReLU)      (None, 4)                 0         ",
            "_________________________________________________________________",
            "re_lu (ReLU)                 (None, 4)                 0         ",
            "_________________________________________________________________",
            "elu (ELU)                    (None, 4)                 0         ",
            "_________________________________________________________________",
            "thresholded_re_lu (Threshold (None, 4)                 0         ",
            "_________________________________________________________________",
            "softmax (Softmax)            (None, 4)                 0         ",
            "_________________________________________________________________",
            "gaussian_noise (GaussianNois (None, 4)                 0         ",
            "_________________________________________________________________",
            "gaussian_dropout (GaussianDr (None, 4)                 0         ",
            "_________________________________________________________________",
            "alpha_dropout (AlphaDropout) (None, 4)                 0         ",
            "=================================================================",
            "Total params: 20",
            "Trainable params: 20",
            "Non-trainable params: 0",
            "_________________________________________________________________",
        ];
        Assert.Equal(string.Join("\n", lines) + "\n", m.SummaryText());
    }

    /// <summary>Every activation layer and a few activations survive .h5 and .keras: same config, weights and predictions.</summary>
    [Theory]
    [InlineData(".h5")]
    [InlineData(".keras")]
    public void SaveAndLoadKeepPredictions(string extension)
    {
        KerasBackend.ClearSession();
        var m = new Sequential();
        m.Add(new Dense(6, activation: "gelu", inputShape: 5));
        foreach (var l in new Layer[] { new PReLU(), new LeakyReLU(0.2), new ReLU(2, 0.1, 0.05), new ELU(0.7), new ThresholdedReLU(0.1),
            new Dense(6, activation: "mish"), new Softmax(), new GaussianNoise(0.2), new AlphaDropout(0.1, seed: 3),
            new Dense(3, activation: Activations.HardSigmoidKeras3) }) m.Add(l);
        var rng = new Random(9);
        foreach (var w in m.Weights) for (int i = 0; i < w.Size; i++) w.Value[i] = (float)(rng.NextDouble() - 0.4);
        var x = ActsOracle.Uniform(rng, -2, 2, 4, 5);
        var dir = Oracle.TempDir();
        var path = Path.Combine(dir, "acts" + extension);
        m.Save(path);
        var back = Keras.LoadModel(path);
        Assert.Equal(m.ToJson(), back.ToJson());
        Assert.Equal(m.Predict(x).ToArray(), back.Predict(x).ToArray());
        Assert.Equal(m.Layers[1].Weights[0].Value.ToArray(), back.Layers[1].Weights[0].Value.ToArray()); // alpha
        Assert.Equal(ActivationKind.HardSigmoidKeras3, ((Dense)back.Layers[^1]).Activation);
    }
}
