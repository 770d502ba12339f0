using KerasNet.Engine;
using KerasNet.Engine.Kernels;
using KerasNet.Layers;
using KerasNet.Optimizers;
using KerasNet.Tests.Engine;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Optimizers;

/// <summary>
/// Every element-wise optimizer at each vector width this machine runs (AVX-512, AVX2 + FMA, SSE/AdvSimd), forced
/// in-process through Gemm.Width: several steps over variables whose sizes leave every width a ragged tail give the
/// widest width's weights and slots bit for bit (the steps use IEEE operations only, so the lane count must not
/// change a bit). The widest width is the one the oracle tests (OptimizerTorchTests, OptimizerOracleTests) check;
/// running them under DOTNET_EnableAVX512=0 / DOTNET_EnableAVX2=0 checks the narrower paths against the oracles too.
/// Gemm.Width is process-wide, so this class runs alone.
/// </summary>
[Collection(KerasNet.Tests.TestUtil.ProcessWideCollection.Name)]
public class OptimizerWidthTests
{
    private const int Steps = 5;

    private static readonly Dictionary<string, Func<Optimizer>> Optimizers = new()
    {
        ["sgd"] = () => new SGD(0.01),
        ["sgd-momentum"] = () => new SGD(0.05, momentum: 0.9),
        ["sgd-nesterov"] = () => new SGD(0.05, momentum: 0.9, nesterov: true),
        ["rmsprop"] = () => new RMSprop(0.001),
        ["rmsprop-centered"] = () => new RMSprop(0.01, centered: true),
        ["rmsprop-momentum"] = () => new RMSprop(0.01, rho: 0.8, momentum: 0.5, epsilon: 0.01),
        ["rmsprop-momentum-centered"] = () => new RMSprop(0.01, momentum: 0.5, centered: true),
        ["adagrad"] = () => new Adagrad(0.1),
        ["adadelta"] = () => new Adadelta(1.0),
        ["adamax"] = () => new Adamax(0.01),
        ["nadam"] = () => new Nadam(0.01),
        ["ftrl"] = () => new Ftrl(0.1, l1RegularizationStrength: 0.01),
        // A power other than -0.5 takes the per-lane pow through the stack buffer; shrinkage and l2 their terms.
        ["ftrl-power"] = () => new Ftrl(0.1, learningRatePower: -0.7, l1RegularizationStrength: 0.001, l2RegularizationStrength: 0.01,
            l2ShrinkageRegularizationStrength: 0.02, beta: 0.5),
        ["adam-amsgrad"] = () => new Adam(0.01, amsgrad: true),
        ["adamw-amsgrad"] = () => new AdamW(0.01, amsgrad: true),
    };

    public static TheoryData<int, string> Cases
    {
        get
        {
            var d = new TheoryData<int, string>();
            foreach (int w in GemmWidthTests.Widths)
                if ((VectorWidth)w != Simd.Detected)
                    foreach (var name in Optimizers.Keys) d.Add(w, name);
            if (d.Count == 0) d.Add(0, "none"); // one width only here (forced to 128 bits): nothing narrower to compare
            return d;
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void StepsEqualTheWidestWidthBitForBit(int width, string optimizer)
    {
        Oracle.SkipUnlessPlatform(width != 0, "this machine runs one vector width only");
        var (wantW, wantS) = Train(Simd.Detected, optimizer);
        var (gotW, gotS) = Train((VectorWidth)width, optimizer);
        AssertBits(wantW, gotW, $"{optimizer} weights at {(VectorWidth)width} against {Simd.Detected}");
        AssertBits(wantS, gotS, $"{optimizer} slots at {(VectorWidth)width} against {Simd.Detected}");
    }

    [Fact]
    public void TheWidestWidthDiffersFromNoStep()
    {
        // Guards the comparison above against a vacuous pass: the steps do move every weight that gets a gradient.
        foreach (var name in Optimizers.Keys)
        {
            var before = Weights(Layers(), out _);
            var (after, _) = Train(Simd.Detected, name);
            Assert.False(before.AsSpan().SequenceEqual(after), $"{name} left the weights unchanged");
        }
    }

    private static List<Dense> Layers()
    {
        // Kernels of 15, 63 and 400 floats, biases of 3, 7 and 10: ragged against 4, 8 and 16 lanes, and whole vectors.
        var layers = new List<Dense> { new(3, name: "w_a"), new(7, name: "w_b"), new(10, name: "w_c") };
        layers[0].Build([5]); layers[1].Build([9]); layers[2].Build([40]);
        return layers;
    }

    private static float[] Weights(List<Dense> layers, out List<Variable> vars)
    {
        vars = layers.SelectMany(l => l.TrainableWeights).ToList();
        var rng = new Random(11);
        foreach (var v in vars)
            for (int i = 0; i < v.Size; i++) v.Value[i] = (float)(rng.NextDouble() * 2 - 1);
        return vars.SelectMany(v => v.Value.Span.ToArray()).ToArray();
    }

    private static (float[] weights, float[] slots) Train(VectorWidth width, string name)
    {
        var saved = Gemm.Width;
        try
        {
            Gemm.Width = width;
            Weights(Layers(), out var vars);
            var opt = Optimizers[name]();
            var rng = new Random(23);
            for (int s = 0; s < Steps; s++)
            {
                foreach (var v in vars)
                    for (int i = 0; i < v.Size; i++)
                        // Zeros, small and large gradients of both signs: the clamps, thresholds and maxima all switch.
                        v.Grad[i] = i % 13 == 0 ? 0f : (float)((rng.NextDouble() * 2 - 1) * (i % 5 == 0 ? 10 : 0.1));
                opt.Apply(vars);
            }
            var weights = vars.SelectMany(v => v.Value.Span.ToArray()).ToArray();
            var slots = vars.SelectMany(v => opt.SlotsOf(v).SelectMany(x => x)).ToArray();
            return (weights, slots);
        }
        finally { Gemm.Width = saved; }
    }

    private static void AssertBits(float[] want, float[] got, string what)
    {
        Assert.Equal(want.Length, got.Length);
        for (int i = 0; i < want.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(want[i]) == BitConverter.SingleToInt32Bits(got[i]), $"{what}: element {i} is {got[i]}, want {want[i]}");
    }
}
