using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Tests.Layers;

public class DropoutTests
{
    private static (Dropout d, Tensor x) Make(double rate, int n = 20000)
    {
        KerasRandom.SetRandomSeed(21);
        var d = new Dropout(rate);
        d.Build([n]);
        var x = Models.Synthetic.Uniform(new Random(3), 0.5f, 1.5f, 1, n);
        return (d, x);
    }

    [Fact]
    public void InferenceIsTheIdentityAndPassesGradientsThrough()
    {
        var (d, x) = Make(0.4, 100);
        var ctx = new CallContext();
        var y = d.Call(ctx, x, training: false);
        Assert.Equal(x.ToArray(), y.ToArray());
        var g = Models.Synthetic.Uniform(new Random(4), -1, 1, 1, 100);
        Assert.Equal(g.ToArray(), d.Backward(ctx, g, needInputGrad: true)!.ToArray());
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.8)]
    public void TrainingDropsTheRateAndScalesSurvivorsByInverseKeepProbability(double rate)
    {
        var (d, x) = Make(rate);
        var ctx = new CallContext();
        var y = d.Call(ctx, x, training: true).ToArray();
        float scale = (float)(1 / (1 - rate));
        int dropped = 0;
        for (int i = 0; i < y.Length; i++)
        {
            if (y[i] == 0) dropped++;
            else Assert.Equal(x[i] * scale, y[i], 5);
        }
        double frac = (double)dropped / y.Length;
        Assert.InRange(frac, rate - 0.02, rate + 0.02); // 20000 draws: standard deviation < 0.0036
        Assert.InRange(y.Average(v => (double)v) / x.ToArray().Average(v => (double)v), 0.95, 1.05); // expectation kept

        // The gradient uses the same mask and scale.
        var g = Models.Synthetic.Uniform(new Random(5), -1, 1, x.Shape);
        var dx = d.Backward(ctx, g, needInputGrad: true)!.ToArray();
        for (int i = 0; i < y.Length; i++) Assert.Equal(y[i] == 0 ? 0f : g[i] * scale, dx[i], 5);
    }

    [Fact]
    public void EachTrainingCallDrawsANewMask()
    {
        var (d, x) = Make(0.5, 200);
        var a = d.Call(x, training: true).ToArray();
        var b = d.Call(x, training: true).ToArray();
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void RateOutsideZeroToOneIsRejected()
    {
        Assert.Throws<KerasNetException>(() => new Dropout(1.0));
        Assert.Throws<KerasNetException>(() => new Dropout(-0.1));
    }
}
