using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using Xunit.Abstractions;

namespace KerasNet.Tests.Layers;

/// <summary>
/// Every Keras activation by name: value and derivative against PyTorch's own functions (float64), finite
/// differences through the Activation layer and through Dense and Conv2D (whose fused relu/linear path must stay
/// as it was), the two hard sigmoids, and the names in every Keras spelling.
/// </summary>
public class ActivationTests(ITestOutputHelper output)
{
    /// <summary>Every name of the catalogue (one spelling each; aliases are checked separately).</summary>
    public static readonly string[] Names =
    [
        "linear", "relu", "relu6", "leaky_relu", "sigmoid", "hard_sigmoid", Activations.HardSigmoidKeras3, "softmax",
        "log_softmax", "tanh", "elu", "selu", "softplus", "softsign", "swish", "gelu", Activations.GeluApproximate,
        "exponential", "mish", "hard_swish",
    ];

    /// <summary>Where each function's value or derivative jumps (finite differences across them are meaningless).</summary>
    internal static float[] Kinks(string name) => name switch
    {
        "relu" or "leaky_relu" or "selu" => [0f],
        "relu6" => [0f, 6f],
        "hard_sigmoid" => [-2.5f, 2.5f],
        Activations.HardSigmoidKeras3 or "hard_swish" => [-3f, 3f],
        _ => [],
    };

    public static TheoryData<string> AllNames()
    {
        var d = new TheoryData<string>();
        foreach (var n in Names) d.Add(n);
        return d;
    }

    /// <summary>Rows of 301 values: a sweep of [-8, 8] off every kink, then tails out to +-30 (saturation, overflow guards).</summary>
    private static Tensor Sweep()
    {
        var rng = new Random(11);
        var x = new Tensor(3, 301);
        float[] tails = [-30f, -20f, -15f, -12f, -9.5f, 9.5f, 12f, 15f, 20f, 30f];
        for (int i = 0; i < x.Length; i++)
            x[i] = i % 301 < tails.Length ? tails[i % 301] * (i < 301 ? 1 : 0.7f) : (float)(-8 + 16 * rng.NextDouble());
        return x;
    }

    [SkippableFact]
    public void EveryActivationAndItsDerivativeMatchPyTorch()
    {
        var x = Sweep();
        var r = ActsOracle.Uniform(new Random(12), -1, 1, x.Shape);
        var cases = Names.Select(n => new ActsOracle.Case(n, new Activation(n), x, r, new JsonObject { ["kind"] = "act", ["name"] = n })).ToList();
        foreach (var (name, d) in ActsOracle.CompareAll(cases)) output.WriteLine($"{name,-20} max |diff| {d:E2}");
    }

    /// <summary>Dense and Conv2D with each activation: forward, dx, dW, db against torch (Dense), and finite differences.</summary>
    [SkippableFact]
    public void DenseWithEveryActivationMatchesPyTorch()
    {
        var cases = new List<ActsOracle.Case>();
        var rng = new Random(13);
        foreach (var n in Names)
        {
            var dense = new Dense(6, activation: n);
            dense.Build([5]);
            foreach (var w in dense.Weights)
                for (int i = 0; i < w.Size; i++) w.Value[i] = (float)(rng.NextDouble() * 2 - 1);
            var x = ActsOracle.Uniform(rng, -2, 2, 7, 5);
            cases.Add(new(n, dense, x, ActsOracle.Uniform(rng, -1, 1, 7, 6), new JsonObject { ["kind"] = "dense", ["activation"] = n }));
        }
        foreach (var (name, d) in ActsOracle.CompareAll(cases)) output.WriteLine($"dense {name,-20} max |diff| {d:E2}");
    }

    /// <summary>Inputs over [-4, 4], so every kink of the catalogue (0, +-2.5, +-3) lies among them.</summary>
    [Theory]
    [MemberData(nameof(AllNames))]
    public void ActivationLayerGradientsMatchFiniteDifferences(string name)
    {
        var rng = new Random(21);
        var layer = new Activation(name);
        var x = ActsOracle.Uniform(rng, -4, 4, 3, 8);
        layer.Build([8]);
        KinkAwareGradientCheck.Check($"activation {name}", layer, null, x, ActsOracle.Uniform(rng, -1, 1, 3, 8), Kinks(name));
    }

    [Theory]
    [MemberData(nameof(AllNames))]
    public void DenseAndConv2DGradientsMatchFiniteDifferences(string name)
    {
        var rng = new Random(22);
        KerasRandom.SetRandomSeed(22);
        var dense = new Dense(4, activation: name);
        var denseLinear = new Dense(4);
        dense.Build([6]);
        denseLinear.Build([6]);
        KinkAwareGradientCheck.Check($"dense {name}", dense, denseLinear, ActsOracle.Uniform(rng, -2, 2, 3, 6), ActsOracle.Uniform(rng, -1, 1, 3, 4), Kinks(name));
        var conv = new Conv2D(3, (2, 2), activation: name);
        var convLinear = new Conv2D(3, (2, 2));
        conv.Build([4, 4, 2]);
        convLinear.Build([4, 4, 2]);
        foreach (var b in conv.Weights.Where(w => w.Name == "bias")) for (int i = 0; i < b.Size; i++) b.Value[i] = (float)(rng.NextDouble() - 0.5);
        KinkAwareGradientCheck.Check($"conv2d {name}", conv, convLinear, ActsOracle.Uniform(rng, -2, 2, 2, 4, 4, 2), ActsOracle.Uniform(rng, -1, 1, 2, 3, 3, 3), Kinks(name));
    }

