using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Models;

/// <summary>
/// Functional graphs against tfjs-layers, an independent Keras: the same graph written by hand as tf.keras 2.4
/// to_json() text, the same starting weights; predictions, the loss before the step and every weight after one
/// full-batch SGD step must agree. Also checks that KerasNet lists the weights in Keras's model.weights order
/// (the config's layer order, which is tf.keras 2.4's model.layers order).
/// </summary>
public class GraphTfjsTests
{
    private const double PredictTol = 1e-5, WeightTol = 2e-6;

    /// <summary>Predict, then one SGD step, here and in tfjs; everything compared.</summary>
    private static void MatchesTfjs(Model m, string json, string[] names, Tensor[] xs, Tensor[] ys, string[] losses,
        double[]? lossWeights = null, double lr = 0.1)
    {
        Assert.Equal(names, m.Weights.Select(w => $"{w.LayerName}/{w.Name}")); // Keras's model.weights order
        var start = WeightsInOrder(m, names);
        var tfjs = TfjsGraphOracle.Run(json, start, xs.Select(O).ToList(), ys.Select(O).ToList(), losses, lossWeights, lr);
        Assert.Equal(names, tfjs.WeightNames);

        var preds = m.PredictOnBatch(xs);
        Assert.Equal(tfjs.Outputs.Count, preds.Length);
        for (int o = 0; o < preds.Length; o++)
        {
            Assert.Equal(tfjs.Outputs[o].Shape, preds[o].Shape);
            Close(tfjs.Outputs[o].Values.Select(v => (double)v).ToList(), preds[o].Span, PredictTol, $"output {o} ({m.OutputNames[o]})");
        }

        m.Compile(new SGD(lr), losses, lossWeights: lossWeights);
        var logs = m.TrainOnBatch(new Batch(xs, ys));
        Assert.Equal(tfjs.Loss!.Value, logs[0], 1e-5);
        if (ys.Length > 1)
            for (int o = 0; o < ys.Length; o++) Assert.Equal(tfjs.Losses![o]!.Value, logs[1 + o], 1e-5);
        for (int i = 0; i < names.Length; i++)
            Close(tfjs.WeightsAfter![i].Values.Select(v => (double)v).ToList(), Var(m, names[i]).Value.Span, WeightTol, names[i] + " after one SGD step");
    }

    // ---- two inputs, one Dense shared by both, two outputs with different losses and loss weights ----

    private static string TwoInputsJson(string actB) => ModelJson("Functional", FunctionalConfig("two_inputs", [
        InputEntry("in_a", 3),
        InputEntry("in_b", 3),
        DenseEntry("shared", 4, "tanh", Call("in_a") + ", " + Call("in_b")),
        DenseEntry("out_a", 2, "softmax", Call("shared", 0)),
        DenseEntry("out_b", 1, actB, Call("shared", 1))],
        """["in_a", 0, 0], ["in_b", 0, 0]""", """["out_a", 0, 0], ["out_b", 0, 0]"""));

    [SkippableTheory]
    [InlineData("categorical_crossentropy", "mean_squared_error", "linear", 0.7, 2.0)]
    [InlineData("sparse_categorical_crossentropy", "binary_crossentropy", "sigmoid", 1.5, 0.25)]
    public void TwoInputsSharedDenseTwoOutputs(string lossA, string lossB, string actB, double wA, double wB)
    {
        Oracle.RequireNodeTfjs();
        KerasBackend.ClearSession();
        var a = Keras.Input(3, name: "in_a");
        var b = Keras.Input(3, name: "in_b");
        var shared = new Dense(4, activation: "tanh", name: "shared");
        var m = new Model([a, b], [new Dense(2, activation: "softmax", name: "out_a").Apply(shared.Apply(a)),
            new Dense(1, activation: actB, name: "out_b").Apply(shared.Apply(b))], name: "two_inputs");
        SetRandomWeights(m, 1);
        const int n = 7;
        var r = new Random(2);
        var ya = lossA.StartsWith("sparse")
            ? new Tensor(Enumerable.Range(0, n).Select(i => (float)(i % 2)).ToArray(), n)
            : OneHot(n, 2);
        var yb = actB == "sigmoid"
            ? new Tensor(Enumerable.Range(0, n).Select(i => (float)(i / 3 % 2)).ToArray(), n, 1)
            : Rand(r, -1, 1, n, 1);
        MatchesTfjs(m, TwoInputsJson(actB), KernelBias("shared", "out_a", "out_b"),
            [Rand(r, -1, 1, n, 3), Rand(r, -1, 1, n, 3)], [ya, yb], [lossA, lossB], [wA, wB]);
    }

