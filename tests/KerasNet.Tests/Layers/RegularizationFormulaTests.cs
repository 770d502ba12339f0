#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Layers;

/// <summary>
/// Each constraint against a NumPy transcription of keras/constraints.py and each regularizer's value and gradient
/// against torch autograd (Oracles/regs_torch.py); one SGD step of a Dense model with an L1L2 kernel regularizer and
/// MaxNorm/UnitNorm/NonNeg constraints against tfjs-layers; the ActivityRegularization layer's config in every
/// Keras form; a saved model that trains with its regularizers after loading.
/// </summary>
public class RegularizationFormulaTests
{
    private static Tensor Random(int seed, double scale, params int[] shape)
    {
        var rng = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)((rng.NextDouble() * 2 - 1) * scale);
        return t;
    }

    private static IEnumerable<(string Label, Constraint C, Tensor W)> ConstraintCases()
    {
        yield return ("max_norm default", new MaxNorm(), Random(1, 3, 3, 4));
        yield return ("max_norm conv axes 0,1,2", new MaxNorm(0.5, 0, 1, 2), Random(2, 1, 3, 3, 2, 4));
        yield return ("max_norm axis -1", new MaxNorm(1.0, -1), Random(3, 1, 4, 5));
        yield return ("max_norm below zero", new MaxNorm(-1), Random(4, 1, 3, 3));
        yield return ("min_max_norm rate 0.7", new MinMaxNorm(0.5, 1.5, 0.7, 0), Random(5, 1.5, 5, 3));
        yield return ("min_max_norm max below min", new MinMaxNorm(2, 1, 1, 1), Random(6, 1, 3, 4));
        yield return ("unit_norm axis 0", new UnitNorm(), Random(7, 2, 4, 3));
        yield return ("unit_norm axes 0,1", new UnitNorm(0, 1), Random(8, 2, 2, 3, 4));
        var zeros = Random(9, 1, 3, 2);
        zeros[1] = zeros[3] = zeros[5] = 0; // a zero column: 0 / eps
        yield return ("unit_norm zero column", new UnitNorm(), zeros);
        var signs = Random(10, 1, 2, 5);
        signs[0] = 0; signs[1] = -0f;
        yield return ("non_neg", new NonNeg(), signs);
        foreach (int size in new[] { 2, 3, 4, 5, 6 })
            yield return ($"radial {size}x{size}", new RadialConstraint(), Random(10 + size, 1, size, size, 2, 3));
    }

    [SkippableFact]
    public void EachConstraintMatchesKerasFormula()
    {
        Oracle.RequirePython("torch", "numpy");
        var cases = ConstraintCases().ToList();
        var payload = new JsonObject
        {
            ["constraints"] = new JsonArray(cases.Select(c => (JsonNode)new JsonObject
            {
                ["constraint"] = RegularizationTrainingTests.ConstraintSpec(c.C), ["w"] = RegularizationTrainingTests.TensorJson(c.W),
            }).ToArray()),
        };
        var expected = RegularizationTrainingTests.RunOracle(payload)["constraints"]!.AsArray();
        for (int i = 0; i < cases.Count; i++)
        {
            var (label, c, w) = cases[i];
            Assert.Null(c.Refusal(w.Shape));
            var got = w.Clone();
            c.Apply(got.Span, got.Shape);
            var e = new Tensor(expected[i]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray(), w.Shape);
            OracleCompare.Close(e, got.ToArray(), label, rel: 1e-5);
            Assert.False(got.ToArray().SequenceEqual(w.ToArray()), $"{label}: the case should change the weight");
        }
    }

    private static IEnumerable<(string Label, Regularizer R, Tensor X)> RegularizerCases()
    {
        var withZeros = Random(20, 1, 3, 4);
        withZeros[2] = withZeros[7] = 0; // sign(0) = 0
        yield return ("l1 with zeros", new L1(0.3), withZeros);
        yield return ("l2", new L2(0.7), Random(21, 1, 5));
        yield return ("l1_l2 rank 4", new L1L2(0.1, 0.2), Random(22, 1, 2, 2, 3, 2));
        yield return ("l1_l2 no l1", new L1L2(0, 0.2), Random(23, 1, 4, 2));
        yield return ("orthogonal rows", new OrthogonalRegularizer(0.05), Random(24, 1, 5, 3));
        yield return ("orthogonal columns", new OrthogonalRegularizer(0.5, "columns"), Random(25, 1, 3, 6));
        // (A row of zeros is left out: autograd's, and TensorFlow's, gradient of rsqrt(0) clipped at 1e7 is
        // 0 * inf = NaN there; KerasNet's is 0.)
    }

    [SkippableFact]
    public void EachRegularizerValueAndGradientMatchTorch()
    {
        Oracle.RequirePython("torch", "numpy");
        var cases = RegularizerCases().ToList();
        var payload = new JsonObject
        {
            ["regularizers"] = new JsonArray(cases.Select(c => (JsonNode)new JsonObject
            {
                ["regularizer"] = RegularizationTrainingTests.RegularizerSpec(c.R), ["x"] = RegularizationTrainingTests.TensorJson(c.X),
            }).ToArray()),
        };
        var expected = RegularizationTrainingTests.RunOracle(payload)["regularizers"]!.AsArray();
        for (int i = 0; i < cases.Count; i++)
        {
            var (label, r, x) = cases[i];
            double value = expected[i]!["value"]!.GetValue<double>();
            var grad = new Tensor(expected[i]!["grad"]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray(), x.Shape);
            Assert.True(Math.Abs(r.Apply(x.Span, x.Shape, default, 0) - value) <= 1e-5 * Math.Abs(value) + 1e-9, $"{label}: value {r.Apply(x.Span, x.Shape, default, 0)} vs {value}");
            // Apply adds scale * gradient into what the buffer holds.
            var got = new Tensor(x.Shape);
            got.Span.Fill(1);
            double v2 = r.Apply(x.Span, x.Shape, got.Span, 0.5f);
            Assert.True(Math.Abs(v2 - value) <= 1e-5 * Math.Abs(value) + 1e-9, label);
            var want = new Tensor(grad.ToArray().Select(g => 1 + 0.5f * g).ToArray(), x.Shape);
            OracleCompare.Close(want, got.ToArray(), $"{label} gradient", rel: 1e-5);
        }
    }

    [Fact]
    public void ShapesKerasCannotHandleAreRefusedBeforeTraining()
    {
        KerasBackend.ClearSession();
        Assert.Equal("OrthogonalRegularizer on a tensor of rank 4 (Keras needs rank 2)", new OrthogonalRegularizer().Refusal([3, 3, 1, 2]));
        Assert.Equal("OrthogonalRegularizer over 1 rows (Keras's penalty is 0/0, NaN, for fewer than 2)", new OrthogonalRegularizer().Refusal([1, 4]));
        Assert.Equal("RadialConstraint on a weight of rank 2 (Keras needs a rank-4 Conv2D kernel)", new RadialConstraint().Refusal([3, 3]));
        Assert.StartsWith("RadialConstraint on a 3x2 kernel", new RadialConstraint().Refusal([3, 2, 1, 1]));
        Assert.Equal("MaxNorm with axis 2, out of range for a weight of shape (3, 4)", new MaxNorm(2, 2).Refusal([3, 4]));
        Assert.Null(new MaxNorm(2, -2).Refusal([3, 4]));

        var m = new Sequential();
        m.Add(new Conv2D(2, (3, 3), inputShape: (5, 5, 1), name: "conv", kernelRegularizer: new OrthogonalRegularizer()));
        m.Add(new Flatten());
        m.Add(new Dense(1, name: "out"));
        m.Compile("sgd", "mse");
        var batch = new Batch(new Tensor(2, 5, 5, 1), new Tensor(2, 1));
        var e = Assert.Throws<KerasNetException>(() => m.TrainStep(batch));
        Assert.Equal("Layer 'conv' has kernel_regularizer OrthogonalRegularizer on a tensor of rank 4 (Keras needs rank 2); " +
            "set the layer's KernelRegularizer to null to train without it (inference is not affected).", e.Message);
        ((Conv2D)m.Layers[0]).KernelRegularizer = null;
        ((Dense)m.Layers[2]).BiasConstraint = new RadialConstraint();
        var reloaded = Keras.ModelFromJson(m.ToJson());
        reloaded.Compile("sgd", "mse");
        var f = Assert.Throws<KerasNetException>(() => reloaded.TrainStep(batch));
        Assert.StartsWith("Layer 'out' has bias_constraint RadialConstraint on a weight of rank 1", f.Message);
    }

    [SkippableFact]
    public void OneSgdStepWithL1L2AndConstraintsMatchesTfjs()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(3);
        var m = new Sequential();
        m.Add(new Dense(4, "tanh", inputShape: 3, kernelRegularizer: new L1L2(0.02, 0.05), biasRegularizer: new L1L2(0, 0.1),
            kernelConstraint: new MaxNorm(0.3), biasConstraint: new NonNeg()));
        m.Add(new Dense(2, kernelRegularizer: new L1L2(0.01, 0), kernelConstraint: new UnitNorm(), biasConstraint: new MinMaxNorm(0.05, 0.2, 1, 0)));
        // Start from a bias with both signs, so NonNeg and MinMaxNorm have something to do.
        var b = (Dense)m.Layers[0];
        b.Bias!.Assign([0.3f, -0.2f, 0.1f, -0.05f]);
        ((Dense)m.Layers[1]).Bias!.Assign([0.4f, -0.3f]);
        m.Compile(new SGD(0.1), "mse");
        var x = Random(40, 1, 6, 3);
        var y = Random(41, 1, 6, 2);
        var weights = m.Weights.Select(w => (w.Shape, w.Value.ToArray())).ToList();
        var payload = JsonNode.Parse(TfjsGraphOracle.Payload(m.ToJson(), weights, [(x.Shape, x.ToArray())], [(y.Shape, y.ToArray())],
            ["mean_squared_error"], sgdLr: 0.1))!.AsObject();
        payload["apply_constraints"] = true;
        Oracle.RequireNodeTfjs();
        var dir = Oracle.TempDir();
        var path = Path.Combine(dir, "payload.json");
        File.WriteAllText(path, payload.ToJsonString());
        var tfjs = TfjsGraphOracle.Parse(Oracle.RunNodeScript("graph_tfjs.js", path));
        OracleCompare.Close(new Tensor(tfjs.Outputs[0].Values, tfjs.Outputs[0].Shape), m.Predict(x).ToArray(), "prediction");
        double loss = m.TrainStep(new Batch(x, y));
        Assert.True(Math.Abs(loss - tfjs.Loss!.Value) <= 1e-5 * loss, $"loss {loss} vs tfjs {tfjs.Loss}");
        for (int i = 0; i < m.Weights.Count; i++)
        {
            var (name, shape, values) = tfjs.WeightsAfter![i];
            OracleCompare.Close(new Tensor(values, shape), m.Weights[i].Value.ToArray(), $"{name} after the step");
        }
        // The constraints did bind: every kernel column has norm at most 0.3, the biases are non-negative.
        Assert.All(b.Bias!.Value.ToArray(), v => Assert.True(v >= 0));
        var k = b.Kernel!.Value;
        for (int col = 0; col < 4; col++)
            Assert.True(Math.Sqrt(Enumerable.Range(0, 3).Sum(r => (double)k[r * 4 + col] * k[r * 4 + col])) <= 0.3 + 1e-6);
    }

    [Theory]
    // tf.keras 2.4, Keras 1 (l1/l2 and the base fields in its order), Keras 3 (a dtype policy; it pops activity_regularizer).
    [InlineData("""{"name": "act", "trainable": true, "dtype": "float32", "l1": 0.01, "l2": 0.0}""")]
    [InlineData("""{"l2": 0.0, "name": "act", "trainable": true, "l1": 0.01}""")]
    [InlineData("""{"name": "act", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "l1": 0.01, "l2": 0.0}""")]
    public void ActivityRegularizationConfigsAreRead(string config)
    {
        var reader = new LayerConfigReader(JsonNode.Parse(config)!.AsObject(), "ActivityRegularization", "test");
        var layer = Assert.IsType<ActivityRegularization>(LayerRegistry.Create(reader));
        Assert.Equal((0.01, 0.0), (layer.L1, layer.L2));
        Assert.Equal("act", layer.Name);
        Assert.True(layer.SupportsMasking);
        Assert.Equal("""{"name": "act", "trainable": true, "dtype": "float32", "l1": 0.01, "l2": 0.0}""", PyJson.Dumps(layer.GetConfig()));
        var e = Assert.Throws<KerasNetException>(() => new ActivityRegularization(-1));
        Assert.Equal("ActivityRegularization: l1 must be a non-negative number, got -1.", e.Message);
    }

    [Fact]
    public void ActivityRegularizationRoundTripsThroughModelJsonAndKeras3Archives()
    {
        KerasBackend.ClearSession();
        var m = new Sequential();
        m.Add(new InputLayer(4));
        m.Add(new ActivityRegularization(0.25, 0.5, name: "act"));
        m.Add(new Dense(2, name: "out"));
        string json = m.ToJson();
        Assert.Contains("""{"class_name": "ActivityRegularization", "config": {"name": "act", "trainable": true, "dtype": "float32", "l1": 0.25, "l2": 0.5}}""", json);
        Assert.Equal(json, Keras.ModelFromJson(json).ToJson());
        var path = Path.Combine(Oracle.TempDir(), "act.keras");
        m.Save(path);
        var layers = JsonNode.Parse(SavingTestUtil.ReadConfig(path))!["config"]!["layers"]!.AsArray();
        var act = layers.Single(l => l!["class_name"]!.GetValue<string>() == "ActivityRegularization")!;
        Assert.Equal("""{"name": "act", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "l1": 0.25, "l2": 0.5}""",
            PyJson.Dumps(act["config"]));
        var back = Assert.IsType<ActivityRegularization>(Keras.LoadModel(path).GetLayer("act"));
        Assert.Equal((0.25, 0.5), (back.L1, back.L2));
    }

    [Fact]
    public void ActivityRegularizationSummaryRowIsKeras24s()
    {
        KerasBackend.ClearSession();
        var m = new Sequential();
        m.Add(new InputLayer(4));
        m.Add(new ActivityRegularization(0.1));
        m.Add(new Dense(2));
        var lines = m.SummaryText().Split('\n');
        // tf.keras 2.4's print_row at positions [29, 55, 65]: each later field overwrites the last character before it.
        Assert.Contains("activity_regularization (Act (None, 4)                 0         ", lines);
        Assert.Contains("dense (Dense)                (None, 2)                 10        ", lines);
        Assert.Contains("Trainable params: 10", lines);
    }

    [Theory]
    [InlineData(".h5")]
    [InlineData(".keras")]
    public void ASavedModelTrainsWithItsRegularizersAfterLoading(string ext)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(8);
        var m = new Sequential();
        m.Add(new Dense(3, "relu", inputShape: 4, kernelRegularizer: new L2(0.2), activityRegularizer: new L1(0.1), kernelConstraint: new MaxNorm(0.5)));
        m.Add(new ActivityRegularization(0.02, 0.03));
        m.Add(new Dense(2, kernelRegularizer: new OrthogonalRegularizer(0.1, "columns"), biasRegularizer: new L1L2(0.01, 0.01)));
        m.Compile(new SGD(0.1), "mse");
        var path = Path.Combine(Oracle.TempDir(), "regs" + ext);
        m.Save(path);
        var back = Keras.LoadModel(path);
        var d0 = Assert.IsType<Dense>(back.Layers[0]);
        Assert.IsType<L2>(d0.Kernel!.Regularizer);
        Assert.IsType<MaxNorm>(d0.Kernel.Constraint);
        Assert.IsType<L1>(d0.ActivityRegularizer);
        Assert.Equal((0.02, 0.03), (Assert.IsType<ActivityRegularization>(back.Layers[1]).L1, ((ActivityRegularization)back.Layers[1]).L2));
        Assert.IsType<OrthogonalRegularizer>(((Dense)back.Layers[2]).Kernel!.Regularizer);
        back.Compile(new SGD(0.1), "mse");
        var x = Random(50, 1, 5, 4);
        var y = Random(51, 1, 5, 2);
        double before = back.Evaluate(new ArraySequence(x, y, 5), verbose: 0)[0];
        Assert.Equal(m.Evaluate(new ArraySequence(x, y, 5), verbose: 0)[0], before, 12);
        Assert.Equal(m.TrainStep(new Batch(x, y)), back.TrainStep(new Batch(x, y)), 12);
        for (int i = 0; i < m.Weights.Count; i++) Assert.Equal(m.Weights[i].Value.ToArray(), back.Weights[i].Value.ToArray());
        // Without the penalties the same step gives another loss: they are what the loaded model trained with.
        var plain = Keras.LoadModel(path);
        foreach (var k in plain.Layers.OfType<KernelLayer>()) (k.KernelRegularizer, k.ActivityRegularizer) = (null, null);
        plain.Compile(new SGD(0.1), "mse");
        Assert.NotEqual(before, plain.Evaluate(new ArraySequence(x, y, 5), verbose: 0)[0], 6);
    }
}
