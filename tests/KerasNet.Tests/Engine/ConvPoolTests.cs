using KerasNet.Engine;

namespace KerasNet.Tests.Engine;

/// <summary>
/// The backend's conv2d (forward, filter and input gradients) and pooling kernels against direct loops in double
/// precision over the NHWC definition, with TensorFlow's 'same' padding (extra pixel at the bottom/right).
/// </summary>
public class ConvPoolTests
{
    public static TheoryData<int, int, int, int, int, int, int, string> ConvCases => new()
    {
        // batch, h, w, c, k, stride, filters, padding
        { 2, 9, 7, 3, 3, 1, 32, "valid" }, { 1, 8, 8, 1, 3, 2, 5, "same" }, { 3, 6, 5, 32, 3, 1, 32, "same" },
        { 2, 7, 9, 3, 2, 2, 7, "valid" }, { 1, 5, 5, 32, 1, 1, 33, "valid" }, { 2, 11, 10, 32, 3, 2, 16, "valid" },
        { 8, 14, 14, 32, 3, 1, 32, "valid" }, { 1, 4, 4, 3, 5, 1, 4, "same" },
    };

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void ConvForwardAndGradientsMatchDirectLoops(int n, int h, int w, int c, int k, int s, int f, string padding)
    {
        var g = ConvGeometry.Create(n, h, w, c, k, k, s, s, padding);
        var x = EngineTestUtil.Random(n * h * w * c, 1); var kern = EngineTestUtil.Random(k * k * c * f, 2);
        var dy = EngineTestUtil.Random(g.Rows * f, 3);
        var be = Backend.Current;

        var y = new float[g.Rows * f];
        be.Conv2DForward(g, x, kern, f, y);
        var (yRef, yMag) = (new double[y.Length], new double[y.Length]);
        var (dwRef, dwMag) = (new double[kern.Length], new double[kern.Length]);
        var (dxRef, dxMag) = (new double[x.Length], new double[x.Length]);
        ForEachTap(g, f, (yi, xi, wi) =>
        {
            double p = (double)x[xi] * kern[wi];
            yRef[yi] += p; yMag[yi] += Math.Abs(p);
            double q = (double)x[xi] * dy[yi];
            dwRef[wi] += q; dwMag[wi] += Math.Abs(q);
            double r = (double)dy[yi] * kern[wi];
            dxRef[xi] += r; dxMag[xi] += Math.Abs(r);
        });
        EngineTestUtil.AssertClose(yRef, yMag, y, 1e-5, "conv forward");

        var dw = EngineTestUtil.Random(kern.Length, 9); // overwritten, not accumulated
        be.Conv2DBackwardFilter(g, x, dy, f, dw);
        EngineTestUtil.AssertClose(dwRef, dwMag, dw, 1e-5, "conv backward filter");

        var dx = EngineTestUtil.Random(x.Length, 10);
        be.Conv2DBackwardInput(g, dy, kern, f, dx);
        EngineTestUtil.AssertClose(dxRef, dxMag, dx, 1e-5, "conv backward input");
    }

    [Fact]
    public void FusedForwardAndCachedUnfoldMatchThePlainCalls()
    {
        var g = ConvGeometry.Create(3, 12, 11, 32, 3, 3, 1, 1, "same");
        var be = Backend.Current;
        var x = EngineTestUtil.Random(3 * 12 * 11 * 32, 21); var w = EngineTestUtil.Random(288 * 16, 22);
        var bias = EngineTestUtil.Random(16, 23); var dy = EngineTestUtil.Random(g.Rows * 16, 24);
        var ws = new ConvWorkspace();
        var fused = new float[g.Rows * 16]; var plain = new float[g.Rows * 16];
        be.Conv2DForward(g, x, w, bias, ActivationKind.Relu, 16, fused, ws);
        be.Conv2DForward(g, x, w, 16, plain);
        be.BiasActivation(plain, g.Rows, bias, ActivationKind.Relu);
        Assert.True(EngineTestUtil.BitEqual(plain, fused));
        var dwCached = new float[w.Length]; var dwPlain = new float[w.Length];
        be.Conv2DBackwardFilter(g, x, dy, 16, dwCached, ws);
        be.Conv2DBackwardFilter(g, x, dy, 16, dwPlain);
        Assert.True(EngineTestUtil.BitEqual(dwPlain, dwCached));
        // Another input in the same workspace must not reuse the cached unfold.
        var x2 = EngineTestUtil.Random(x.Length, 25);
        be.Conv2DBackwardFilter(g, x2, dy, 16, dwCached, ws);
        be.Conv2DBackwardFilter(g, x2, dy, 16, dwPlain);
        Assert.True(EngineTestUtil.BitEqual(dwPlain, dwCached));
    }

