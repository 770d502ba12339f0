using KerasNet.Engine;
using KerasNet.Engine.Kernels;
using KerasNet.Layers;
using KerasNet.Tests.Models;

namespace KerasNet.Tests.Engine;

/// <summary>
/// The inference dense pass (CpuBackend.DenseInfer: dot products for a few units at a large batch) against a
/// double-precision reference written here and against the training forward (DenseForward, GEMM tiles) to float
/// rounding, over 1..6 units (either side of the dot-product limit), batches either side of the few-row limit, odd input
/// sizes and every activation path (fused ReLU, linear, a separate sigmoid); then a Dense layer's inference call against
/// its training call. Runs at this machine's width (the ISA checks run it on the narrower ones).
/// </summary>
public class NarrowDenseTests
{
    [Fact]
    public void MatchesReferenceAndTrainingForward()
    {
        var be = new CpuBackend();
        var r = new Random(31);
        foreach (int units in new[] { 1, 2, 3, 4, 5, 6 })
            foreach (int rows in new[] { 1, 16, 17, 100, 1024 })
                foreach (int inDim in new[] { 1, 11, 64, 67 })
                    foreach (var act in new[] { ActivationKind.Relu, ActivationKind.Linear, ActivationKind.Sigmoid })
                    {
                        var x = new float[rows * inDim];
                        var w = new float[inDim * units];
                        var b = act == ActivationKind.Linear ? null : new float[units];
                        for (int i = 0; i < x.Length; i++) x[i] = r.NextSingle() * 2 - 1;
                        for (int i = 0; i < w.Length; i++) w[i] = r.NextSingle() - 0.5f;
                        if (b != null) for (int i = 0; i < b.Length; i++) b[i] = r.NextSingle() - 0.5f;
                        var y = new float[rows * units];
                        var y0 = new float[rows * units];
                        be.DenseInfer(rows, inDim, units, x, w, b, act, y);
                        be.DenseForward(rows, inDim, units, x, w, b, act, y0);
                        string what = $"{rows}x{inDim} -> {units} {act} width {Gemm.Width}";
                        for (int i = 0; i < rows; i++)
                            for (int j = 0; j < units; j++)
                            {
                                double s = b?[j] ?? 0, mag = Math.Abs(s);
                                for (int p = 0; p < inDim; p++) { double t = (double)x[i * inDim + p] * w[p * units + j]; s += t; mag += Math.Abs(t); }
                                double want = act switch { ActivationKind.Relu => Math.Max(s, 0), ActivationKind.Sigmoid => 1 / (1 + Math.Exp(-s)), _ => s };
                                float got = y[i * units + j];
                                Assert.True(Math.Abs(got - want) <= 1e-5 * (mag + 1e-3), $"{what}: y[{i}, {j}] = {got}, reference {want}");
                                Assert.True(Math.Abs(got - y0[i * units + j]) <= 1e-5 * (mag + 1e-3), $"{what}: y[{i}, {j}] = {got}, training forward {y0[i * units + j]}");
                            }
                    }
    }

    [Fact]
    public void LayerInferenceEqualsTrainingCallToRounding()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(5);
        var layer = new Dense(2, activation: "sigmoid", inputShape: new Shape(9));
        var x = Synthetic.Uniform(new Random(6), -1f, 1f, [300, 9]);
        var inference = layer.Call(x, training: false).ToArray();
        var training = layer.Call(x, training: true).ToArray();
        for (int i = 0; i < training.Length; i++) Assert.True(Math.Abs(training[i] - inference[i]) <= 1e-6, $"y[{i}] {inference[i]} vs training {training[i]}");
    }

    [Fact]
    public void RefusesShortBuffers()
    {
        var be = new CpuBackend();
        Assert.ThrowsAny<ArgumentException>(() => be.DenseInfer(32, 4, 2, new float[128], new float[7], null, ActivationKind.Linear, new float[64]));
        Assert.ThrowsAny<ArgumentException>(() => be.DenseInfer(32, 4, 2, new float[127], new float[8], null, ActivationKind.Linear, new float[64]));
        Assert.ThrowsAny<ArgumentException>(() => be.DenseInfer(32, 4, 2, new float[128], new float[8], null, ActivationKind.Linear, new float[63]));
        Assert.ThrowsAny<ArgumentException>(() => be.DenseInfer(32, 4, 2, new float[128], new float[8], new float[1], ActivationKind.Linear, new float[64]));
    }
}
