using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Tests.Layers;

/// <summary>
/// Central finite differences of L = sum(layer(x) * r) (as <see cref="GradientCheck"/>: step 1e-2, tolerance
/// 1e-3 + 1e-2 |g|) for layers ending in an activation with known kinks (points where the derivative or the value
/// jumps: relu's 0, relu6's 6, the hard sigmoids' +-2.5 or +-3, selu's 0, a threshold). A coordinate is skipped only
/// when the perturbation really moves a pre-activation across a kink, found by running the same computation without
/// its activation (<paramref name="preActivation"/>); at most a quarter of the coordinates may be skipped.
/// </summary>
internal static class KinkAwareGradientCheck
{
    /// <summary>Checks every input and weight coordinate of <paramref name="layer"/>.</summary>
    /// <param name="layer">The built layer under test.</param>
    /// <param name="preActivation">
    /// The same layer without its activation, built, whose weights are set from <paramref name="layer"/> at every
    /// probe (null: the pre-activation is the input itself, as for activation layers).
    /// </param>
    public static void Check(string label, Layer layer, Layer? preActivation, Tensor x, Tensor r, IReadOnlyList<float> kinks)
    {
        var (dx, dw) = GradientCheck.Analytic(layer, x, r);
        int skipped = 0, total = 0;
        float[] Pre()
        {
            if (preActivation is null) return x.ToArray();
            preActivation.SetWeights(layer.GetWeights());
            return preActivation.Call(x, training: true).ToArray();
        }
        void Probe(Span<float> values, int i, float analytic, string what)
        {
            float orig = values[i];
            values[i] = orig + GradientCheck.Step;
            double lp = GradientCheck.Objective(layer, x, r);
            var pp = Pre();
            values[i] = orig - GradientCheck.Step;
            double lm = GradientCheck.Objective(layer, x, r);
            var pm = Pre();
            values[i] = orig;
            total++;
            if (Crosses(pp, pm, kinks)) { skipped++; return; }
            double fd = (lp - lm) / (2 * GradientCheck.Step);
            Assert.True(Math.Abs(fd - analytic) <= 1e-3 + 1e-2 * Math.Abs(analytic), $"{label}: d/d{what}[{i}] analytic {analytic} vs finite difference {fd}");
        }
        for (int i = 0; i < x.Length; i++) Probe(x.Span, i, dx[i], "x");
        for (int k = 0; k < layer.Weights.Count; k++)
            for (int i = 0; i < layer.Weights[k].Size; i++) Probe(layer.Weights[k].Value.Span, i, dw[k][i], layer.Weights[k].Name);
        Assert.True(skipped * 4 <= total, $"{label}: {skipped} of {total} coordinates moved a value across a kink");
    }

    // Whether some pre-activation lies on different sides of a kink at the two probes (or on it).
    private static bool Crosses(float[] a, float[] b, IReadOnlyList<float> kinks)
    {
        for (int j = 0; j < a.Length; j++)
            foreach (float k in kinks)
                if ((a[j] - k) * (b[j] - k) <= 0) return true;
        return false;
    }
}
