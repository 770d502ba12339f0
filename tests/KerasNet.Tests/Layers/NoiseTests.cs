using KerasNet.Engine;
using KerasNet.Engine.Kernels;
using KerasNet.Layers;

namespace KerasNet.Tests.Layers;

/// <summary>
/// The dropout and noise layers: the identity at inference; Keras's training behaviour checked statistically on large
/// samples (bounds several standard errors wide, so a correct layer never fails and a wrong rate, scale, variance or
/// affine correction always does); whole channels dropped by the spatial dropouts; the gradient equal to the mask;
/// seeded reproducibility; and the random kernels themselves.
/// </summary>
public class NoiseTests
{
    private static Tensor Constant(float v, params int[] shape)
    {
        var t = new Tensor(shape);
        t.Span.Fill(v);
        return t;
    }

    /// <summary>Standard normal samples (Box-Muller on System.Random, independent of the layers' kernels).</summary>
    private static Tensor Normal(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++)
            t[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
        return t;
    }

    private static (double Mean, double Var) Moments(ReadOnlySpan<float> v)
    {
        double s = 0, s2 = 0;
        foreach (float f in v) { s += f; s2 += (double)f * f; }
        double m = s / v.Length;
        return (m, s2 / v.Length - m * m);
    }

    public static TheoryData<string> Layers() => new() { "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout" };

    private static Layer Make(string name, int? seed = null) => name switch
    {
        "Dropout" => new Dropout(0.4, seed),
        "SpatialDropout1D" => new SpatialDropout1D(0.4, seed),
        "GaussianNoise" => new GaussianNoise(0.5, seed),
        "GaussianDropout" => new GaussianDropout(0.4, seed),
        "AlphaDropout" => new AlphaDropout(0.4, seed: seed),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void InferenceIsTheIdentityForValuesAndGradients(string name)
    {
        var layer = Make(name);
        layer.Build([5, 6]);
        var x = Normal(1, 3, 5, 6);
        var ctx = new CallContext();
        Assert.Equal(x.ToArray(), layer.Call(ctx, x, training: false).ToArray());
        var g = Normal(2, 3, 5, 6);
        Assert.Equal(g.ToArray(), layer.Backward(ctx, g, needInputGrad: true)!.ToArray());
    }

    /// <summary>The gradient is the mask: dL/dx = dy/dx * dL/dy with the multiplier the forward pass drew (1 for additive noise).</summary>
    [Theory]
    [MemberData(nameof(Layers))]
    public void TrainingGradientIsTheForwardMultiplier(string name)
    {
        var layer = Make(name, seed: 3);
        layer.Build([5, 6]);
        var x = Normal(4, 8, 5, 6);
        var ctx = new CallContext();
        var y = layer.Call(ctx, x, training: true).ToArray();
        var g = Normal(5, 8, 5, 6);
        var dx = layer.Backward(ctx, g, needInputGrad: true)!.ToArray();
        // y = m x + c element-wise: the same call on x + 1 gives m + y, so m = y(x + 1) - y(x) with the same draws.
        var again = Make(name, seed: 3);
        again.Build([5, 6]);
        var x1 = x.Clone();
        for (int i = 0; i < x1.Length; i++) x1[i] += 1;
        var y1 = again.Call(x1, training: true).ToArray();
        for (int i = 0; i < y.Length; i++) Assert.Equal((double)(y1[i] - y[i]) * g[i], dx[i], 1e-4);
    }

    [Fact]
    public void GaussianNoiseAddsZeroMeanNoiseOfTheStddev()
    {
        var layer = new GaussianNoise(0.5);
        var x = Constant(2f, 4, 50_000);
        var noise = layer.Call(x, training: true).ToArray().Select(v => v - 2f).ToArray();
        var (mean, variance) = Moments(noise);
        Assert.InRange(mean, -0.005, 0.005);          // standard error 0.5 / sqrt(200000) = 0.0011
        Assert.InRange(variance, 0.25 * 0.98, 0.25 * 1.02); // relative standard error sqrt(2 / n) = 0.3%
        double within = noise.Count(v => Math.Abs(v) < 0.5) / (double)noise.Length;
        Assert.InRange(within, 0.6827 - 0.005, 0.6827 + 0.005); // normal: P(|z| < 1); standard error 0.001
        double tail = noise.Count(v => Math.Abs(v) > 1.0) / (double)noise.Length;
        Assert.InRange(tail, 0.0455 - 0.002, 0.0455 + 0.002); // P(|z| > 2); standard error 0.0005
    }

    [Fact]
    public void GaussianDropoutMultipliesByOneCentredNoise()
    {
        const double rate = 0.3;
        var m = new GaussianDropout(rate).Call(Constant(1f, 4, 50_000), training: true).ToArray();
        var (mean, variance) = Moments(m);
        Assert.InRange(mean, 1 - 0.006, 1 + 0.006);
        Assert.InRange(variance, rate / (1 - rate) * 0.98, rate / (1 - rate) * 1.02);
    }

    /// <summary>Keras's formula: dropped units take a alpha' + b, kept ones a x + b, and N(0, 1) inputs stay N(0, 1) in mean and variance.</summary>
    [Fact]
    public void AlphaDropoutKeepsMeanAndVarianceWithKerasCorrection()
    {
        const double rate = 0.2;
        double alphaP = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;
        double a = Math.Pow((1 - rate) * (1 + rate * alphaP * alphaP), -0.5), b = -a * alphaP * rate;
        var x = Normal(6, 4, 50_000);
        var y = new AlphaDropout(rate).Call(x, training: true).ToArray();
        int dropped = 0;
        for (int i = 0; i < y.Length; i++)
        {
            if (Math.Abs(y[i] - (a * alphaP + b)) < 1e-6) dropped++; // (a kept x within 1e-6 / a of alpha' counts too: 0.0001% of them)
            else Assert.Equal(a * x[i] + b, y[i], 1e-5);
        }
        Assert.InRange(dropped / (double)y.Length, rate - 0.005, rate + 0.005); // standard error 0.0009
        var (mean, variance) = Moments(y);
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.98, 1.02);
    }

