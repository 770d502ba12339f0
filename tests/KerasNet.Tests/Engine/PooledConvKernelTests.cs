using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.Models;

namespace KerasNet.Tests.Engine;

/// <summary>
/// Conv2D + MaxPooling2D fused at inference (CpuBackend.ConvPoolInfer, FunctionalGraph.Pooling.cs): the fused kernel
/// against the unfused path (ConvInfer, then the inference max pool) bit for bit over odd sizes, filter counts off the
/// panel width, strides, paddings, pool windows that leave rows and columns over, ties, NaN, and the shapes that fall
/// back (pointwise, dilated, overlapping or padded pools); then whole models, fused against unfused, and which pairs
/// the graph fuses. The models' agreement with ONNX Runtime is OnnxOracleTests' (the tutorial CNN and the MNIST
/// convnet, whose every convolution is now fused with its pool). It sits in KerasNet.Tests.Engine so the ISA
/// checks (DOTNET_EnableAVX512=0, DOTNET_EnableAVX2=0) run it on the narrower vector paths.
/// </summary>
public class PooledConvKernelTests
{
    private sealed record Case(int Batch, int H, int W, int C, int F, int K, int Stride, string Padding, int Dilation, int PH, int PW, int PoolStride, string PoolPadding, bool Bias, bool Relu)
    {
        public string Label => $"n{Batch} {H}x{W}x{C} f{F} k{K} s{Stride} d{Dilation} {Padding} pool {PH}x{PW}/{PoolStride} {PoolPadding}{(Bias ? " bias" : "")}{(Relu ? " relu" : "")}";
    }

    private static IEnumerable<Case> Cases()
    {
        foreach (int c in new[] { 1, 3, 32 })
            foreach (int f in new[] { 5, 32, 40 })
            {
                yield return new(2, 13, 11, c, f, 3, 1, "valid", 1, 2, 2, 2, "valid", true, true);  // odd output: a row and a column left over
                yield return new(1, 9, 12, c, f, 3, 1, "same", 1, 3, 3, 3, "valid", false, true);
                yield return new(3, 10, 7, c, f, 3, 2, "same", 1, 2, 2, 2, "valid", true, false);
                yield return new(1, 8, 9, c, f, 2, 1, "valid", 1, 2, 3, 0, "valid", true, true);     // 2x3 window, strides = window
            }
        yield return new(1, 31, 31, 32, 32, 3, 1, "valid", 1, 2, 2, 2, "valid", true, true);        // the tutorial's second layer
        yield return new(2, 28, 28, 1, 32, 3, 1, "valid", 1, 2, 2, 2, "valid", true, true);         // the MNIST convnet's first
        yield return new(2, 6, 6, 8, 16, 1, 1, "valid", 1, 2, 2, 2, "valid", true, true);           // pointwise: falls back
        yield return new(2, 9, 10, 3, 8, 3, 1, "same", 2, 2, 2, 2, "valid", true, true);            // dilated: falls back
        yield return new(2, 9, 9, 3, 8, 3, 1, "valid", 1, 3, 3, 2, "valid", true, true);            // overlapping pool: falls back
        yield return new(1, 9, 9, 3, 8, 3, 1, "valid", 1, 2, 2, 2, "same", true, false);            // padded pool: falls back
    }

    private static float[] Random(Random r, long n, float lo, float hi)
    {
        var v = new float[n];
        for (int i = 0; i < v.Length; i++) v[i] = lo + (hi - lo) * r.NextSingle();
        return v;
    }

