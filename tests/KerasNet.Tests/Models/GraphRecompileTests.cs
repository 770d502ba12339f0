using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Models;

/// <summary>
/// Issue 10 (b): a Sequential changed after training (Add, Pop) must train the new network correctly, with or
/// without a new Compile. The softmax that ended the old network was fused with the loss (its logits fed the
/// cross-entropy); once another layer follows it, its true Jacobian is needed. Checked two ways: bit-identical to a
/// fresh model of the final architecture and weights, and against float64 PyTorch.
/// </summary>
public class GraphRecompileTests
{
    private static Sequential Trained(Optimizer optimizer)
    {
        var m = new Sequential(name: "grown");
        m.Add(new Dense(6, activation: "relu", inputShape: 4, name: "d1"));
        m.Add(new Dense(5, activation: "softmax", name: "d2"));
        SetRandomWeights(m, 1);
        m.Compile(optimizer, "categorical_crossentropy", ["accuracy"]);
        var r = new Random(2);
        m.Fit(Rand(r, -1, 1, 24, 4), OneHot(24, 5), batchSize: 8, epochs: 2, verbose: 0);
        return m;
    }

    /// <summary>The final architecture built in one go, with the given model's weights.</summary>
    private static Sequential Fresh(Sequential like, int lastUnits)
    {
        var f = new Sequential(name: "fresh");
        f.Add(new Dense(6, activation: "relu", inputShape: 4, name: "d1"));
        f.Add(new Dense(5, activation: "softmax", name: "d2"));
        f.Add(new Dense(lastUnits, activation: "softmax", name: "d3"));
        f.SetWeights(like.GetWeights());
        return f;
    }

    private static void SetHead(Sequential m, string layer, int seed)
    {
        var r = new Random(seed);
        foreach (var w in m.GetLayer(layer).Weights)
            for (int i = 0; i < w.Size; i++) w.Value[i] = (float)(r.NextDouble() * 2 - 1);
    }

    private static JsonStep TorchStep(Sequential m, Tensor x, Tensor y, double lr)
    {
        var names = KernelBias("d1", "d2", "d3");
        var torch = Torch("""
            k0, b0, k1, b1, k2, b2 = W
            p = torch.softmax(torch.relu(X[0] @ k0 + b0) @ k1 + b1, -1)
            finish([cce_logits(Y[0], p @ k2 + b2)])
            """, TfjsGraphOracle.Payload("{}", WeightsInOrder(m, names), [O(x)], [O(y)], sgdLr: lr));
        return new JsonStep(names, names.Select((_, i) => TorchWeight(torch, i)).ToArray());
    }

    private sealed record JsonStep(string[] Names, double[][] After);

    public static TheoryData<string, int, bool> Cases => new()
    {
        { "sgd", 8, false }, { "sgd", 32, false }, { "adam", 8, false }, { "adam", 32, false },
        { "sgd", 8, true }, { "sgd", 32, true },
    };

    /// <summary>
    /// Compile, Fit, Add(Dense(3, softmax)), then (re-)Compile or not, then one step: the weights equal those of a
    /// fresh model of the same final architecture and weights after the same step, bit for bit.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void AddAfterFit_OneStepIsBitIdenticalToAFreshModel(string optimizer, int batch, bool pop)
    {
        KerasBackend.ClearSession();
        Optimizer Make() => optimizer == "adam" ? new Adam(0.01) : new SGD(0.2);
        var m = Trained(Make());
        if (pop)
        {
            // Pop the softmax head and put one back: the new head is fresh, the rest trained.
            m.Pop();
            m.Add(new Dense(5, activation: "softmax", name: "d2b"));
            SetHead(m, "d2b", 3);
        }
        m.Add(new Dense(3, activation: "softmax", name: "d3"));
        SetHead(m, "d3", 4);
        // Adam keeps per-variable state, so only a fresh Compile makes its step comparable to a fresh model's;
        // SGD without momentum has none, so it is checked without re-compiling too.
        if (optimizer == "adam") m.Compile(Make(), "categorical_crossentropy", ["accuracy"]);
        var f = Fresh(m, 3);
        f.Compile(Make(), "categorical_crossentropy", ["accuracy"]);
        var r = new Random(5);
        var x = Rand(r, -1, 1, batch, 4);
        var y = OneHot(batch, 3, seed: 1);

        var lm = m.TrainOnBatch(new Batch(x, y));
        var lf = f.TrainOnBatch(new Batch(x, y));

        Assert.Equal(lf, lm);
        var wm = m.GetWeights();
        var wf = f.GetWeights();
        Assert.Equal(wf.Count, wm.Count);
        for (int i = 0; i < wf.Count; i++) BitEqual(wf[i].ToArray<float>(), wm[i].ToArray<float>(), $"weight {i}");
        Assert.Equal(["loss", "accuracy"], m.MetricsNames);
        var h = m.Fit(x, y, batchSize: batch, epochs: 1, verbose: 0);
        Assert.Equal(["accuracy", "loss"], h.history.Keys.Order());
    }