    /// <summary>tf.keras 2.x's hard sigmoid is 0.2x + 0.5 clipped, Keras 3's relu6(x + 3) / 6: they differ away from 0.</summary>
    [Fact]
    public void HardSigmoidHasTheTfKeras2AndTheKeras3Formula()
    {
        float[] xs = [-4f, -2.9f, -2.6f, -1f, -0.25f, 0f, 0.3f, 1f, 2.4f, 2.6f, 2.9f, 3.5f];
        var x = new Tensor(xs, 1, xs.Length);
        var tf2 = new Activation("hard_sigmoid").Call(x).ToArray();
        var k3 = new Activation(Activations.HardSigmoidKeras3).Call(x).ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            Assert.Equal(Math.Clamp(0.2 * xs[i] + 0.5, 0, 1), tf2[i], 6);
            Assert.Equal(Math.Clamp(xs[i] + 3.0, 0, 6) / 6, k3[i], 6);
        }
        Assert.NotEqual(tf2[7], k3[7], 3); // x = 1: 0.7 against 0.6667
        Assert.Equal(ActivationKind.HardSigmoid, Activations.Parse("hard_sigmoid"));
        Assert.Equal(ActivationKind.HardSigmoid, new Dense(2, activation: "hard_sigmoid").Activation); // C#: tf.keras 2.4's
    }

    [Fact]
    public void NamesParseInEveryKerasSpellingAndRoundTrip()
    {
        Assert.Equal(ActivationKind.Linear, Activations.Parse(null));
        Assert.Equal(ActivationKind.Linear, Activations.Parse(""));
        Assert.Equal(ActivationKind.Swish, Activations.Parse("silu"));
        Assert.Equal(ActivationKind.HardSwish, Activations.Parse("hard_silu"));
        Assert.Equal(ActivationKind.HardSwish, Activations.Parse("hard_swish"));
        Assert.Equal(ActivationKind.GeluTanh, Activations.Parse("gelu_new"));
        foreach (var kind in Enum.GetValues<ActivationKind>())
        {
            Assert.Equal(kind, Activations.Parse(Activations.Name(kind)));
            if (kind != ActivationKind.HardSigmoid) Assert.Equal(kind, Activations.Parse(Activations.Keras3Name(kind, "test"), "3.11.3"));
        }
        Assert.Equal(ActivationKind.HardSigmoidKeras3, Activations.Parse("hard_sigmoid", "3.11.3"));
        Assert.Equal(ActivationKind.HardSigmoidKeras3, Activations.Parse("hard_sigmoid", "3"));
        Assert.Equal(ActivationKind.HardSigmoid, Activations.Parse("hard_sigmoid", "2.15.0"));
        Assert.Equal(ActivationKind.HardSigmoid, Activations.Parse("hard_sigmoid", "1.2.2"));
        Assert.Equal(ActivationKind.HardSigmoid, Activations.Parse("hard_sigmoid", "2.4.0-tf"));
        var e = Assert.Throws<KerasNetException>(() => Activations.Parse("crelu"));
        Assert.Contains("crelu", e.Message);
        Assert.Contains("gelu", e.Message);
        Assert.Throws<KerasNetException>(() => new Dense(3, activation: "Relu")); // Keras names are case-sensitive
        Assert.Throws<KerasNetException>(() => Activations.Keras3Name(ActivationKind.HardSigmoid, "layer 'x'"));
    }

    /// <summary>relu and linear keep Dense's fused output pass and copy nothing; gelu keeps its pre-activation in the call.</summary>
    [Fact]
    public void OnlyActivationsThatNeedTheirInputKeepIt()
    {
        var x = ActsOracle.Uniform(new Random(3), -1, 1, 4, 5);
        foreach (var (name, keeps) in new[] { ("relu", false), ("linear", false), ("tanh", false), ("sigmoid", false), ("gelu", true), ("swish", true), ("mish", true) })
        {
            var dense = new Dense(3, activation: name);
            dense.Build([5]);
            var ctx = new CallContext();
            dense.Call(ctx, x, training: true);
            Assert.Equal(keeps, ctx._logits != null);
            Assert.Equal(name is "relu" or "linear", dense.Stage.FusableIntoOutput(ctx));
        }
        var y = new float[8];
        Assert.Throws<ArgumentException>(() => Backend.Current.ActivationBackward(new float[8], y, 8, 8, ActivationKind.Gelu));
    }

    /// <summary>The vector kernels compute the tail of a buffer (past the last full SIMD vector) like the rest.</summary>
    [Theory]
    [InlineData("gelu")]
    [InlineData("mish")]
    [InlineData("selu")]
    public void EveryLengthGivesTheSameValuesElementByElement(string name)
    {
        var full = ActsOracle.Uniform(new Random(5), -4, 4, 1, 67);
        var all = new Activation(name).Call(full).ToArray();
        for (int n = 1; n < 67; n += 5)
        {
            var part = new Tensor(full.Span[..n].ToArray(), 1, n);
            Assert.Equal(all[..n], new Activation(name).Call(part).ToArray());
        }
    }
}
