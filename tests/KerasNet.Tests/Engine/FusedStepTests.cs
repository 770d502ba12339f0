using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Engine.Kernels;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;

namespace KerasNet.Tests.Engine;

/// <summary>
/// TrainStep applies dense kernel updates inside the backward pass (the kernel gradient is never stored). These
/// tests check that this gives bit-for-bit the weights of the plain path (every gradient stored, then
/// Optimizer.Apply), and that training is reproducible run to run.
/// </summary>
public class FusedStepTests
{
    private static Sequential Model(Optimizer optimizer)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(7);
        var m = new Sequential();
        m.Add(new Conv2D(6, (3, 3), inputShape: (9, 9, 3), activation: "relu"));
        m.Add(new MaxPooling2D());
        m.Add(new Flatten());
        m.Add(new Dense(37, activation: "relu"));
        m.Add(new Dense(3, activation: "softmax"));
        m.Compile(optimizer, "categorical_crossentropy");
        return m;
    }

    private static Batch Data(int n, int seed)
    {
        var x = new Tensor(EngineTestUtil.Random(n * 9 * 9 * 3, seed), n, 9, 9, 3);
        var y = new Tensor(n, 3);
        for (int i = 0; i < n; i++) y[i * 3 + (i + seed) % 3] = 1;
        return new Batch(x, y);
    }

    /// <summary>The unfused reference step: forward, loss, every layer's backward, then one optimizer pass.</summary>
    private static void PlainStep(Sequential m, Batch b)
    {
        var graph = m.Graph!;
        var ctx = graph.CreateContext();
        int output = graph.SoleProducerOfOutput(0); // softmax with categorical cross-entropy from the logits, as Fit
        ctx.SetLossFusion([output]);
        graph.Forward(ctx, [b.X], training: true);
        var yPred = ctx.Output(0);
        var grad = new Tensor(yPred.Shape);
        m.Loss!.Compute(yPred, b.Y!, grad, ctx.Nodes[output].Logits);
        graph.Backward(ctx, [grad], needInputGrads: false, GradientSink.All());
        m.Optimizer!.Apply(m.TrainableWeights);
    }

    // Every element-wise optimizer at batch 1 and 8 (the row-pair fused pass), 17 and 64 (the blocked fused pass).
    private static readonly string[] Optimizers = ["adam", "sgd", "rmsprop", "adagrad", "adadelta", "adamax", "nadam", "ftrl", "adamw", "amsgrad", "sgd-clipvalue"];

    public static TheoryData<string, int> Cases
    {
        get
        {
            var d = new TheoryData<string, int> { { "adam", 5 }, { "rmsprop", 3 }, { "adam", 40 } };
            foreach (var o in Optimizers) foreach (int b in (int[])[1, 8, 17, 64]) d.Add(o, b);
            return d;
        }
    }

    private static Optimizer Make(string optimizer) => optimizer switch
    {
        "sgd" => new SGD(0.05, momentum: 0.9),
        "sgd-clipvalue" => new SGD(0.05) { Clipvalue = 0.01 },
        "rmsprop" => new RMSprop(),
        "adagrad" => new Adagrad(),
        "adadelta" => new Adadelta(learningRate: 1.0),
        "adamax" => new Adamax(),
        "nadam" => new Nadam(),
        "ftrl" => new Ftrl(),
        "adamw" => new AdamW(),
        "amsgrad" => new Adam(amsgrad: true),
        _ => new Adam(),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedStepEqualsPlainStepBitForBit(string optimizer, int batch) => AssertFusedEqualsPlain(optimizer, batch);

    /// <summary>Four fused steps against four plain steps from the same seed: every weight equal bit for bit.</summary>
    internal static void AssertFusedEqualsPlain(string optimizer, int batch)
    {
        Optimizer Make() => FusedStepTests.Make(optimizer);
        var fused = Model(Make());
        var plain = Model(Make());
        for (int s = 0; s < 4; s++)
        {
            var b = Data(batch, s);
            fused.TrainStep(b);
            PlainStep(plain, b);
        }
        var wf = fused.Weights.ToList(); var wp = plain.Weights.ToList();
        for (int i = 0; i < wf.Count; i++)
            Assert.True(wf[i].Value.Span.SequenceEqual(wp[i].Value.Span), $"{wf[i].FullName} differs between fused and plain steps ({optimizer}, batch {batch}, {Gemm.Width})");
        // Slots are created in Keras's variable order whatever the update order.
        Assert.Equal(fused.TrainableWeights.Select(v => v.FullName), fused.Optimizer!.TrackedVariables.Select(v => v.FullName));
        Assert.Equal(4, fused.Optimizer.Iterations);
        Assert.NotEqual(Model(Make()).Weights.ElementAt(3).Value.ToArray(), wf[3].Value.ToArray());
    }

    [Fact]
    public void TwoTrainingRunsAreBitIdentical()
    {
        float[][] Train()
        {
            var m = Model(new Adam());
            for (int s = 0; s < 3; s++) m.TrainStep(Data(8, s));
            return m.Weights.Select(w => w.Value.ToArray()).ToArray();
        }
        var a = Train(); var b = Train();
        for (int i = 0; i < a.Length; i++) Assert.True(EngineTestUtil.BitEqual(a[i], b[i]), $"weight {i} differs between runs");
    }
}