    [Fact]
    public void DropoutDropsTheRateAndKeepsTheExpectation()
    {
        var y = new Dropout(0.3).Call(Constant(1f, 4, 50_000), training: true).ToArray();
        Assert.InRange(y.Count(v => v == 0) / (double)y.Length, 0.3 - 0.005, 0.3 + 0.005);
        Assert.All(y.Where(v => v != 0), v => Assert.Equal(1 / 0.7, v, 1e-6));
    }

    /// <summary>Each (sample, channel) is kept or dropped as a whole, at the rate, for every data format and rank.</summary>
    [Theory]
    [InlineData(1, "channels_last")]
    [InlineData(2, "channels_last")]
    [InlineData(2, "channels_first")]
    [InlineData(3, "channels_last")]
    public void SpatialDropoutDropsWholeChannels(int dims, string format)
    {
        const double rate = 0.35;
        const int batch = 200, channels = 25, side = 3;
        Layer layer = dims switch
        {
            1 => new SpatialDropout1D(rate),
            2 => new SpatialDropout2D(rate, format),
            _ => new SpatialDropout3D(rate, format),
        };
        int positions = (int)Math.Pow(side, dims);
        int[] sample = format == "channels_last" ? [.. Enumerable.Repeat(side, dims), channels] : [channels, .. Enumerable.Repeat(side, dims)];
        layer.Build(sample);
        var x = Constant(1f, [batch, .. sample]);
        var ctx = new CallContext();
        var y = layer.Call(ctx, x, training: true).ToArray();
        int droppedChannels = 0;
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < channels; c++)
            {
                var values = Enumerable.Range(0, positions).Select(p => y[b * positions * channels + (format == "channels_last" ? p * channels + c : c * positions + p)]).ToArray();
                Assert.True(values.All(v => v == 0) || values.All(v => Math.Abs(v - 1 / (1 - rate)) < 1e-6), $"sample {b} channel {c}: {string.Join(", ", values)}");
                if (values[0] == 0) droppedChannels++;
            }
        Assert.InRange(droppedChannels / (double)(batch * channels), rate - 0.04, rate + 0.04); // 5000 draws: standard error 0.0067
        var g = Constant(2f, [batch, .. sample]);
        var dx = layer.Backward(ctx, g, needInputGrad: true)!.ToArray();
        for (int i = 0; i < y.Length; i++) Assert.Equal(2 * y[i], dx[i], 1e-5);
    }

    [Fact]
    public void DropoutNoiseShapeSharesTheMaskAlongItsOnes()
    {
        var layer = new Dropout(0.5, noiseShape: [null, 1, null]);
        var y = layer.Call(Constant(1f, 6, 7, 9), training: true).ToArray();
        for (int b = 0; b < 6; b++)
            for (int c = 0; c < 9; c++)
                for (int t = 1; t < 7; t++) Assert.Equal(y[b * 63 + c], y[b * 63 + t * 9 + c]);
        Assert.Contains(0f, y);
        Assert.Contains(2f, y);
        var shared = new AlphaDropout(0.5, noiseShape: [1, null]).Call(Constant(0f, 5, 40), training: true).ToArray();
        for (int b = 1; b < 5; b++) Assert.Equal(shared[..40], shared[(b * 40)..(b * 40 + 40)]); // one mask for the whole batch
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void SeedsRepeatAndCallsDrawNewNoise(string name)
    {
        var x = Normal(7, 4, 5, 6);
        float[] Run(Layer l) => l.Call(x, training: true).ToArray();
        var a = Make(name, seed: 11);
        var b = Make(name, seed: 11);
        foreach (var l in new[] { a, b }) l.Build([5, 6]);
        var first = Run(a);
        Assert.Equal(first, Run(b));                  // the same seed, the same noise
        Assert.NotEqual(first, Run(a));               // each call draws anew
        var c = Make(name, seed: 12);
        c.Build([5, 6]);
        Assert.NotEqual(first, Run(c));
        // Unseeded layers follow KerasRandom.SetRandomSeed.
        KerasRandom.SetRandomSeed(5);
        var u = Make(name);
        u.Build([5, 6]);
        var seeded = Run(u);
        KerasRandom.SetRandomSeed(5);
        Assert.Equal(seeded, Run(u));
    }

    [Fact]
    public void TrainingStepsAllocateNothingOnceWarm()
    {
        foreach (var name in new[] { "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout" })
        {
            var layer = Make(name, seed: 1);
            layer.Build([5, 6]);
            var x = Normal(8, 4, 5, 6);
            var ctx = new CallContext { Training = true };
            var sink = GradientSink.All();
            void Step() { layer.Forward(ctx, x); layer.Backward(ctx, x, true, sink); }
            for (int i = 0; i < 3; i++) Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 10; i++) Step();
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before == 0, $"{name} allocates in steady state");
        }
    }

    // ---- the kernels ----

    [Fact]
    public void UniformKernelIsUniformAndIndependentOfLength()
    {
        var u = new float[1 << 18];
        NoiseKernels.Uniform(u, 0x1234_5678_9abc_def0UL);
        var (mean, variance) = Moments(u);
        Assert.InRange(mean, 0.5 - 0.003, 0.5 + 0.003);
        Assert.InRange(variance, 1 / 12.0 * 0.99, 1 / 12.0 * 1.01);
        var bins = new int[64];
        foreach (float v in u) { Assert.InRange(v, 0f, 1f - 1e-9f); bins[(int)(v * 64)]++; }
        double expected = u.Length / 64.0, chi2 = bins.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.InRange(chi2, 20, 120); // 63 degrees of freedom: mean 63, standard deviation 11
        double lag = 0;
        for (int i = 1; i < u.Length; i++) lag += (u[i] - 0.5) * (u[i - 1] - 0.5);
        Assert.InRange(lag / (u.Length - 1) / (1 / 12.0), -0.01, 0.01); // neighbours uncorrelated (standard error 0.002)
        var part = new float[37];
        NoiseKernels.Uniform(part, 0x1234_5678_9abc_def0UL);
        Assert.Equal(u[..37], part); // the tail of a short buffer is the same numbers
        NoiseKernels.Uniform(part, 0x1234_5678_9abc_def1UL);
        Assert.NotEqual(u[..37], part);
    }

    [Fact]
    public void NormalKernelHasNormalMoments()
    {
        var z = new float[1 << 18];
        NoiseKernels.Normal(z, 42UL, 0f, 1f);
        var (mean, variance) = Moments(z);
        Assert.InRange(mean, -0.01, 0.01);
        Assert.InRange(variance, 0.99, 1.01);
        double kurtosis = z.Average(v => Math.Pow(v, 4));
        Assert.InRange(kurtosis, 3 * 0.97, 3 * 1.03);
        Assert.All(z, v => Assert.True(float.IsFinite(v)));
    }
}
