using KerasNet.Engine;
using KerasNet.Engine.Kernels;

namespace KerasNet.Tests.Engine;

/// <summary>
/// The training max-pool forward (maxima and each winner's input index) at each vector width this machine runs,
/// forced in-process through Gemm.Width, against a plain loop written here from TensorFlow's rule: the window's first
/// in-image pixel, replaced only by a strictly greater one (ties and NaN keep the first); padding never wins.
/// Gemm.Width is process-wide, so this class runs alone.
/// </summary>
[Collection(KerasNet.Tests.TestUtil.ProcessWideCollection.Name)]
public class PoolingWidthTests
{
    [Theory]
    [MemberData(nameof(GemmWidthTests.Widths), MemberType = typeof(GemmWidthTests))]
    public void MaxPoolWinnersEqualThePlainLoopAtEachWidth(int width)
    {
        // Channel counts: whole vectors of every width (32), of 4 and 8 lanes only (8, 24), ragged everywhere (3, 19);
        // 'same' padding and overlapping windows; an odd edge that no window covers.
        var cases = new[]
        {
            ConvGeometry.Create(2, 7, 5, 32, 2, 2, 2, 2, "valid"),
            ConvGeometry.Create(1, 8, 7, 19, 3, 3, 2, 2, "same"),
            ConvGeometry.Create(3, 5, 6, 8, 3, 2, 1, 2, "valid"),
            ConvGeometry.Create(1, 6, 6, 24, 2, 2, 2, 2, "same"),
            ConvGeometry.Create(2, 4, 4, 3, 2, 2, 2, 2, "valid"),
        };
        var saved = Gemm.Width;
        try
        {
            Gemm.Width = (VectorWidth)width;
            foreach (var g in cases)
            {
                int inLen = g.Batch * g.InH * g.InW * g.InC, outLen = g.Batch * g.OutH * g.OutW * g.InC;
                var x = EngineTestUtil.Random(inLen, 5);
                // Ties (a quantised copy of some pixels) and a NaN: the first of equal values and the NaN's window rules.
                for (int i = 0; i < inLen; i += 7) x[i] = MathF.Round(x[i]);
                x[inLen / 2] = float.NaN;
                var y = new float[outLen];
                var argmax = new int[outLen];
                Backend.Current.MaxPoolForward(g, x, y, argmax);
                var (wantY, wantArg) = Plain(g, x);
                Assert.True(EngineTestUtil.BitEqual(wantY, y), $"maxima differ from the plain loop for {g} at {(VectorWidth)width}");
                Assert.Equal(wantArg, argmax);
                // The inference path (no winners) pools to the same maxima.
                var yInfer = new float[outLen];
                Backend.Current.MaxPoolForward(g, x, yInfer, []);
                Assert.True(EngineTestUtil.BitEqual(wantY, yInfer), $"inference maxima differ for {g} at {(VectorWidth)width}");
            }
        }
        finally { Gemm.Width = saved; }
    }

    private static (float[] y, int[] arg) Plain(in ConvGeometry g, float[] x)
    {
        var y = new float[g.Batch * g.OutH * g.OutW * g.InC];
        var arg = new int[y.Length];
        for (int n = 0; n < g.Batch; n++)
            for (int oh = 0; oh < g.OutH; oh++)
                for (int ow = 0; ow < g.OutW; ow++)
                    for (int c = 0; c < g.InC; c++)
                    {
                        int o = ((n * g.OutH + oh) * g.OutW + ow) * g.InC + c, best = -1;
                        for (int kh = 0; kh < g.KH; kh++)
                            for (int kw = 0; kw < g.KW; kw++)
                            {
                                int ih = oh * g.StrideH - g.PadTop + kh, iw = ow * g.StrideW - g.PadLeft + kw;
                                if (ih < 0 || ih >= g.InH || iw < 0 || iw >= g.InW) continue;
                                int i = ((n * g.InH + ih) * g.InW + iw) * g.InC + c;
                                if (best < 0 || x[i] > x[best]) best = i;
                            }
                        (y[o], arg[o]) = (x[best], best);
                    }
        return (y, arg);
    }
}
