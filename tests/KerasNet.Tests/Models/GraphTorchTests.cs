using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Models;

/// <summary>
/// Gradients through fan-out and shared layers against float64 PyTorch (autograd over the same graph written out
/// in torch): the weights after one SGD step agree within 1e-5. Shared layers add the gradients of all their calls
/// (never fused into the kernel update); a tensor read by several layers sums what comes back from each.
/// </summary>
public class GraphTorchTests
{
    private static void StepMatchesTorch(Model m, string[] names, string torchCode, Tensor[] xs, Tensor[] ys,
        string[] losses, double[] lossWeights, double lr, int[]? frozen = null)
    {
        Assert.Equal(names, m.Weights.Select(w => $"{w.LayerName}/{w.Name}")); // tf.keras 2.4's model.weights order
        var start = WeightsInOrder(m, names);
        var payload = TfjsGraphOracle.Payload("{}", start, xs.Select(O).ToList(), ys.Select(O).ToList(),
            lossWeights: lossWeights, sgdLr: lr);
        var torch = Torch(torchCode, payload);
        m.Compile(new SGD(lr), losses, lossWeights: lossWeights);
        var logs = m.TrainOnBatch(new Batch(xs, ys));
        Assert.Equal(torch.GetProperty("loss").GetDouble(), logs[0], 1e-5);
        var perOutput = torch.GetProperty("losses").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        if (ys.Length > 1)
            for (int o = 0; o < perOutput.Length; o++) Assert.Equal(perOutput[o], logs[1 + o], 1e-5);
        for (int i = 0; i < names.Length; i++)
        {
            var v = Var(m, names[i]).Value.Span;
            Close(TorchWeight(torch, i), v, 1e-5, names[i] + " after one SGD step");
            if (frozen != null && frozen.Contains(i))
                BitEqual(start[i].values, v.ToArray(), names[i] + " (frozen)");
        }
        // Every trainable weight moved: none was left out of the step.
        var grads = torch.GetProperty("grads");
        for (int i = 0; i < names.Length; i++)
            if (frozen == null || !frozen.Contains(i))
                Assert.Contains(grads[i].EnumerateArray(), g => g.GetDouble() != 0);
    }

    /// <summary>
    /// Two image inputs through one Conv2D, MaxPooling2D, Flatten and Dense (all four shared); one embedding fans
    /// out into two heads, the other feeds a third; three losses with weights.
    /// </summary>
    [SkippableTheory]
    [InlineData(6)]
    [InlineData(20)]
    public void SiameseConvTowersWithFanOut(int n)
    {
        Oracle.RequirePython("torch");
        KerasBackend.ClearSession();
        var a = Keras.Input((8, 8, 2), name: "img_a");
        var b = Keras.Input((8, 8, 2), name: "img_b");
        var conv = new Conv2D(3, (3, 3), activation: "relu", name: "conv");
        var pool = new MaxPooling2D(poolSize: (2, 2), name: "pool");
        var flat = new Flatten(name: "flat");
        var emb = new Dense(5, activation: "tanh", name: "emb");
        KerasTensor Tower(KerasTensor t) => emb.Apply(flat.Apply(pool.Apply(conv.Apply(t))));
        var ea = Tower(a);
        var eb = Tower(b);
        var m = new Model([a, b], [
            new Dense(2, activation: "softmax", name: "cls").Apply(ea),
            new Dense(1, name: "reg").Apply(eb),
            new Dense(1, activation: "sigmoid", name: "aux").Apply(ea)], name: "siamese");
        SetRandomWeights(m, 1);
        var r = new Random(2);
        var yAux = new Tensor(Enumerable.Range(0, n).Select(i => (float)(i % 3 == 0 ? 1 : 0)).ToArray(), n, 1);
        StepMatchesTorch(m, KernelBias("conv", "emb", "cls", "reg", "aux"), """
            kc, bc, ke, be, k1, b1, k2, b2, k3, b3 = W
            def tower(x):
                return torch.tanh(flat(maxpool(torch.relu(conv(x, kc, bc)))) @ ke + be)
            ea, eb = tower(X[0]), tower(X[1])
            finish([cce_logits(Y[0], ea @ k1 + b1), mse(Y[1], eb @ k2 + b2), bce(Y[2], torch.sigmoid(ea @ k3 + b3))])
            """, [Rand(r, 0, 1, n, 8, 8, 2), Rand(r, 0, 1, n, 8, 8, 2)], [OneHot(n, 2), Rand(r, -1, 1, n, 1), yAux],
            ["categorical_crossentropy", "mse", "binary_crossentropy"], [1.0, 0.5, 2.0], lr: 0.2);
    }