    /// <summary>The same growth, re-compiled and not, against an independent float64 PyTorch step.</summary>
    [SkippableTheory]
    [InlineData(8, true)]
    [InlineData(32, true)]
    [InlineData(8, false)]
    [InlineData(32, false)]
    public void AddAfterFit_OneSgdStepMatchesTorch(int batch, bool recompile)
    {
        Oracle.RequirePython("torch");
        KerasBackend.ClearSession();
        // Re-compiled: trained with Adam, then SGD for the grown model. Not: SGD all along, no Compile after Add.
        var m = Trained(recompile ? new Adam(0.01) : new SGD(0.3));
        m.Add(new Dense(3, activation: "softmax", name: "d3"));
        SetHead(m, "d3", 6);
        if (recompile) m.Compile(new SGD(0.3), "categorical_crossentropy");
        var r = new Random(7);
        var x = Rand(r, -1, 1, batch, 4);
        var y = OneHot(batch, 3, seed: 2);
        var expected = TorchStep(m, x, y, 0.3);

        m.Fit(x, y, batchSize: batch, epochs: 1, verbose: 0, shuffle: false);

        for (int i = 0; i < expected.Names.Length; i++)
            Close(expected.After[i], Var(m, expected.Names[i]).Value.Span, 1e-5, expected.Names[i]);
    }

    /// <summary>A Sequential without an input shape is built by its first Fit; Add afterwards rebuilds the chain.</summary>
    [Fact]
    public void DeferredBuildThenAddAfterFit_OneStepIsBitIdenticalToAFreshModel()
    {
        KerasBackend.ClearSession();
        var m = new Sequential(name: "deferred");
        m.Add(new Dense(6, activation: "relu", name: "d1"));
        m.Add(new Dense(5, activation: "softmax", name: "d2"));
        Assert.Empty(m.Weights);
        m.Compile(new SGD(0.2), "categorical_crossentropy");
        var r = new Random(11);
        m.Fit(Rand(r, -1, 1, 16, 4), OneHot(16, 5), batchSize: 8, verbose: 0);
        Assert.Equal([4], m.InputLayer!.InputShapeArgument!);
        m.Add(new Dense(3, activation: "softmax", name: "d3"));
        SetHead(m, "d3", 12);
        var f = Fresh(m, 3);
        f.Compile(new SGD(0.2), "categorical_crossentropy");
        var b = new Batch(Rand(r, -1, 1, 8, 4), OneHot(8, 3));
        Assert.Equal(f.TrainOnBatch(b), m.TrainOnBatch(b));
        var (wm, wf) = (m.GetWeights(), f.GetWeights());
        for (int i = 0; i < wf.Count; i++) BitEqual(wf[i].ToArray<float>(), wm[i].ToArray<float>(), $"weight {i}");
    }

    [Fact]
    public void AddAfterFitWithoutCompile_KeepsTrainingAndLogs()
    {
        KerasBackend.ClearSession();
        var m = Trained(new SGD(0.2));
        m.Add(new Dense(3, activation: "softmax", name: "d3"));
        var r = new Random(9);
        var x = Rand(r, -1, 1, 16, 4);
        var y = OneHot(16, 3);
        // The compiled loss and metrics now apply to the new output (3 classes instead of 5).
        var h = m.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        Assert.Equal(["accuracy", "loss"], h.history.Keys.Order());
        var e = m.Evaluate(x.ToNDArray(), y.ToNDArray(), batchSize: 8, verbose: 0);
        Assert.Equal(2, e.Length);
        // A target of the old width is refused with a message naming both shapes.
        var ex = Assert.ThrowsAny<KerasNetException>(() => m.Fit(x, OneHot(16, 5), batchSize: 8, verbose: 0));
        Assert.Contains("5", ex.Message);
    }
}
