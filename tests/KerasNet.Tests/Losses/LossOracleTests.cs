using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Losses;
using KerasNet.Saving;
using KerasNet.Tests.Layers;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Losses;

/// <summary>Every loss's value and gradient, weighted and not, against PyTorch (losses_torch.py) and finite differences.</summary>
public class LossOracleTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [SkippableFact]
    public void ValuesAndGradientsMatchPyTorch()
    {
        Oracle.RequirePython("torch", "numpy");
        var cases = LossCases.All().ToList();
        var dir = Oracle.TempDir();
        var specs = new JsonArray();
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            Npy.Save(Path.Combine(dir, $"{i}_p.npy"), c.OracleInput);
            Npy.Save(Path.Combine(dir, $"{i}_t.npy"), c.Target);
            if (c.Weights != null) Npy.Save(Path.Combine(dir, $"{i}_w.npy"), c.Weights);
            specs.Add(c.Spec());
        }
        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        Oracle.RunPythonScript("losses_torch.py", dir);
        double worstValue = 0, worstGrad = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var expected = Npy.Load(Path.Combine(dir, $"{i}_loss.npy"));
            var dp = Npy.Load(Path.Combine(dir, $"{i}_dp.npy"));
            if (c.Loss.Reduction == "none")
            {
                // Call gives the weighted per-sample losses, shaped as the predictions without their last axis.
                var perSample = c.Loss.Call(c.Target, c.Pred, c.Weights);
                Assert.Equal(c.Pred.Shape[..^1], perSample.Shape);
                OracleCompare.Close(expected, perSample.ToArray(), c.Label + " per-sample");
                Assert.Throws<KerasNetException>(() => c.Loss.Compute(c.Pred, c.Target, c.Weights, null, null));
                continue;
            }
            double value = c.Value();
            double e = expected[0];
            worstValue = Math.Max(worstValue, Math.Abs(value - e) / Math.Max(1e-6, Math.Abs(e)));
            Assert.True(Math.Abs(value - e) <= 1e-5 * Math.Abs(e) + 1e-6, $"{c.Label}: loss {value} vs torch {e}");
            if (c.FusedLogits is null)
            {
                var call = c.Loss.Call(c.Target, c.Pred, c.Weights);
                Assert.Empty(call.Shape);
                Assert.Equal((float)value, call[0]);
            }
            var grad = c.Gradient();
            OracleCompare.Close(dp, grad, c.Label + " gradient");
            for (int j = 0; j < grad.Length; j++) worstGrad = Math.Max(worstGrad, Math.Abs(grad[j] - dp[j]));
        }
        Assert.True(worstValue < 1e-5, $"worst relative loss difference {worstValue}");
        output.WriteLine($"{cases.Count} cases: worst relative loss difference {worstValue:G3}, worst absolute gradient difference {worstGrad:G3}");
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        foreach (var c in LossCases.All())
        {
            if (c.Loss.Reduction == "none" || c.Label.Contains("clip")) continue; // per-sample values; clips have kinks (torch checks them)
            var grad = c.Gradient();
            var x = c.FusedLogits ?? c.Pred;
            for (int i = 0; i < x.Length; i++)
            {
                float orig = x[i];
                bool probabilities = c.FusedLogits is null && c.Loss is BinaryCrossentropy { FromLogits: false } or CategoricalCrossentropy { FromLogits: false } or SparseCategoricalCrossentropy { FromLogits: false };
                // Probabilities near 0 or 1 curve hard (1/p): step relative to the distance from them.
                float h = probabilities ? Math.Max(1e-5f, 1e-2f * Math.Min(Math.Abs(orig), Math.Abs(1 - orig))) : 1e-3f;
                float up = orig + h, down = orig - h;
                x[i] = up; double lp = Recompute(c);
                x[i] = down; double lm = Recompute(c);
                x[i] = orig; double l0 = Recompute(c);
                double right = (lp - l0) / (up - orig), left = (l0 - lm) / (orig - down);
                if (Math.Abs(right - left) > 1e-2 + 1e-2 * Math.Abs(grad[i])) continue; // a kink (hinge, |x|, Huber's switch) within the step
                double fd = (lp - lm) / (up - down);
                Assert.True(Math.Abs(fd - grad[i]) <= 1e-3 + 1e-2 * Math.Abs(grad[i]), $"{c.Label}[{i}]: analytic {grad[i]} vs finite difference {fd}");
            }
        }

        // A fused case moves its logits: the probabilities follow them.
        static double Recompute(LossCase c)
        {
            if (c.FusedLogits is null) return c.Value();
            var p = c.Loss is BinaryCrossentropy ? LossCases.Sigmoid(c.FusedLogits) : LossCases.Softmax(c.FusedLogits);
            return c.Value(p);
        }
    }

    [Fact]
    public void WeightsOfOneEqualNoWeightsAndScaleLinearly()
    {
        foreach (var c in LossCases.All().Where(c => c.Loss.Reduction is "sum_over_batch_size" && c.Weights is null))
        {
            int rows = c.Pred.Length / c.Pred.Shape[^1];
            var ones = new Tensor(Enumerable.Repeat(1f, rows).ToArray(), rows);
            var twos = new Tensor(Enumerable.Repeat(2f, rows).ToArray(), rows);
            var g1 = new Tensor(c.Pred.Shape);
            var g2 = new Tensor(c.Pred.Shape);
            double plain = c.Loss.Compute(c.Pred, c.Target, null, g1, c.FusedLogits);
            Assert.Equal(plain, c.Loss.Compute(c.Pred, c.Target, ones, null, c.FusedLogits));
            Assert.Equal(2 * plain, c.Loss.Compute(c.Pred, c.Target, twos, g2, c.FusedLogits), 12);
            for (int i = 0; i < g1.Length; i++) Assert.Equal(2 * g1[i], g2[i], 6);
        }
    }

    [Fact]
    public void SampleWeightsThatDoNotBroadcastAreRefused()
    {
        var loss = new MeanSquaredError();
        var ex = Assert.Throws<ShapeMismatchException>(() => loss.Call(new Tensor(4, 3), new Tensor(4, 3), new Tensor(3)));
        Assert.Contains("sample weights", ex.Message);
        Assert.Throws<KerasNetException>(() => loss.Call(new Tensor(2, 3), new Tensor(2, 3), new Tensor([1f, float.NaN], 2)));
        // A single weight scales everything, as Keras's scalar sample_weight.
        var rng = new Random(3);
        var p = Models.Synthetic.Uniform(rng, -1, 1, 4, 3);
        var y = Models.Synthetic.Uniform(rng, -1, 1, 4, 3);
        Assert.Equal(3 * (double)loss.Call(y, p)[0], loss.Call(y, p, new Tensor([3f], 1))[0], 5);
    }
}