    /// <summary>
    /// One Dense called at two depths (on the input, and on a later layer's output), and a tensor read by two
    /// layers: x -> s -> h; h -> g -> s -> head_1; h -> head_2. Optionally with the shared layer frozen: its two calls
    /// still pass the gradient on.
    /// </summary>
    [SkippableTheory]
    [InlineData(8, false)]
    [InlineData(32, false)]
    [InlineData(8, true)]
    public void SharedLayerAtTwoDepthsAndFanOut(int n, bool freezeShared)
    {
        Oracle.RequirePython("torch");
        KerasBackend.ClearSession();
        var x = Keras.Input(4, name: "x");
        var s = new Dense(4, activation: "tanh", name: "s");
        var h = s.Apply(x);
        var k = s.Apply(new Dense(4, activation: "relu", name: "g").Apply(h));
        var m = new Model([x], [new Dense(2, activation: "softmax", name: "head_1").Apply(k),
            new Dense(3, name: "head_2").Apply(h)], name: "depths");
        SetRandomWeights(m, 3, scale: 0.8f);
        if (freezeShared) s.Trainable = false;
        var r = new Random(4);
        StepMatchesTorch(m, KernelBias("s", "g", "head_1", "head_2"), """
            ks, bs, kg, bg, k1, b1, k2, b2 = W
            h = torch.tanh(X[0] @ ks + bs)
            k = torch.tanh(torch.relu(h @ kg + bg) @ ks + bs)
            finish([cce_logits(Y[0], k @ k1 + b1), mse(Y[1], h @ k2 + b2)], frozen=FROZEN)
            """.Replace("FROZEN", freezeShared ? "(0, 1)" : "()"),
            [Rand(r, -1, 1, n, 4)], [OneHot(n, 2), Rand(r, -1, 1, n, 3)], ["categorical_crossentropy", "mse"], [1.0, 0.7],
            lr: 0.3, frozen: freezeShared ? [0, 1] : null);
    }

    /// <summary>The same tensor given twice as an output, with two losses: both gradients add up at it (and the
    /// softmax cannot take the logits path, which assumes one reader).</summary>
    [SkippableFact]
    public void SameTensorTwiceAsAnOutput()
    {
        Oracle.RequirePython("torch");
        KerasBackend.ClearSession();
        var x = Keras.Input(4, name: "x");
        var p = new Dense(3, activation: "softmax", name: "probs").Apply(new Dense(5, activation: "relu", name: "hidden").Apply(x));
        var m = new Model([x], [p, p], name: "twice");
        Assert.Equal(["probs", "probs_1"], m.OutputNames);
        SetRandomWeights(m, 7);
        var r = new Random(8);
        StepMatchesTorch(m, KernelBias("hidden", "probs"), """
            kh, bh, kp, bp = W
            q = torch.softmax(torch.relu(X[0] @ kh + bh) @ kp + bp, -1)
            finish([cce(Y[0], q), mse(Y[1], q)])
            """, [Rand(r, -1, 1, 8, 4)], [OneHot(8, 3), Rand(r, 0, 1, 8, 3)], ["categorical_crossentropy", "mse"], [1.0, 4.0], lr: 0.5);
    }

    /// <summary>A Dense shared by two towers of a nested model and the outer model itself: three calls, one sum.</summary>
    [SkippableFact]
    public void LayerSharedBetweenANestedModelAndTheOuterGraph()
    {
        Oracle.RequirePython("torch");
        KerasBackend.ClearSession();
        var s = new Dense(3, activation: "tanh", name: "s");
        var ix = Keras.Input(3, name: "inner_x");
        var inner = new Model(ix, new Dense(3, activation: "relu", name: "inner_d").Apply(s.Apply(ix)), name: "inner");
        var x = Keras.Input(3, name: "x");
        var y = s.Apply(inner.Apply(x));
        var m = new Model([x], [new Dense(2, activation: "softmax", name: "out").Apply(y)], name: "outer");
        SetRandomWeights(m, 5);
        Assert.Equal(KernelBias("s", "inner_d", "out"), m.Weights.Select(w => $"{w.LayerName}/{w.Name}"));
        var r = new Random(6);
        StepMatchesTorch(m, KernelBias("s", "inner_d", "out"), """
            ks, bs, kd, bd, ko, bo = W
            h = torch.relu(torch.tanh(X[0] @ ks + bs) @ kd + bd)
            finish([cce_logits(Y[0], torch.tanh(h @ ks + bs) @ ko + bo)])
            """, [Rand(r, -1, 1, 8, 3)], [OneHot(8, 2)], ["categorical_crossentropy"], [1.0], lr: 0.5);
    }
}
