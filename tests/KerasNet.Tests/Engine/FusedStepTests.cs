using KerasNet.Data;
using KerasNet.Engine;
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

    public static TheoryData<string, int> Cases => new() { { "adam", 8 }, { "adam", 5 }, { "sgd", 8 }, { "rmsprop", 3 }, { "adam", 40 } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedStepEqualsPlainStepBitForBit(string optimizer, int batch)
    {
        Optimizer Make() => optimizer switch { "sgd" => new SGD(0.05, momentum: 0.9), "rmsprop" => new RMSprop(), _ => new Adam() };
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
            Assert.True(wf[i].Value.Span.SequenceEqual(wp[i].Value.Span), $"{wf[i].FullName} differs between fused and plain steps");
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