    /// <summary>Calls tap(output index, input index, kernel index) for every in-image product of the convolution.</summary>
    private static void ForEachTap(ConvGeometry g, int f, Action<int, int, int> tap)
    {
        for (int b = 0; b < g.Batch; b++)
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                    for (int kh = 0; kh < g.KH; kh++)
                        for (int kw = 0; kw < g.KW; kw++)
                        {
                            int ih = oh * g.StrideH - g.PadTop + kh, iw = ow * g.StrideW - g.PadLeft + kw;
                            if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW) continue;
                            for (int ci = 0; ci < g.InC; ci++)
                                for (int fo = 0; fo < f; fo++)
                                    tap(((b * g.OutH + oh) * g.OutW + ow) * f + fo, ((b * g.InH + ih) * g.InW + iw) * g.InC + ci,
                                        ((kh * g.KW + kw) * g.InC + ci) * f + fo);
                        }
    }

    public static TheoryData<int, int, int, int, int, int, string> PoolCases => new()
    {
        // batch, h, w, c, pool, stride, padding
        { 2, 62, 62, 32, 2, 2, "valid" }, { 1, 7, 9, 3, 2, 2, "same" }, { 2, 5, 5, 17, 3, 1, "same" },
        { 1, 6, 6, 1, 3, 2, "valid" }, { 3, 29, 29, 32, 2, 2, "valid" }, { 1, 4, 5, 48, 2, 1, "same" },
    };

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void PoolingMatchesDirectLoops(int n, int h, int w, int c, int p, int s, string padding)
    {
        var g = ConvGeometry.Create(n, h, w, c, p, p, s, s, padding);
        // Rounded values make ties common, so the first-maximum rule is exercised.
        var x = EngineTestUtil.Random(n * h * w * c, 4).Select(v => MathF.Round(v * 4) / 4).ToArray();
        var dy = EngineTestUtil.Random(g.Rows * c, 5);
        var be = Backend.Current;
        var y = new float[g.Rows * c]; var arg = new int[y.Length];
        be.MaxPoolForward(g, x, y, arg);
        var ya = new float[y.Length];
        be.AvgPoolForward(g, x, ya);
        var dxMax = new float[x.Length]; var dxAvg = new float[x.Length];
        be.MaxPoolBackward(g, dy, arg, dxMax);
        be.AvgPoolBackward(g, dy, dxAvg);

        var wantMax = new double[x.Length]; var wantAvg = new double[x.Length];
        for (int b = 0; b < n; b++)
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                    for (int ch = 0; ch < c; ch++)
                    {
                        int o = ((b * g.OutH + oh) * g.OutW + ow) * c + ch, best = -1, count = 0;
                        double sum = 0;
                        for (int kh = 0; kh < p; kh++)
                            for (int kw = 0; kw < p; kw++)
                            {
                                int ih = oh * s - g.PadTop + kh, iw = ow * s - g.PadLeft + kw;
                                if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                                int i = ((b * h + ih) * w + iw) * c + ch;
                                if (best < 0 || x[i] > x[best]) best = i;
                                sum += x[i]; count++;
                            }
                        Assert.Equal(x[best], y[o]);
                        Assert.Equal(best, arg[o]);
                        Assert.Equal(sum / count, ya[o], 5);
                        wantMax[best] += dy[o];
                        for (int kh = 0; kh < p; kh++)
                            for (int kw = 0; kw < p; kw++)
                            {
                                int ih = oh * s - g.PadTop + kh, iw = ow * s - g.PadLeft + kw;
                                if (ih >= 0 && ih < h && iw >= 0 && iw < w) wantAvg[((b * h + ih) * w + iw) * c + ch] += dy[o] / count;
                            }
                    }
        var ones = Enumerable.Repeat(1.0, x.Length).ToArray();
        EngineTestUtil.AssertClose(wantMax, ones, dxMax, 1e-6, "max pool backward");
        EngineTestUtil.AssertClose(wantAvg, ones, dxAvg, 1e-6, "avg pool backward");
    }

    [Fact]
    public void MaxPoolPropagatesNaNFromTheFirstPixel()
    {
        var g = ConvGeometry.Create(1, 2, 2, 16, 2, 2, 2, 2, "valid");
        var x = new float[64];
        for (int i = 0; i < 16; i++) { x[i] = float.NaN; x[16 + i] = 5; }
        var y = new float[16]; var arg = new int[16];
        Backend.Current.MaxPoolForward(g, x, y, arg);
        Assert.All(y, v => Assert.True(float.IsNaN(v)));
    }
}
