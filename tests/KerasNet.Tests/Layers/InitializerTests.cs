#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Saving;

namespace KerasNet.Tests.Layers;

/// <summary>
/// Every Keras initializer: its distribution (statistically, with fixed seeds: TensorFlow's random bits cannot be
/// matched), its names and aliases, and its config as tf.keras 2.4 and Keras 3 write it.
/// </summary>
public class InitializerTests
{
    private static float[] Draw(Initializer init, params int[] shape)
    {
        var v = new float[shape.Aggregate(1, (a, d) => a * d)];
        init.Fill(v, shape);
        return v;
    }

    private static (double Mean, double Std) Stats(float[] v)
    {
        double mean = v.Average(x => (double)x);
        return (mean, Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / v.Length));
    }

    private static void Near(double expected, double actual, double tol, string what) =>
        Assert.True(Math.Abs(expected - actual) <= tol, $"{what}: expected {expected} ± {tol}, got {actual}");

    [Fact]
    public void ConstantsFillExactly()
    {
        Assert.All(Draw(new Zeros(), 3, 4), v => Assert.Equal(0f, v));
        Assert.All(Draw(new Ones(), 5), v => Assert.Equal(1f, v));
        Assert.All(Draw(new Constant(0.25), 2, 2, 3), v => Assert.Equal(0.25f, v));
        Assert.Equal(new[] { 0.5f, 0, 0, 0, 0, 0.5f, 0, 0, 0, 0, 0.5f, 0 }, Draw(new Identity(0.5), 3, 4));
        Assert.Throws<KerasNetException>(() => Draw(new Identity(), 3, 3, 2, 2));
    }

    // 60,000 draws: the standard error of a mean is 0.4% of the spread, so these tolerances are about 5 of them.
    [Fact]
    public void RandomUniformStaysInItsBoundsWithTheUniformMeanAndSpread()
    {
        var v = Draw(new RandomUniform(-0.3, 0.7, seed: 1), 200, 300);
        Assert.True(v.Min() >= -0.3f && v.Max() < 0.7f, $"range [{v.Min()}, {v.Max()}]");
        var (mean, std) = Stats(v);
        Near(0.2, mean, 0.006, "mean");
        Near(1 / Math.Sqrt(12), std, 0.004, "std");
    }

    [Fact]
    public void RandomNormalHasItsMeanAndStddevAndIsNotTruncated()
    {
        var v = Draw(new RandomNormal(mean: 0.5, stddev: 2, seed: 2), 200, 300);
        var (mean, std) = Stats(v);
        Near(0.5, mean, 0.04, "mean");
        Near(2, std, 0.03, "std");
        double beyond = v.Count(x => Math.Abs(x - 0.5) > 4) / (double)v.Length; // 4.55% for a normal
        Near(0.0455, beyond, 0.005, "share beyond 2 stddev");
    }

    [Fact]
    public void TruncatedNormalRedrawsBeyondTwoStddev()
    {
        var v = Draw(new TruncatedNormal(mean: -1, stddev: 0.5, seed: 3), 200, 300);
        Assert.True(v.Min() >= -2f && v.Max() <= 0f, $"range [{v.Min()}, {v.Max()}]");
        var (mean, std) = Stats(v);
        Near(-1, mean, 0.01, "mean");
        Near(0.5 * 0.87962566103423978, std, 0.005, "std"); // a unit normal truncated at ±2 has std 0.8796
        Assert.True(v.Count(x => Math.Abs(x + 1) > 0.9) > 0.02 * v.Length, "the tails up to 2 stddev are there");
    }

    [Theory]
    // distribution, mode, scale, n for a (5, 5, 64, 128) kernel: fan_in 1600 (5x5x64), fan_out 3200, fan_avg 2400.
    // 204,800 draws: standard errors are 0.22% (mean) and 0.16% (spread) of the spread.
    [InlineData("truncated_normal", "fan_in", 2.0, 1600)]
    [InlineData("truncated_normal", "fan_out", 0.5, 3200)]
    [InlineData("untruncated_normal", "fan_avg", 1.0, 2400)]
    [InlineData("uniform", "fan_in", 3.0, 1600)]
    [InlineData("uniform", "fan_avg", 1.0, 2400)]
    public void VarianceScalingHasVarianceScaleOverN(string distribution, string mode, double scale, double n)
    {
        var v = Draw(new VarianceScaling(scale, mode, distribution, seed: 4), 5, 5, 64, 128);
        double std = Math.Sqrt(scale / n);
        var (mean, actual) = Stats(v);
        Near(0, mean, 0.012 * std, "mean");
        Near(std, actual, 0.01 * std, "std");
        double bound = distribution switch { "uniform" => Math.Sqrt(3) * std, "truncated_normal" => 2 * std / 0.87962566103423978, _ => double.PositiveInfinity };
        Assert.True(v.All(x => Math.Abs(x) <= bound + 1e-6), $"a value beyond {bound}");
        if (distribution == "untruncated_normal") Assert.Contains(v, x => Math.Abs(x) > 2.5 * std);
    }

    [Fact]
    public void VarianceScalingChecksItsArgumentsAndReadsTheLegacyNormal()
    {
        Assert.Equal("truncated_normal", new VarianceScaling(distribution: "normal").Distribution);
        Assert.Throws<KerasNetException>(() => new VarianceScaling(scale: 0));
        Assert.Throws<KerasNetException>(() => new VarianceScaling(mode: "fan_sum"));
        Assert.Throws<KerasNetException>(() => new VarianceScaling(distribution: "cauchy"));
    }

    [Theory]
    // class, std from (fan_in, fan_out) = (400, 100), uniform?
    [InlineData("GlorotUniform", 0.0632455532, true)]  // sqrt(2 / 500)
    [InlineData("GlorotNormal", 0.0632455532, false)]
    [InlineData("HeUniform", 0.0707106781, true)]      // sqrt(2 / 400)
    [InlineData("HeNormal", 0.0707106781, false)]
    [InlineData("LecunUniform", 0.05, true)]           // sqrt(1 / 400)
    [InlineData("LecunNormal", 0.05, false)]
    public void NamedVarianceScalingFormsHaveTheirSpread(string name, double std, bool uniform)
    {
        KerasRandom.SetRandomSeed(5);
        var init = Initializer.Get(name);
        Assert.IsAssignableFrom<VarianceScaling>(init);
        var v = Draw(init, 400, 100);
        Near(std, Stats(v).Std, 0.012 * std, "std");
        double bound = uniform ? Math.Sqrt(3) * std : 2 * std / 0.87962566103423978;
        Assert.True(v.All(x => Math.Abs(x) <= bound + 1e-6), $"a value beyond {bound}");
    }

    [Theory]
    [InlineData(50, 20)]
    [InlineData(20, 50)]
    [InlineData(7, 7)]
    [InlineData(200, 70)] // more than one 32-column block: the GEMM projections run
    [InlineData(70, 200)]
    public void OrthogonalGivesOrthonormalColumnsOrRowsTimesGain(int rows, int cols)
    {
        var w = Draw(new Orthogonal(gain: 2, seed: 6), rows, cols);
        bool tall = rows >= cols;
        int k = Math.Min(rows, cols), n = Math.Max(rows, cols);
        double At(int vec, int i) => tall ? w[i * cols + vec] : w[vec * cols + i];
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
            {
                double dot = 0;
                for (int i = 0; i < n; i++) dot += At(a, i) * At(b, i);
                Near(a == b ? 4 : 0, dot, 1e-5, $"<{a},{b}>");
            }
    }

    [Fact]
    public void OrthogonalFlattensAConvKernelAndRepeatsUnderItsSeed()
    {
        var w = Draw(new Orthogonal(seed: 8), 3, 3, 4, 8); // a (36, 8) matrix with orthonormal columns
        for (int a = 0; a < 8; a++)
        {
            double norm = 0;
            for (int i = 0; i < 36; i++) norm += w[i * 8 + a] * w[i * 8 + a];
            Near(1, norm, 1e-5, $"column {a}");
        }
        Assert.Equal(w, Draw(new Orthogonal(seed: 8), 3, 3, 4, 8));
        Assert.NotEqual(w, Draw(new Orthogonal(seed: 9), 3, 3, 4, 8));
        Assert.Throws<KerasNetException>(() => Draw(new Orthogonal(), 5));
    }

    [Fact]
    public void SeededInitializersRepeatAndUnseededOnesFollowTheGlobalSeed()
    {
        Assert.Equal(Draw(new RandomNormal(seed: 11), 50), Draw(new RandomNormal(seed: 11), 50));
        Assert.NotEqual(Draw(new RandomNormal(seed: 11), 50), Draw(new RandomNormal(seed: 12), 50));
        float[] Unseeded(int s) { KerasRandom.SetRandomSeed(s); return Draw(new TruncatedNormal(), 50); }
        Assert.Equal(Unseeded(3), Unseeded(3));
        Assert.NotEqual(Unseeded(3), Unseeded(4));
    }

    [Theory]
    [InlineData("zeros", "Zeros"), InlineData("zero", "Zeros"), InlineData("ones", "Ones"), InlineData("one", "Ones")]
    [InlineData("constant", "Constant"), InlineData("uniform", "RandomUniform"), InlineData("random_uniform", "RandomUniform")]
    [InlineData("normal", "RandomNormal"), InlineData("random_normal", "RandomNormal"), InlineData("truncated_normal", "TruncatedNormal")]
    [InlineData("variance_scaling", "VarianceScaling"), InlineData("glorot_uniform", "GlorotUniform"), InlineData("glorot_normal", "GlorotNormal")]
    [InlineData("he_uniform", "HeUniform"), InlineData("he_normal", "HeNormal"), InlineData("lecun_uniform", "LecunUniform")]
    [InlineData("lecun_normal", "LecunNormal"), InlineData("orthogonal", "Orthogonal"), InlineData("OrthogonalInitializer", "Orthogonal")]
    [InlineData("identity", "Identity"), InlineData("GlorotUniformV2", "GlorotUniform"), InlineData("RandomNormal", "RandomNormal")]
    public void KerasNamesAndAliasesResolve(string name, string className) => Assert.Equal(className, Initializer.Get(name).ClassName);

    [Fact]
    public void AnUnknownNameThrowsInCodeButAConfigKeepsIt()
    {
        var e = Assert.Throws<KerasNetException>(() => Initializer.Get("he_normall"));
        Assert.Contains("Unknown initializer 'he_normall'", e.Message);
        var u = Assert.IsType<UnknownInitializer>(Initializer.FromJson(JsonValue.Create("he_normall")));
        Assert.Equal("he_normall", u.ClassName);
        Assert.Equal("\"he_normall\"", PyJson.Dumps(u.ToKeras2Json()));
    }

    [Theory]
    [InlineData("RandomUniform", """{"minval": -0.05, "maxval": 0.05, "seed": null}""", """{"seed": null, "minval": -0.05, "maxval": 0.05}""")]
    [InlineData("RandomNormal", """{"mean": 0.0, "stddev": 0.05, "seed": null}""", """{"seed": null, "mean": 0.0, "stddev": 0.05}""")]
    [InlineData("TruncatedNormal", """{"mean": 0.0, "stddev": 0.05, "seed": null}""", """{"seed": null, "mean": 0.0, "stddev": 0.05}""")]
    [InlineData("VarianceScaling", """{"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal", "seed": null}""",
        """{"seed": null, "scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal"}""")]
    [InlineData("GlorotUniform", """{"seed": null}""", """{"seed": null}""")]
    [InlineData("HeNormal", """{"seed": null}""", """{"seed": null}""")]
    [InlineData("Orthogonal", """{"gain": 1.0, "seed": null}""", """{"seed": null, "gain": 1.0}""")]
    [InlineData("Identity", """{"gain": 1.0}""", """{"gain": 1.0}""")]
    [InlineData("Constant", """{"value": 0.0}""", """{"value": 0.0}""")]
    [InlineData("Zeros", "{}", "{}")]
    [InlineData("Ones", "{}", "{}")]
    public void DefaultConfigsAreTfKeras24sAndKeras3sFields(string name, string keras2, string keras3)
    {
        var init = Initializer.Get(name);
        Assert.Equal(keras2, PyJson.Dumps(init.GetConfig()));
        Assert.Equal($$"""{"class_name": "{{name}}", "config": {{keras2}}}""", PyJson.Dumps(init.ToKeras2Json()));
        Assert.Equal($$"""{"module": "keras.initializers", "class_name": "{{name}}", "config": {{keras3}}, "registered_name": null}""",
            PyJson.Dumps(init.ToKeras3Json()));
    }

    [Fact]
    public void ConfigsReadKeepTheirSpellingAndKeras24sNormalisation()
    {
        // Python keeps RandomUniform(-1, 1)'s ints; tf.keras 2.4 writes the legacy "normal" as "truncated_normal" and drops 2.2.4-tf's dtype.
        var u = Initializer.FromJson(JsonNode.Parse("""{"class_name": "RandomUniform", "config": {"minval": -1, "maxval": 1, "seed": 3}}"""))!;
        Assert.Equal("""{"minval": -1, "maxval": 1, "seed": 3}""", PyJson.Dumps(u.GetConfig()));
        Assert.Equal((-1.0, 1.0, 3), (((RandomUniform)u).Minval, ((RandomUniform)u).Maxval, ((RandomUniform)u).Seed));
        var vs = Initializer.FromJson(JsonNode.Parse("""{"class_name": "VarianceScaling", "config": {"scale": 2, "mode": "fan_avg", "distribution": "normal", "seed": null, "dtype": "float32"}}"""))!;
        Assert.Equal("""{"scale": 2, "mode": "fan_avg", "distribution": "truncated_normal", "seed": null}""", PyJson.Dumps(vs.GetConfig()));
        var k3 = Initializer.FromJson(JsonNode.Parse("""{"module": "keras.initializers", "class_name": "OrthogonalInitializer", "config": {"seed": 5, "gain": 1.5}, "registered_name": null}"""))!;
        Assert.Equal("""{"class_name": "Orthogonal", "config": {"gain": 1.5, "seed": 5}}""", PyJson.Dumps(k3.ToKeras2Json()));
        Assert.Equal("""{"module": "keras.initializers", "class_name": "OrthogonalInitializer", "config": {"seed": 5, "gain": 1.5}, "registered_name": null}""", PyJson.Dumps(k3.ToKeras3Json()));
    }

    [Fact]
    public void UnknownClassesAreKeptExactlyInEveryForm()
    {
        const string k2 = """{"class_name": "Custom>MyInit", "config": {"scale": 3, "tags": ["a", {"b": null}]}}""";
        var a = Assert.IsType<UnknownInitializer>(Initializer.FromJson(JsonNode.Parse(k2)));
        Assert.Equal("Custom>MyInit", a.ClassName);
        Assert.Equal("""{"scale": 3, "tags": ["a", {"b": null}]}""", PyJson.Dumps(a.GetConfig()));
        Assert.Equal(k2, PyJson.Dumps(a.ToKeras2Json()));
        Assert.Equal("""{"module": null, "class_name": "Custom>MyInit", "config": {"scale": 3, "tags": ["a", {"b": null}]}, "registered_name": "Custom>MyInit"}""",
            PyJson.Dumps(a.ToKeras3Json()));
        // A Keras 3 custom class, even one named like a built-in: its module says it is someone else's.
        const string k3 = """{"module": "my_models.inits", "class_name": "RandomNormal", "config": {"k": 1.0}, "registered_name": "Custom>RandomNormal"}""";
        var b = Assert.IsType<UnknownInitializer>(Initializer.FromJson(JsonNode.Parse(k3)));
        Assert.Equal(k3, PyJson.Dumps(b.ToKeras3Json()));
        Assert.Equal("""{"class_name": "Custom>RandomNormal", "config": {"k": 1.0}}""", PyJson.Dumps(b.ToKeras2Json()));
        Assert.Equal("Custom>RandomNormal", b.LeavesUninitialized);
        Assert.All(Draw(b, 4, 4), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void MalformedFieldsOfKnownClassesNameTheClassAndField()
    {
        var e = Assert.Throws<KerasNetException>(() => Initializer.FromJson(JsonNode.Parse("""{"class_name": "RandomNormal", "config": {"stddev": "wide"}}""")));
        Assert.Equal("RandomNormal: field 'stddev' should be a finite number, got \"wide\".", e.Message);
        Assert.Throws<KerasNetException>(() => Initializer.FromJson(JsonNode.Parse("[1, 2]")));
    }

    [Fact]
    public void AStringConvertsToAnInitializerForLayerArguments()
    {
        KerasBackend.ClearSession();
        var d = new Dense(3, kernelInitializer: "he_normal", biasInitializer: new Constant(0.5));
        Assert.IsType<HeNormal>(d.KernelInitializer);
        d.Build([4]);
        Assert.All(d.Bias!.Value.ToArray(), v => Assert.Equal(0.5f, v));
        Assert.IsType<GlorotUniform>(new Dense(2).KernelInitializer);
        Assert.IsType<Zeros>(new Conv2D(2, (3, 3)).BiasInitializer);
    }
}
