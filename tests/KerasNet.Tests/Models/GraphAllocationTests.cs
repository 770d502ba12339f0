using KerasNet.Applications;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using Xunit.Abstractions;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Models;

/// <summary>
/// No allocation per steady-state step: after a warm-up, TrainStep and PredictInto allocate nothing on the calling
/// thread (the graph reuses its contexts, scratch tensors, gradient sink and trainable list). Measured with
/// GC.GetAllocatedBytesForCurrentThread; the bound leaves room for nothing but a stray object.
/// </summary>
public class GraphAllocationTests(ITestOutputHelper log)
{
    private const long MaxBytesPerCall = 16;

    private long PerCall(string what, int calls, Action call)
    {
        for (int i = 0; i < 3; i++) call(); // warm-up: buffers, optimizer slots, JIT
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++) call();
        long perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / calls;
        log.WriteLine($"{what}: {perCall} bytes per call");
        return perCall;
    }

    [Fact]
    public void TutorialNetworkTrainStepAndPredictIntoAllocateNothing()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(1);
        var m = TutorialCnn.Build();
        m.Compile("adam", "categorical_crossentropy", ["accuracy"]);
        var r = new Random(2);
        var batch = new Batch(Rand(r, 0, 1, 8, 64, 64, 3), OneHot(8, 2));
        Assert.True(PerCall("TrainStep (batch 8, Adam)", 5, () => m.TrainStep(batch)) <= MaxBytesPerCall);

        foreach (int n in new[] { 1, 8 })
        {
            var x = Rand(r, 0, 1, n, 64, 64, 3);
            var y = new Tensor(n, 2);
            Assert.True(PerCall($"PredictInto (batch {n})", 10, () => m.PredictInto(x, y)) <= MaxBytesPerCall);
            Assert.Equal(m.PredictOnBatch(x)[0].ToArray(), y.ToArray());
        }
    }

    [Fact]
    public void FunctionalGraphWithSharedLayerAndFanOutTrainStepAllocatesNothing()
    {
        KerasBackend.ClearSession();
        var a = Keras.Input(6, name: "a");
        var b = Keras.Input(6, name: "b");
        var shared = new Dense(8, activation: "relu", name: "shared");
        var ha = shared.Apply(a);
        var m = new Model([a, b], [
            new Dense(3, activation: "softmax", name: "cls").Apply(ha),
            new Dense(2, name: "reg").Apply(ha),
            new Dense(1, activation: "sigmoid", name: "aux").Apply(shared.Apply(b))]);
        SetRandomWeights(m, 3);
        m.Compile(new SGD(0.05, momentum: 0.9), ["categorical_crossentropy", "mse", "binary_crossentropy"], ["accuracy"], [1.0, 0.5, 0.2]);
        var r = new Random(4);
        var aux = new Tensor(Enumerable.Range(0, 12).Select(i => (float)(i % 2)).ToArray(), 12, 1);
        var batch = new Batch([Rand(r, -1, 1, 12, 6), Rand(r, -1, 1, 12, 6)], [OneHot(12, 3), Rand(r, -1, 1, 12, 2), aux]);
        Assert.True(PerCall("TrainStep (Functional, shared + fan-out)", 20, () => m.TrainStep(batch)) <= MaxBytesPerCall);

        Tensor[] outs = [new Tensor(12, 3), new Tensor(12, 2), new Tensor(12, 1)];
        var xs = batch.Xs!;
        Assert.True(PerCall("PredictInto (Functional)", 20, () => m.PredictInto(xs, outs)) <= MaxBytesPerCall);
        var expected = m.PredictOnBatch(xs);
        for (int o = 0; o < 3; o++) Assert.Equal(expected[o].ToArray(), outs[o].ToArray());
    }

    [Fact]
    public void PredictIntoChecksTheOutputTensors()
    {
        KerasBackend.ClearSession();
        var s = new Sequential();
        s.Add(new Dense(3, inputShape: 4, name: "d"));
        var x = new Tensor(2, 4);
        var e = Assert.ThrowsAny<KerasNetException>(() => s.PredictInto(x, new Tensor(3, 3)));
        Assert.Contains("(2, 3)", e.Message);
        Assert.Contains("(3, 3)", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => s.PredictInto([x], [new Tensor(2, 3), new Tensor(2, 3)]));
        Assert.Contains("has 1 output(s) but 2 output tensor(s)", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => s.PredictInto(new Tensor(2, 5), new Tensor(2, 3)));
        Assert.Contains("expects input of shape (None, 4)", e.Message);
    }
}
