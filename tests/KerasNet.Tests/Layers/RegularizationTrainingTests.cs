#nullable enable
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Layers;

/// <summary>
/// Regularizers and constraints in training, against an independent float64 transcription of Keras
/// (Oracles/regs_torch.py: torch autograd for the losses with their explicit penalties, NumPy for the constraints):
/// the loss of Evaluate and of a training step, the weights after one SGD or Adam step, activity regularizers,
/// ActivityRegularization, frozen layers' penalties, every constraint's formula, and the loss Fit prints.
/// </summary>
public class RegularizationTrainingTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>A model to train, its input shape, loss, optimizer and batch.</summary>
    public sealed record Case(string Label, Func<Sequential> Make, int[] InputShape, string Loss, string Optimizer, double Lr, int Batch = 6)
    {
        public override string ToString() => Label;
    }

    private static Sequential Seq(int[] input, params Layer[] layers)
    {
        var m = new Sequential();
        m.Add(new InputLayer(input));
        foreach (var l in layers) m.Add(l);
        return m;
    }

    public static IEnumerable<Case> Cases()
    {
        // Weight regularizers of every kind, a fused softmax + cross-entropy output with an activity regularizer.
        Sequential Mlp() => Seq([4],
            new Dense(5, "tanh", kernelRegularizer: new L2(0.01), biasRegularizer: new L1(0.02)),
            new Dense(3, "softmax", kernelRegularizer: new L1L2(0.01, 0.02), activityRegularizer: new L2(0.05)));
        yield return new("mlp l1/l2/l1_l2 + activity on softmax, sgd", Mlp, [4], "categorical_crossentropy", "sgd", 0.1);
        yield return new("mlp l1/l2/l1_l2 + activity on softmax, adam", Mlp, [4], "categorical_crossentropy", "adam", 0.01);
        // Conv2D penalties and constraints, ActivityRegularization, constraints on a Dense without a regularizer
        // (its kernel's update may be fused into the backward kernel; the constraint still follows it).
        yield return new("conv max_norm/non_neg + activity layer + unit_norm/min_max_norm dense, sgd", () => Seq([5, 5, 2],
            new Conv2D(3, (3, 3), activation: "relu", kernelRegularizer: "l1_l2", activityRegularizer: new L1(0.01),
                kernelConstraint: new MaxNorm(0.4, 0, 1, 2), biasConstraint: new NonNeg()),
            new Flatten(),
            new ActivityRegularization(0.01, 0.02),
            new Dense(2, kernelConstraint: new UnitNorm(), biasConstraint: new MinMaxNorm(0.1, 0.3, 0.5, 0))), [5, 5, 2], "mse", "sgd", 0.5, 4);
        // A frozen layer's penalty still counts in tf.keras 2.4's loss (its weights do not move); Keras 3's
        // OrthogonalRegularizer in both modes.
        yield return new("frozen l2 + orthogonal rows/columns, adam", () => Seq([3],
            new Dense(4, "relu", trainable: false, kernelRegularizer: new L2(0.1)),
            new Dense(4, "sigmoid", kernelRegularizer: new OrthogonalRegularizer(0.2, "rows"), biasRegularizer: new L1(0.01)),
            new Dense(3, kernelRegularizer: new OrthogonalRegularizer(0.3, "columns"), activityRegularizer: new OrthogonalRegularizer(0.1))),
            [3], "mse", "adam", 0.05);
        // RadialConstraint on even and odd kernel sizes, MaxNorm with a negative axis and a max below its norms.
        yield return new("radial 4x4 and 3x3, max_norm axis -1", () => Seq([8, 8, 1],
            new Conv2D(2, (4, 4), activation: "tanh", kernelConstraint: new RadialConstraint()),
            new Conv2D(2, (3, 3), kernelConstraint: new RadialConstraint(), kernelRegularizer: new L2(0.3), biasRegularizer: new L2(0.3)),
            new Flatten(),
            new Dense(1, kernelConstraint: new MaxNorm(0.05, -1))), [8, 8, 1], "mse", "sgd", 0.2, 3);
    }

    public static TheoryData<string> CaseLabels() => new(Cases().Select(c => c.Label));

    [SkippableTheory]
    [MemberData(nameof(CaseLabels))]
    public void EvaluateAndOneStepMatchTorchWithExplicitPenalties(string label)
    {
        Oracle.RequirePython("torch", "numpy");
        var c = Cases().Single(k => k.Label == label);
        KerasRandom.SetRandomSeed(5);
        var m = c.Make();
        m.Compile(c.Optimizer == "adam" ? new Adam(c.Lr) : new SGD(c.Lr), c.Loss);
        m.ProgressOutput = new StringWriter();
        var (x, y) = Data(c, m, seed: 3);
        var payload = Payload(c, m, x, y);
        var result = RunOracle(new JsonObject { ["cases"] = new JsonArray(payload) })["cases"]![0]!;
        double loss = result["loss"]!.GetValue<double>(), penalty = result["penalty"]!.GetValue<double>();
        Assert.True(penalty > 1e-3 * loss, $"{label}: the case should have a visible penalty ({penalty} of {loss})");

        // tf.keras 2.4's test_step adds model.losses too; Evaluate runs in inference mode (no dropout here).
        double evaluated = m.Evaluate(new ArraySequence(x, y, c.Batch), verbose: 0)[0];
        Assert.True(Math.Abs(evaluated - loss) <= 2e-5 * Math.Abs(loss), $"{label}: Evaluate {evaluated} vs oracle {loss}");
        double stepLoss = m.TrainStep(new Batch(x, y));
        Assert.True(Math.Abs(stepLoss - loss) <= 2e-5 * Math.Abs(loss), $"{label}: TrainStep loss {stepLoss} vs oracle {loss}");
        var after = result["weights_after"]!.AsArray();
        var weights = m.Weights;
        Assert.Equal(weights.Count, after.Count);
        double worst = 0;
        for (int i = 0; i < weights.Count; i++)
        {
            var expected = new Tensor(after[i]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray(), weights[i].Shape);
            OracleCompare.Close(expected, weights[i].Value.ToArray(), $"{label}: {weights[i].FullName} after the step", rel: 2e-4);
            for (int j = 0; j < expected.Length; j++) worst = Math.Max(worst, Math.Abs(expected[j] - weights[i].Value[j]));
        }
        output.WriteLine($"{label}: loss {stepLoss} vs {loss} (penalty {penalty}), evaluate {evaluated}; max |dw| {worst:g3}");
    }

    [SkippableFact]
    public void FitPrintsAndRecordsTheLossWithItsPenaltiesAsKerasDoes()
    {
        Oracle.RequirePython("torch", "numpy");
        var c = new Case("fit", () => Seq([4],
            new Dense(6, "relu", kernelRegularizer: new L2(0.05), activityRegularizer: new L1(0.02)),
            new Dense(2, "softmax", kernelRegularizer: new L1(0.03), kernelConstraint: new MaxNorm(0.6))), [4], "categorical_crossentropy", "sgd", 0.3, 4);
        KerasRandom.SetRandomSeed(11);
        var m = c.Make();
        m.Compile(new SGD(c.Lr), c.Loss);
        var (x, y) = Data(c, m, seed: 4, samples: 12);
        var payload = Payload(c, m, x, y);
        payload["batch_size"] = c.Batch;
        var result = RunOracle(new JsonObject { ["cases"] = new JsonArray(payload) })["cases"]![0]!;
        var losses = result["losses"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        Assert.Equal(3, losses.Length);
        var text = new StringWriter();
        m.ProgressOutput = text;
        var history = m.Fit(new ArraySequence(x, y, c.Batch), epochs: 1);
        // Keras's loss metric: the mean of each batch's total loss weighted by its size (equal batches here).
        double expected = losses.Average();
        Assert.True(Math.Abs(history.history["loss"][0] - expected) <= 2e-5 * expected, $"History loss {history.history["loss"][0]} vs oracle {expected}");
        var printed = Regex.Match(text.ToString(), @"loss: (\d+\.\d{4})");
        Assert.True(printed.Success, text.ToString());
        Assert.True(Math.Abs(double.Parse(printed.Groups[1].Value, CultureInfo.InvariantCulture) - expected) <= 0.00006, $"printed {printed.Value}, oracle {expected}");
        var after = result["weights_after"]!.AsArray();
        for (int i = 0; i < m.Weights.Count; i++)
        {
            var w = m.Weights[i];
            OracleCompare.Close(new Tensor(after[i]!.AsArray().Select(v => (float)v!.GetValue<double>()).ToArray(), w.Shape), w.Value.ToArray(), $"{w.FullName} after an epoch", rel: 5e-4);
        }
    }

    [SkippableFact]
    public void TrainOnBatchReportsTheLossWithItsPenalties()
    {
        Oracle.RequirePython("torch", "numpy");
        var c = new Case("train_on_batch", () => Seq([3], new Dense(2, kernelRegularizer: new L2(0.5), activityRegularizer: new L2(0.1))), [3], "mse", "sgd", 0.1, 5);
        KerasRandom.SetRandomSeed(2);
        var m = c.Make();
        m.Compile(new SGD(c.Lr), c.Loss);
        var (x, y) = Data(c, m, seed: 9);
        var result = RunOracle(new JsonObject { ["cases"] = new JsonArray(Payload(c, m, x, y)) })["cases"]![0]!;
        double expected = result["loss"]!.GetValue<double>();
        double got = m.TrainOnBatch(new Batch(x, y))[0];
        Assert.True(Math.Abs(got - expected) <= 2e-5 * expected, $"TrainOnBatch {got} vs oracle {expected}");
    }

    [Fact]
    public void ASharedLayerCountsItsWeightsOnceAndEachCallsActivity()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(6);
        var shared = new Dense(3, "tanh", kernelRegularizer: new L2(0.5), activityRegularizer: new L1(0.2));
        var a = Keras.Input(4);
        var b = Keras.Input(4);
        var merged = new Add().Apply(shared.Apply(a), shared.Apply(b));
        var m = new Model([a, b], new Dense(1).Apply(merged));
        m.Compile(new SGD(0.1), "mse");
        var (xa, xb, y) = (Random(1, 5, 4), Random(2, 5, 4), Random(3, 5, 1));
        var pred = m.PredictOnBatch(xa, xb)[0];
        double mse = Enumerable.Range(0, 5).Average(i => Math.Pow(pred[i] - y[i], 2));
        var k = shared.Kernel!.Value;
        double expected = mse + 0.5f * k.ToArray().Sum(v => (double)v * v)
            + 0.2f * shared.Call(xa).ToArray().Sum(v => Math.Abs((double)v)) / 5 + 0.2f * shared.Call(xb).ToArray().Sum(v => Math.Abs((double)v)) / 5;
        double got = m.Evaluate(new ArraySequence([xa, xb], [y], 5), verbose: 0)[0];
        Assert.True(Math.Abs(got - expected) <= 1e-5 * expected, $"Evaluate {got} vs {expected}");
        Assert.True(Math.Abs(m.TrainStep(new Batch([xa, xb], [y])) - expected) <= 1e-5 * expected);
    }

    [Fact]
    public void ANestedModelTrainsLikeTheSameLayersInline()
    {
        Sequential Inline(out Layer first, out Layer second)
        {
            var s = Seq([4], first = new Dense(3, "relu", kernelRegularizer: new L1L2(0.05, 0.1), activityRegularizer: new L2(0.3), kernelConstraint: new MaxNorm(0.5)),
                second = new Dense(2, biasRegularizer: new L2(0.2), biasConstraint: new NonNeg()));
            return s;
        }
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(4);
        var flat = Inline(out _, out _);
        var inner = Inline(out _, out _);
        var x = Keras.Input(4);
        var outer = new Model(x, new Dense(2, kernelRegularizer: new L2(0.1)).Apply(inner.Apply(x)));
        var flatTail = new Dense(2, kernelRegularizer: new L2(0.1));
        var flatAll = Seq([4], flat.Layers[0], flat.Layers[1], flatTail);
        flatAll.SetWeights(outer.GetWeights());
        foreach (var mm in new Model[] { outer, flatAll }) mm.Compile(new SGD(0.2), "mse");
        var (xs, y) = (Random(7, 6, 4), Random(8, 6, 2));
        for (int step = 0; step < 3; step++)
            Assert.Equal(flatAll.TrainStep(new Batch(xs, y)), outer.TrainStep(new Batch(xs, y)), 10);
        for (int i = 0; i < outer.Weights.Count; i++) Assert.Equal(flatAll.Weights[i].Value.ToArray(), outer.Weights[i].Value.ToArray());
    }

    private static Tensor Random(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    // ---- payload ----

    private static (Tensor x, Tensor y) Data(Case c, Sequential m, int seed, int? samples = null)
    {
        var rng = new Random(seed);
        int n = samples ?? c.Batch;
        var x = new Tensor(ShapeUtil.WithBatch(n, c.InputShape));
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        int classes = m.OutputShape![^1];
        var y = new Tensor(n, classes);
        for (int i = 0; i < n; i++)
            if (c.Loss == "mse") for (int k = 0; k < classes; k++) y[i * classes + k] = (float)(rng.NextDouble() * 2 - 1);
            else y[i * classes + rng.Next(classes)] = 1;
        return (x, y);
    }

    internal static JsonObject TensorJson(Tensor t) => new()
    {
        ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
        ["values"] = new JsonArray(t.ToArray().Select(v => (JsonNode)(double)v).ToArray()),
    };

    private static JsonObject Payload(Case c, Sequential m, Tensor x, Tensor y) => new()
    {
        ["layers"] = new JsonArray(m.Layers.Select(LayerSpec).ToArray()),
        ["weights"] = new JsonArray(m.Weights.Select(w => (JsonNode)TensorJson(w.Value)).ToArray()),
        ["x"] = TensorJson(x),
        ["y"] = TensorJson(y),
        ["loss"] = c.Loss,
        ["optimizer"] = new JsonObject { ["name"] = c.Optimizer, ["lr"] = c.Lr },
    };

    private static JsonNode LayerSpec(Layer l) => l switch
    {
        Flatten => new JsonObject { ["kind"] = "flatten" },
        ActivityRegularization a => new JsonObject { ["kind"] = "activity_regularization", ["l1"] = a.L1, ["l2"] = a.L2 },
        KernelLayer k => KernelSpec(k),
        _ => throw new InvalidOperationException($"no oracle spec for {l}"),
    };

    private static JsonObject KernelSpec(KernelLayer k)
    {
        var o = new JsonObject
        {
            ["kind"] = k is Dense ? "dense" : "conv2d",
            ["activation"] = Activations.Name(k.Activation),
            ["use_bias"] = k.UseBias,
            ["trainable"] = k.Trainable,
            ["kernel_regularizer"] = RegularizerSpec(k.KernelRegularizer),
            ["bias_regularizer"] = RegularizerSpec(k.BiasRegularizer),
            ["activity_regularizer"] = RegularizerSpec(k.ActivityRegularizer),
            ["kernel_constraint"] = ConstraintSpec(k.KernelConstraint),
            ["bias_constraint"] = ConstraintSpec(k.BiasConstraint),
        };
        if (k is Conv2D conv) o["kernel"] = new JsonArray(conv.KernelSize.Height, conv.KernelSize.Width);
        return o;
    }

    internal static JsonNode? RegularizerSpec(Regularizer? r) => r switch
    {
        null => null,
        L1 a => new JsonObject { ["l1"] = a.Factor },
        L2 b => new JsonObject { ["l2"] = b.Factor },
        L1L2 ab => new JsonObject { ["l1"] = ab.L1Factor, ["l2"] = ab.L2Factor },
        OrthogonalRegularizer o => new JsonObject { ["orthogonal"] = o.Factor, ["mode"] = o.Mode },
        _ => throw new InvalidOperationException($"no oracle spec for {r}"),
    };

    private static JsonArray Axes(int[] axis) => new(axis.Select(a => (JsonNode)a).ToArray());

    internal static JsonNode? ConstraintSpec(Constraint? c) => c switch
    {
        null => null,
        MaxNorm m => new JsonObject { ["name"] = "max_norm", ["max_value"] = m.MaxValue, ["axis"] = Axes(m.Axis) },
        MinMaxNorm m => new JsonObject { ["name"] = "min_max_norm", ["min_value"] = m.MinValue, ["max_value"] = m.MaxValue, ["rate"] = m.Rate, ["axis"] = Axes(m.Axis) },
        UnitNorm u => new JsonObject { ["name"] = "unit_norm", ["axis"] = Axes(u.Axis) },
        NonNeg => new JsonObject { ["name"] = "non_neg" },
        RadialConstraint => new JsonObject { ["name"] = "radial" },
        _ => throw new InvalidOperationException($"no oracle spec for {c}"),
    };

    internal static JsonNode RunOracle(JsonObject payload)
    {
        var dir = Oracle.TempDir();
        try
        {
            var path = Path.Combine(dir, "payload.json");
            File.WriteAllText(path, payload.ToJsonString());
            return JsonNode.Parse(Oracle.RunPythonScript("regs_torch.py", path))!;
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }
}