    // ---- fan-out: one tensor feeds two Dense layers whose outputs are both model outputs ----

    [SkippableTheory]
    [InlineData(6)]
    [InlineData(20)]
    public void FanOutIntoTwoHeads(int n)
    {
        Oracle.RequireNodeTfjs();
        KerasBackend.ClearSession();
        var x = Keras.Input(5, name: "x");
        var trunk = new Dense(6, activation: "relu", name: "trunk").Apply(x);
        var m = new Model([x], [new Dense(3, activation: "softmax", name: "head_a").Apply(trunk),
            new Dense(2, name: "head_b").Apply(trunk)], name: "fan_out");
        SetRandomWeights(m, 3);
        var json = ModelJson("Functional", FunctionalConfig("fan_out", [
            InputEntry("x", 5),
            DenseEntry("trunk", 6, "relu", Call("x")),
            DenseEntry("head_a", 3, "softmax", Call("trunk")),
            DenseEntry("head_b", 2, "linear", Call("trunk"))],
            """["x", 0, 0]""", """["head_a", 0, 0], ["head_b", 0, 0]"""));
        var r = new Random(4);
        MatchesTfjs(m, json, KernelBias("trunk", "head_a", "head_b"), [Rand(r, -1, 1, n, 5)],
            [OneHot(n, 3), Rand(r, -1, 1, n, 2)], ["categorical_crossentropy", "mse"], [1.0, 0.5]);
    }

    /// <summary>A softmax output that another layer also reads: its loss cannot take the logits (the other
    /// reader needs the softmax's real Jacobian), so both paths' gradients meet at its output.</summary>
    [SkippableFact]
    public void OutputThatAnotherLayerAlsoReads()
    {
        Oracle.RequireNodeTfjs();
        KerasBackend.ClearSession();
        var x = Keras.Input(4, name: "x");
        var probs = new Dense(3, activation: "softmax", name: "probs").Apply(x);
        var m = new Model([x], [probs, new Dense(2, activation: "tanh", name: "after").Apply(probs)], name: "reread");
        SetRandomWeights(m, 5, scale: 1f);
        var json = ModelJson("Functional", FunctionalConfig("reread", [
            InputEntry("x", 4),
            DenseEntry("probs", 3, "softmax", Call("x")),
            DenseEntry("after", 2, "tanh", Call("probs"))],
            """["x", 0, 0]""", """["probs", 0, 0], ["after", 0, 0]"""));
        var r = new Random(6);
        MatchesTfjs(m, json, KernelBias("probs", "after"), [Rand(r, -1, 1, 9, 4)],
            [OneHot(9, 3), Rand(r, -1, 1, 9, 2)], ["categorical_crossentropy", "mse"], [1.0, 3.0], lr: 0.5);
    }

    // ---- a Sequential nested in a Functional (its output also a model output) ----