    private static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int j = 0; j < expected.Length; j++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[j]) == BitConverter.SingleToInt32Bits(actual[j]), $"{what}: y[{j}] {actual[j]} vs unfused {expected[j]}");
    }

    [Fact]
    public void FusedKernelEqualsConvolutionThenPool()
    {
        var be = new CpuBackend();
        var r = new Random(12);
        int n = 0;
        foreach (var c in Cases())
        {
            var s = ConvSpec.Create(c.Batch, c.H, c.W, c.C, c.K, c.K, c.Stride, c.Stride, c.Dilation, c.Dilation, 1, c.Padding);
            int ps = c.PoolStride == 0 ? c.PH : c.PoolStride, pws = c.PoolStride == 0 ? c.PW : c.PoolStride;
            var pool = ConvGeometry.Create(c.Batch, s.OutH, s.OutW, c.F, c.PH, c.PW, ps, pws, c.PoolPadding);
            var x = Random(r, s.InputLength, -1, 1);
            if (n++ % 5 == 0) x[x.Length / 3] = float.NaN; // a NaN reaches some windows: kept, as the pool keeps it
            var w = Random(r, s.KernelLength(c.F), -0.5f, 0.5f);
            var b = c.Bias ? Random(r, c.F, -0.5f, 0.5f) : null;
            var act = c.Relu ? ActivationKind.Relu : ActivationKind.Linear;
            var conv = new float[s.OutputLengthFor(c.F)];
            var expected = new float[(long)pool.Batch * pool.OutH * pool.OutW * c.F];
            be.ConvInfer(s, x, w, b, -1, act, c.F, conv, null);
            be.MaxPoolForward(pool, conv, expected, []);
            var ws = new ConvWorkspace();
            for (int call = 0; call < 2; call++) // the second call reuses the workspace's packed kernel
            {
                var y = new float[expected.Length];
                be.ConvPoolInfer(s, x, w, b, 1, act, c.F, pool, y, ws);
                AssertSameBits(expected, y, $"{c.Label}, call {call}");
            }
            var fresh = new float[expected.Length];
            be.ConvPoolInfer(s, x, w, b, -1, act, c.F, pool, fresh, null);
            AssertSameBits(expected, fresh, $"{c.Label}, no workspace");
        }
    }

    [Fact]
    public void RefusesWhatItCannotFuse()
    {
        var be = new CpuBackend();
        var s = ConvSpec.Create(1, 6, 6, 2, 3, 3, 1, 1, 1, 1, 1, "valid");
        var x = new float[s.InputLength];
        var w = new float[s.KernelLength(4)];
        var pool = ConvGeometry.Create(1, 4, 4, 4, 2, 2, 2, 2, "valid");
        var y = new float[16];
        var e = Assert.Throws<ArgumentException>(() => be.ConvPoolInfer(s, x, w, null, -1, ActivationKind.Sigmoid, 4, pool, y, null));
        Assert.Contains("linear or ReLU", e.Message);
        var wrong = ConvGeometry.Create(1, 5, 4, 4, 2, 2, 2, 2, "valid");
        e = Assert.Throws<ArgumentException>(() => be.ConvPoolInfer(s, x, w, null, -1, ActivationKind.Relu, 4, wrong, y, null));
        Assert.Contains("does not read the output", e.Message);
        Assert.Throws<ArgumentException>(() => be.ConvPoolInfer(s, x, w, null, -1, ActivationKind.Relu, 4, pool, new float[15], null));
    }

    private static Sequential Model()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(7);
        var m = new Sequential();
        m.Add(new Conv2D(5, (3, 3), activation: "relu", inputShape: (23, 25, 3)));   // fused with the pool after it
        m.Add(new MaxPooling2D((2, 2)));
        m.Add(new Conv2D(40, (3, 3), padding: "same"));                               // linear: fused
        m.Add(new MaxPooling2D((2, 3), strides: (2, 3)));
        m.Add(new Conv2D(8, (2, 2), activation: "tanh"));                             // tanh: runs unfused
        m.Add(new MaxPooling2D((1, 1)));
        m.Add(new Conv2D(6, (1, 1), activation: "relu"));
        m.Add(new MaxPooling2D((2, 2), strides: (1, 1)));                             // overlapping: not a pair
        m.Add(new Flatten());
        m.Add(new Dense(3, activation: "softmax"));
        return m;
    }

    [Fact]
    public void ModelPredictEqualsUnfusedLayers()
    {
        var m = Model();
        var x = Synthetic.Uniform(new Random(8), -1f, 1f, [3, 23, 25, 3]);
        var fused = m.Predict(x).ToArray();
        var g = m.Graph!;
        Assert.Equal(3, g.FusablePoolPairs);
        g.FusesPooling = false;
        try
        {
            AssertSameBits(m.Predict(x).ToArray(), fused, "model");
            // Training passes never fuse: a training forward equals an unfused inference forward here (no dropout).
            var single = Synthetic.Uniform(new Random(9), -1f, 1f, [1, 23, 25, 3]);
            var unfused1 = m.Predict(single).ToArray();
            g.FusesPooling = true;
            AssertSameBits(unfused1, m.Predict(single).ToArray(), "model, batch 1");
        }
        finally { g.FusesPooling = true; }
    }

    [Fact]
    public void PoolReadBySomethingElseIsNotFused()
    {
        KerasBackend.ClearSession();
        var input = Keras.Input(shape: (8, 8, 2));
        var conv = new Conv2D(4, (3, 3), activation: "relu").Apply(input);
        var pooled = new MaxPooling2D((2, 2)).Apply(conv);
        var model = new Model([input], [pooled, conv]);
        var x = Synthetic.Uniform(new Random(10), -1f, 1f, [2, 8, 8, 2]);
        var outs = model.PredictOnBatch(x);
        Assert.Equal(0, model.Graph!.FusablePoolPairs);
        Assert.Equal([2, 3, 3, 4], outs[0].Shape);
        Assert.Equal([2, 6, 6, 4], outs[1].Shape);
    }
}
