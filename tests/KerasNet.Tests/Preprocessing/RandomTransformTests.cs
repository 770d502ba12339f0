#nullable enable
using KerasNet.Engine;
using KerasNet.Preprocessing.Image;

namespace KerasNet.Tests.Preprocessing;

/// <summary>Over many draws, sampled rotation, shift, shear, zoom and flips follow the configured ranges.</summary>
public sealed class RandomTransformTests
{
    private const int Draws = 20000;

    private static void AssertUniform(IReadOnlyList<double> v, double lo, double hi, string what)
    {
        Assert.All(v, x => Assert.InRange(x, lo, hi));
        double width = hi - lo;
        Assert.True(v.Min() < lo + width * 0.01 && v.Max() > hi - width * 0.01, $"{what} does not reach its range ends");
        double mean = v.Average(), var = v.Sum(x => (x - mean) * (x - mean)) / v.Count;
        Assert.True(Math.Abs(mean - (lo + hi) / 2) < width * 0.01, $"{what} mean {mean}");
        Assert.True(Math.Abs(var / (width * width / 12) - 1) < 0.05, $"{what} variance {var}");
        var bins = new int[10];
        foreach (var x in v) bins[Math.Min(9, (int)((x - lo) / width * 10))]++;
        Assert.All(bins, b => Assert.InRange(b, v.Count / 10 * 0.9, v.Count / 10 * 1.1));
    }

    [Fact]
    public void ParametersFollowTheConfiguredRanges()
    {
        var gen = new ImageDataGenerator(rotationRange: 7, widthShiftRange: 0.1, heightShiftRange: 0.2, shearRange: 5,
            zoomRange: 0.2, horizontalFlip: true);
        var rng = new Random(42);
        var p = Enumerable.Range(0, Draws).Select(_ => gen.GetRandomTransform(64, 50, rng)).ToList();
        AssertUniform(p.Select(t => t.Theta).ToList(), -7, 7, "theta");
        AssertUniform(p.Select(t => t.Tx).ToList(), -0.2 * 64, 0.2 * 64, "tx (rows)");
        AssertUniform(p.Select(t => t.Ty).ToList(), -0.1 * 50, 0.1 * 50, "ty (columns)");
        AssertUniform(p.Select(t => t.Shear).ToList(), -5, 5, "shear");
        AssertUniform(p.Select(t => t.Zx).ToList(), 0.8, 1.2, "zx");
        AssertUniform(p.Select(t => t.Zy).ToList(), 0.8, 1.2, "zy");
        double mx = p.Average(t => t.Zx), my = p.Average(t => t.Zy);
        double corr = p.Sum(t => (t.Zx - mx) * (t.Zy - my)) / Math.Sqrt(p.Sum(t => (t.Zx - mx) * (t.Zx - mx)) * p.Sum(t => (t.Zy - my) * (t.Zy - my)));
        Assert.True(Math.Abs(corr) < 0.03, $"zx and zy are correlated ({corr})");
        Assert.InRange(p.Count(t => t.FlipHorizontal) / (double)Draws, 0.485, 0.515);
        Assert.DoesNotContain(p, t => t.FlipVertical);
    }

    [Fact]
    public void PixelShiftsExplicitZoomPairAndNoAugmentation()
    {
        var rng = new Random(7);
        var gen = new ImageDataGenerator(widthShiftRange: 6, zoomRange: (0.5, 0.9), verticalFlip: true);
        var p = Enumerable.Range(0, Draws).Select(_ => gen.GetRandomTransform(64, 64, rng)).ToList();
        AssertUniform(p.Select(t => t.Ty).ToList(), -6, 6, "ty in pixels");
        AssertUniform(p.Select(t => t.Zx).ToList(), 0.5, 0.9, "zx");
        Assert.All(p, t => Assert.Equal(0, t.Theta));
        Assert.InRange(p.Count(t => t.FlipVertical) / (double)Draws, 0.485, 0.515);
        Assert.DoesNotContain(p, t => t.FlipHorizontal);

        var none = new ImageDataGenerator(rescale: 0.5);
        Assert.False(none.Augments);
        Assert.Equal(new TransformParameters(), none.GetRandomTransform(8, 8, rng));
    }

    [Fact]
    public void SeededRandomTransformRepeats()
    {
        var gen = new ImageDataGenerator(rotationRange: 40, zoomRange: 0.3);
        var x = new Tensor(12, 10, 3);
        for (int i = 0; i < x.Length; i++) x[i] = i % 251;
        Assert.Equal(gen.RandomTransform(x, seed: 9).ToArray(), gen.RandomTransform(x, seed: 9).ToArray());
        Assert.NotEqual(gen.RandomTransform(x, seed: 9).ToArray(), gen.RandomTransform(x, seed: 10).ToArray());
    }
}