    [SkippableFact]
    public void SequentialInsideFunctional()
    {
        Oracle.RequireNodeTfjs();
        KerasBackend.ClearSession();
        var encoder = new Sequential(name: "encoder");
        encoder.Add(new Dense(4, activation: "tanh", inputShape: 3, name: "enc_1"));
        encoder.Add(new Dense(3, activation: "sigmoid", name: "enc_2"));
        var x = Keras.Input(3, name: "x");
        var h = encoder.Apply(x);
        var m = new Model([x], [new Dense(2, activation: "softmax", name: "head").Apply(h), h], name: "outer");
        SetRandomWeights(m, 7);
        string encoderCfg = SequentialConfig("encoder", [
            SequentialLayer("InputLayer", InputConfig("enc_1_input", 3)),
            SequentialLayer("Dense", DenseConfig("enc_1", 4, "tanh", inputDim: 3)),
            SequentialLayer("Dense", DenseConfig("enc_2", 3, "sigmoid"))]);
        var json = ModelJson("Functional", FunctionalConfig("outer", [
            InputEntry("x", 3),
            FunctionalLayer("Sequential", "encoder", encoderCfg, Call("x")),
            DenseEntry("head", 2, "softmax", Call("encoder", 1))],
            """["x", 0, 0]""", """["head", 0, 0], ["encoder", 1, 0]"""));
        var r = new Random(8);
        Assert.Equal(["head", "encoder"], m.OutputNames);
        MatchesTfjs(m, json, KernelBias("enc_1", "enc_2", "head"), [Rand(r, -1, 1, 6, 3)],
            [OneHot(6, 2), Rand(r, 0, 1, 6, 3)], ["categorical_crossentropy", "mse"], [1.0, 2.0], lr: 0.3);
    }

    // ---- a Functional nested in a Sequential ----

    [SkippableFact]
    public void FunctionalInsideSequential()
    {
        Oracle.RequireNodeTfjs();
        KerasBackend.ClearSession();
        var i = Keras.Input(3, name: "inner_in");
        var inner = new Model(i, new Dense(3, activation: "tanh", name: "inner_out").Apply(new Dense(4, activation: "relu", name: "inner_dense").Apply(i)), name: "inner");
        var m = new Sequential(name: "seq");
        m.Add(inner);
        m.Add(new Dense(2, activation: "softmax", name: "top"));
        SetRandomWeights(m, 9);
        string innerCfg = FunctionalConfig("inner", [
            InputEntry("inner_in", 3),
            DenseEntry("inner_dense", 4, "relu", Call("inner_in")),
            DenseEntry("inner_out", 3, "tanh", Call("inner_dense"))],
            """["inner_in", 0, 0]""", """["inner_out", 0, 0]""");
        var json = ModelJson("Sequential", SequentialConfig("seq", [
            SequentialLayer("InputLayer", InputConfig("inner_input", 3)),
            SequentialLayer("Functional", innerCfg),
            SequentialLayer("Dense", DenseConfig("top", 2, "softmax"))]));
        var r = new Random(10);
        MatchesTfjs(m, json, KernelBias("inner_dense", "inner_out", "top"), [Rand(r, -1, 1, 5, 3)],
            [OneHot(5, 2)], ["categorical_crossentropy"], lr: 0.4);
    }

    // ---- one layer called three times in a chain; its middle call is also an output ----

    [SkippableTheory]
    [InlineData(5)]
    [InlineData(24)]
    public void LayerReusedThreeTimes(int n)
    {
        Oracle.RequireNodeTfjs();
        KerasBackend.ClearSession();
        var x = Keras.Input(4, name: "x");
        var rep = new Dense(4, activation: "tanh", name: "rep");
        var h1 = rep.Apply(x);
        var h2 = rep.Apply(h1);
        var h3 = rep.Apply(h2);
        var m = new Model([x], [new Dense(3, activation: "softmax", name: "out").Apply(h3), h2], name: "reuse");
        SetRandomWeights(m, 11, scale: 0.8f);
        var json = ModelJson("Functional", FunctionalConfig("reuse", [
            InputEntry("x", 4),
            DenseEntry("rep", 4, "tanh", Call("x") + ", " + Call("rep", 0) + ", " + Call("rep", 1)),
            DenseEntry("out", 3, "softmax", Call("rep", 2))],
            """["x", 0, 0]""", """["out", 0, 0], ["rep", 1, 0]"""));
        var r = new Random(12);
        Assert.Equal(["out", "rep"], m.OutputNames);
        MatchesTfjs(m, json, KernelBias("rep", "out"), [Rand(r, -1, 1, n, 4)],
            [OneHot(n, 3), Rand(r, -1, 1, n, 4)], ["categorical_crossentropy", "mse"], [1.0, 0.5], lr: 0.3);
    }
}
