using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Models;

/// <summary>
/// Issue 10 (a): a frozen layer's weights must not move, whichever backward path runs (the fused dense update at
/// batches of up to 16 rows, stored gradients above), whichever optimizer, and the gradient must still flow through
/// it to the trainable layers before it. Also transfer learning: a frozen base model under a new head, checked
/// against tfjs-layers (an independent Keras with frozen layers) and float64 PyTorch.
/// </summary>
public class GraphFrozenLayerTests
{
    private static Sequential ThreeDense(bool freezeInConstructor)
    {
        var m = new Sequential();
        m.Add(new Dense(7, activation: "relu", inputShape: 5, name: "first"));
        m.Add(new Dense(6, activation: "tanh", name: "middle", trainable: !freezeInConstructor));
        m.Add(new Dense(3, activation: "softmax", name: "last"));
        return m;
    }

    public static TheoryData<string, int, bool> Cases => new()
    {
        { "adam", 8, true }, { "adam", 32, true }, { "sgd", 8, true }, { "sgd", 32, true },
        { "adam", 8, false }, { "sgd", 32, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FrozenMiddleDenseIsBitUnchangedAfterFit(string optimizer, int batch, bool freezeInConstructor)
    {
        KerasBackend.ClearSession();
        var m = ThreeDense(freezeInConstructor);
        SetRandomWeights(m, 3);
        Optimizer opt = optimizer == "adam" ? new Adam(0.01) : new SGD(0.1, momentum: 0.9);
        m.Compile(opt, "categorical_crossentropy", ["accuracy"]);
        var r = new Random(4);
        var x = Rand(r, -1, 1, batch * 3, 5);
        var y = OneHot(batch * 3, 3);
        if (!freezeInConstructor)
        {
            // Frozen after a first Fit: the next steps must leave it alone (Keras needs a re-compile for this; KerasNet
            // reads trainability at every step, so it applies at once).
            m.Fit(x, y, batchSize: batch, epochs: 1, verbose: 0, shuffle: false);
            m.GetLayer("middle").Trainable = false;
        }
        var before = Snapshot(m);
        var h = m.Fit(x, y, batchSize: batch, epochs: 2, verbose: 0, shuffle: false);
        Assert.True(double.IsFinite(h.history["loss"][^1]));
        var after = Snapshot(m);

        BitEqual(before["middle/kernel"], after["middle/kernel"], "frozen kernel");
        BitEqual(before["middle/bias"], after["middle/bias"], "frozen bias");
        foreach (var name in new[] { "first/kernel", "first/bias", "last/kernel", "last/bias" })
            Assert.NotEqual(before[name], after[name]);
        Assert.Equal(KernelBias("first", "last"), m.TrainableWeights.Select(w => $"{w.LayerName}/{w.Name}"));
        Assert.Equal(KernelBias("middle"), m.GetLayer("middle").NonTrainableWeights.Select(w => $"{w.LayerName}/{w.Name}"));
        // Frozen from the start, the optimizer never saw the frozen weights (no slots for them, as Keras).
        if (freezeInConstructor) Assert.False(opt.HasSlots(Var(m, "middle/kernel")));
    }

    /// <summary>The gradient through the frozen layer reaches the first layer: one SGD step against float64 torch.</summary>
    [SkippableTheory]
    [InlineData(8)]
    [InlineData(32)]
    public void GradientFlowsThroughTheFrozenLayer_OneSgdStepMatchesTorch(int batch)
    {
        Oracle.RequirePython("torch");
        KerasBackend.ClearSession();
        var m = ThreeDense(freezeInConstructor: true);
        SetRandomWeights(m, 5);
        m.Compile(new SGD(0.5), "categorical_crossentropy");
        var r = new Random(6);
        var x = Rand(r, -1, 1, batch, 5);
        var y = OneHot(batch, 3, seed: 1);
        var names = KernelBias("first", "middle", "last");
        var payload = TfjsGraphOracle.Payload("{}", WeightsInOrder(m, names), [O(x)], [O(y)], sgdLr: 0.5);

        m.TrainOnBatch(new KerasNet.Data.Batch(x, y));

        var torch = Torch("""
            k0, b0, k1, b1, k2, b2 = W
            h = torch.tanh(torch.relu(X[0] @ k0 + b0) @ k1 + b1)
            finish([cce_logits(Y[0], h @ k2 + b2)], frozen=(2, 3))
            """, payload);
        for (int i = 0; i < names.Length; i++) Close(TorchWeight(torch, i), Var(m, names[i]).Value.Span, 1e-5, names[i]);
    }

    // ---- transfer learning: a frozen base model, a new head ----

    private static (Model model, Sequential baseModel) TransferModel(bool functionalHead)
    {
        var b = new Sequential(name: "base");
        b.Add(new Dense(6, activation: "relu", inputShape: 4, name: "base_1"));
        b.Add(new Dense(5, activation: "tanh", name: "base_2"));
        SetRandomWeights(b, 7);
        b.Trainable = false;
        Model m;
        if (functionalHead)
        {
            var x = Keras.Input(4, name: "features");
            m = new Model(x, new Dense(3, activation: "softmax", name: "head").Apply(b.Apply(x)), name: "transfer");
        }
        else
        {
            var s = new Sequential(name: "transfer");
            s.Add(b);
            s.Add(new Dense(3, activation: "softmax", name: "head"));
            m = s;
        }
        var rh = new Random(8);
        foreach (var w in m.GetLayer("head").Weights)
            for (int i = 0; i < w.Size; i++) w.Value[i] = (float)(rh.NextDouble() - 0.5);
        return (m, b);
    }

    private static string TransferJson(bool functionalHead)
    {
        var baseLayers = new[]
        {
            SequentialLayer("InputLayer", InputConfig("base_1_input", 4)),
            SequentialLayer("Dense", DenseConfig("base_1", 6, "relu", inputDim: 4, trainable: false)),
            SequentialLayer("Dense", DenseConfig("base_2", 5, "tanh", trainable: false)),
        };
        string baseCfg = SequentialConfig("base", baseLayers);
        if (!functionalHead)
            return ModelJson("Sequential", SequentialConfig("transfer", [
                SequentialLayer("InputLayer", InputConfig("base_input", 4)),
                SequentialLayer("Sequential", baseCfg),
                SequentialLayer("Dense", DenseConfig("head", 3, "softmax"))]));
        return ModelJson("Functional", FunctionalConfig("transfer", [
            InputEntry("features", 4),
            FunctionalLayer("Sequential", "base", baseCfg, Call("features")),
            DenseEntry("head", 3, "softmax", Call("base", 1))],
            """["features", 0, 0]""", """["head", 0, 0]"""));
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void FrozenBaseModelNewHead_BaseBitUnchanged_HeadStepEqualsTfjsAndTorch(bool functionalHead)
    {
        Oracle.RequireNodeTfjs();
        KerasBackend.ClearSession();
        var (m, b) = TransferModel(functionalHead);
        const int n = 8;
        var r = new Random(9);
        var x = Rand(r, -1, 1, n, 4);
        var y = OneHot(n, 3, seed: 2);
        var names = KernelBias("base_1", "base_2", "head");
        var start = WeightsInOrder(m, names);
        var before = Snapshot(m);
        Assert.Equal(KernelBias("head"), m.TrainableWeights.Select(w => $"{w.LayerName}/{w.Name}"));
        Assert.Empty(b.TrainableWeights);

        var json = TransferJson(functionalHead);
        var tfjs = TfjsGraphOracle.Run(json, start, [O(x)], [O(y)], ["categorical_crossentropy"], sgdLr: 0.3, frozenLayers: ["base"]);
        var torch = Torch("""
            k0, b0, k1, b1, k2, b2 = W
            h = torch.tanh(torch.relu(X[0] @ k0 + b0) @ k1 + b1)
            finish([cce_logits(Y[0], h @ k2 + b2)], frozen=(0, 1, 2, 3))
            """, TfjsGraphOracle.Payload(json, start, [O(x)], [O(y)], sgdLr: 0.3));

        // Predictions before the step, then the step itself (Fit at one full batch).
        var p = m.PredictOnBatch(x)[0];
        Close(tfjs.Outputs[0].Values.Select(v => (double)v).ToList(), p.Span, 1e-5, "prediction vs tfjs");
        m.Compile(new SGD(0.3), "categorical_crossentropy");
        m.Fit(x, y, batchSize: n, epochs: 1, verbose: 0, shuffle: false);

        var after = Snapshot(m);
        foreach (var name in KernelBias("base_1", "base_2")) BitEqual(before[name], after[name], name);
        Assert.NotEqual(before["head/kernel"], after["head/kernel"]);
        Assert.Equal(names, tfjs.WeightNames);
        for (int i = 0; i < names.Length; i++)
        {
            Close(tfjs.WeightsAfter![i].Values.Select(v => (double)v).ToList(), after[names[i]], 2e-6, names[i] + " vs tfjs");
            Close(TorchWeight(torch, i), after[names[i]], 1e-5, names[i] + " vs torch");
        }
        // tfjs too leaves the frozen base alone.
        for (int i = 0; i < 4; i++) BitEqual(start[i].values, tfjs.WeightsAfter![i].Values, names[i] + " in tfjs");
    }

    /// <summary>A frozen nested model between two trainable layers: the gradient crosses it to the first layer.</summary>
    [SkippableTheory]
    [InlineData(8)]
    [InlineData(24)]
    public void FrozenNestedModelInTheMiddle_OneSgdStepMatchesTorch(int n)
    {
        Oracle.RequirePython("torch");
        KerasBackend.ClearSession();
        var mid = new Sequential(name: "mid");
        mid.Add(new Dense(5, activation: "tanh", inputShape: 6, name: "mid_1"));
        mid.Add(new Dense(4, activation: "relu", name: "mid_2"));
        mid.Trainable = false;
        var x = Keras.Input(3, name: "x");
        var m = new Model(x, new Dense(2, activation: "softmax", name: "head").Apply(mid.Apply(new Dense(6, activation: "relu", name: "pre").Apply(x))));
        SetRandomWeights(m, 11);
        var names = KernelBias("pre", "mid_1", "mid_2", "head");
        Assert.Equal(names, m.Weights.Select(w => $"{w.LayerName}/{w.Name}"));
        var r = new Random(12);
        var xs = Rand(r, -1, 1, n, 3);
        var ys = OneHot(n, 2);
        var before = Snapshot(m);
        var torch = Torch("""
            kp, bp, k1, b1, k2, b2, kh, bh = W
            h = torch.relu(torch.tanh(torch.relu(X[0] @ kp + bp) @ k1 + b1) @ k2 + b2)
            finish([cce_logits(Y[0], h @ kh + bh)], frozen=(2, 3, 4, 5))
            """, TfjsGraphOracle.Payload("{}", WeightsInOrder(m, names), [O(xs)], [O(ys)], sgdLr: 0.4));
        m.Compile(new SGD(0.4), "categorical_crossentropy");
        m.TrainOnBatch(new KerasNet.Data.Batch(xs, ys));
        var after = Snapshot(m);
        for (int i = 0; i < names.Length; i++) Close(TorchWeight(torch, i), after[names[i]], 1e-5, names[i]);
        foreach (var name in KernelBias("mid_1", "mid_2")) BitEqual(before[name], after[name], name);
        Assert.NotEqual(before["pre/kernel"], after["pre/kernel"]);
    }

    [Fact]
    public void UnfreezingTheBaseTrainsItAgain()
    {
        KerasBackend.ClearSession();
        var (m, b) = TransferModel(functionalHead: true);
        m.Compile(new SGD(0.1), "categorical_crossentropy");
        var r = new Random(10);
        var x = Rand(r, -1, 1, 8, 4);
        var y = OneHot(8, 3);
        m.Fit(x, y, batchSize: 8, verbose: 0);
        var frozen = Snapshot(m);
        b.Trainable = true;
        Assert.Equal(KernelBias("base_1", "base_2", "head"), m.TrainableWeights.Select(w => $"{w.LayerName}/{w.Name}"));
        m.Fit(x, y, batchSize: 8, verbose: 0);
        Assert.NotEqual(frozen["base_1/kernel"], Snapshot(m)["base_1/kernel"]);
        // One inner layer frozen again: only it stays.
        b.GetLayer("base_1").Trainable = false;
        var mid = Snapshot(m);
        m.Fit(x, y, batchSize: 8, verbose: 0);
        BitEqual(mid["base_1/kernel"], Snapshot(m)["base_1/kernel"], "base_1 frozen again");
        Assert.NotEqual(mid["base_2/kernel"], Snapshot(m)["base_2/kernel"]);
    }
}
