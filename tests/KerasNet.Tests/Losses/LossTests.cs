using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Losses;
using KerasNet.Saving;
using KerasNet.Tests.Layers;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Losses;

public class LossTests
{
    /// <summary>A loss case: predictions (probabilities, or logits when fused), targets, and the logits if any.</summary>
    private sealed record Case(string Label, Loss Loss, Tensor Pred, Tensor Target, Tensor? Logits)
    {
        public (double loss, float[] grad) Run()
        {
            var g = new Tensor(Pred.Shape);
            double l = Loss.Compute(Pred, Target, g, Logits);
            return (l, g.ToArray());
        }
    }

    private static Tensor Softmax(Tensor z)
    {
        int c = z.Shape[^1];
        var p = new Tensor(z.Shape);
        for (int r = 0; r < z.Length / c; r++)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < c; j++) max = Math.Max(max, z[r * c + j]);
            for (int j = 0; j < c; j++) sum += Math.Exp(z[r * c + j] - max);
            for (int j = 0; j < c; j++) p[r * c + j] = (float)(Math.Exp(z[r * c + j] - max) / sum);
        }
        return p;
    }

    private static Tensor Sigmoid(Tensor z)
    {
        var p = new Tensor(z.Shape);
        for (int i = 0; i < z.Length; i++) p[i] = (float)(1 / (1 + Math.Exp(-z[i])));
        return p;
    }

    private static Tensor OneHot(Random rng, int rows, int c, bool soft = false)
    {
        var t = new Tensor(rows, c);
        for (int r = 0; r < rows; r++)
        {
            if (soft) { double s = 0; var v = new double[c]; for (int j = 0; j < c; j++) s += v[j] = rng.NextDouble(); for (int j = 0; j < c; j++) t[r * c + j] = (float)(v[j] / s); }
            else t[r * c + rng.Next(c)] = 1;
        }
        return t;
    }

    /// <summary>Cases with clipping inside (probabilities of 0, 1 and unnormalised rows), for the torch oracle.</summary>
    private static IEnumerable<(Case c, JsonObject spec)> Cases()
    {
        var rng = new Random(31);
        var z = Models.Synthetic.Uniform(rng, -3, 3, 6, 4);
        var p = Softmax(z);
        var y = OneHot(rng, 6, 4);
        JsonObject S(string loss, bool logits = false) => new() { ["loss"] = loss, ["from_logits"] = logits };
        yield return (new("cce probabilities", new CategoricalCrossentropy(), p, y, null), S("categorical_crossentropy"));
        yield return (new("cce soft targets", new CategoricalCrossentropy(), p, OneHot(rng, 6, 4, soft: true), null), S("categorical_crossentropy"));
        var clipped = new Tensor([0f, 1f, 0f, 0f, 1e-9f, 0.5f, 0.5f, 0f, 0.2f, 0.3f, 0.4f, 0.5f], 3, 4); // zeros, a one, an unnormalised row
        yield return (new("cce clipped", new CategoricalCrossentropy(), clipped, new Tensor([1f, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1], 3, 4), null), S("categorical_crossentropy"));
        yield return (new("cce logits", new CategoricalCrossentropy(), p, y, z), S("categorical_crossentropy", true));
        var labels = new Tensor(6);
        for (int r = 0; r < 6; r++) labels[r] = Enumerable.Range(0, 4).First(j => y[r * 4 + j] == 1);
        yield return (new("sparse cce probabilities", new SparseCategoricalCrossentropy(), p, labels, null), S("sparse_categorical_crossentropy"));
        yield return (new("sparse cce logits", new SparseCategoricalCrossentropy(), p, labels, z), S("sparse_categorical_crossentropy", true));
        var zb = Models.Synthetic.Uniform(rng, -4, 4, 5, 3);
        var yb = new Tensor(5, 3);
        for (int i = 0; i < yb.Length; i++) yb[i] = rng.Next(2);
        yield return (new("bce probabilities", new BinaryCrossentropy(), Sigmoid(zb), yb, null), S("binary_crossentropy"));
        yield return (new("bce clipped", new BinaryCrossentropy(), new Tensor([0f, 1f, 1e-9f, 0.3f], 2, 2), new Tensor([1f, 0, 0, 1], 2, 2), null), S("binary_crossentropy"));
        yield return (new("bce logits", new BinaryCrossentropy(), Sigmoid(zb), yb, zb), S("binary_crossentropy", true));
        yield return (new("mse", new MeanSquaredError(), Models.Synthetic.Uniform(rng, -2, 2, 4, 3), Models.Synthetic.Uniform(rng, -2, 2, 4, 3), null), S("mean_squared_error"));
    }

    [SkippableFact]
    public void ValuesAndGradientsMatchPyTorch()
    {
        Oracle.RequirePython("torch", "numpy");
        var cases = Cases().ToList();
        var dir = Oracle.TempDir();
        var specs = new JsonArray();
        for (int i = 0; i < cases.Count; i++)
        {
            var (c, spec) = cases[i];
            Npy.Save(Path.Combine(dir, $"{i}_p.npy"), c.Logits ?? c.Pred);
            Npy.Save(Path.Combine(dir, $"{i}_t.npy"), c.Target);
            specs.Add(spec);
        }
        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        Oracle.RunPythonScript("core_torch_layers.py", dir);
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i].c;
            var (loss, grad) = c.Run();
            double expected = Npy.Load(Path.Combine(dir, $"{i}_loss.npy"))[0];
            Assert.True(Math.Abs(loss - expected) <= 1e-4 * Math.Abs(expected) + 1e-6, $"{c.Label}: loss {loss} vs torch {expected}");
            OracleCompare.Close(Npy.Load(Path.Combine(dir, $"{i}_dp.npy")), grad, c.Label + " gradient");
        }
    }

    [Fact]
    public void GradientsMatchFiniteDifferences()
    {
        foreach (var (c, _) in Cases())
        {
            if (c.Label.Contains("clipped")) continue; // clipping has kinks; the torch test covers it
            var (_, grad) = c.Run();
            var x = c.Logits ?? c.Pred;
            for (int i = 0; i < x.Length; i++)
            {
                float orig = x[i];
                // Probabilities near 0 or 1 curve hard (1/p, 1/(1-p)): step relative to the distance from them.
                float h = c.Logits != null || c.Loss is MeanSquaredError ? 1e-3f : Math.Max(1e-5f, 1e-2f * Math.Min(Math.Abs(orig), Math.Abs(1 - orig)));
                x[i] = orig + h; double lp = Recompute(c);
                x[i] = orig - h; double lm = Recompute(c);
                x[i] = orig;
                double fd = (lp - lm) / (2 * h);
                Assert.True(Math.Abs(fd - grad[i]) <= 1e-3 + 1e-2 * Math.Abs(grad[i]), $"{c.Label}[{i}]: analytic {grad[i]} vs finite difference {fd}");
            }
        }

        // With logits the loss must be recomputed from them alone (the probabilities follow the logits).
        static double Recompute(Case c)
        {
            if (c.Logits is null) return c.Loss.Compute(c.Pred, c.Target, null);
            var p = c.Loss is BinaryCrossentropy ? Sigmoid(c.Logits) : Softmax(c.Logits);
            return c.Loss.Compute(p, c.Target, null, c.Logits);
        }
    }

    [Theory]
    [InlineData("categorical_crossentropy")]
    [InlineData("binary_crossentropy")]
    public void FusedLogitsPathEqualsPlainPathWithoutClipping(string name)
    {
        var rng = new Random(41);
        var loss = Loss.Get(name);
        bool binary = name.StartsWith("binary");
        var z = Models.Synthetic.Uniform(rng, -2, 2, 8, 5);
        var p = binary ? Sigmoid(z) : Softmax(z);
        var y = binary ? Models.Synthetic.Uniform(rng, 0, 1, 8, 5) : OneHot(rng, 8, 5, soft: true);
        var gPlain = new Tensor(p.Shape);
        var gFused = new Tensor(p.Shape);
        double plain = loss.Compute(p, y, gPlain);
        double fused = loss.Compute(p, y, gFused, z);
        Assert.Equal(plain, fused, 5);
        // Chain the plain gradient (w.r.t. probabilities) through the activation's Jacobian to the logits.
        for (int r = 0; r < 8; r++)
        {
            double dot = 0;
            for (int j = 0; j < 5; j++) dot += gPlain[r * 5 + j] * p[r * 5 + j];
            for (int j = 0; j < 5; j++)
            {
                int i = r * 5 + j;
                double chained = binary ? gPlain[i] * p[i] * (1 - p[i]) : p[i] * (gPlain[i] - dot);
                Assert.True(Math.Abs(chained - gFused[i]) <= 1e-5 + 1e-4 * Math.Abs(chained), $"{name}[{i}]: plain-chained {chained} vs fused {gFused[i]}");
            }
        }
    }

    [Fact]
    public void ClippingBoundsTheLossAndStopsTheGradient()
    {
        // p = 0 for the true class: Keras clips to 1e-7, so the loss is -log(1e-7) and nothing flows through the clip.
        var loss = new CategoricalCrossentropy();
        var g = new Tensor(1, 2);
        double l = loss.Compute(new Tensor([0f, 1f], 1, 2), new Tensor([1f, 0f], 1, 2), g);
        Assert.Equal(-Math.Log(1e-7f), l, 4);
        Assert.Equal(0f, g[0]);
    }

    [Theory]
    [InlineData("binary_crossentropy")]
    [InlineData("mean_squared_error")]
    public void TargetsWithoutTheTrailingUnitAxisAreAccepted(string name)
    {
        var rng = new Random(5);
        var p = Models.Synthetic.Uniform(rng, 0.05f, 0.95f, 6, 1);
        var flat = new Tensor(6);
        for (int i = 0; i < 6; i++) flat[i] = i % 2;
        var column = new Tensor(flat.ToArray(), 6, 1);
        var g1 = new Tensor(6, 1);
        var g2 = new Tensor(6, 1);
        Assert.Equal(Loss.Get(name).Compute(p, column, g1), Loss.Get(name).Compute(p, flat, g2));
        Assert.Equal(g1.ToArray(), g2.ToArray());
        Assert.Throws<ShapeMismatchException>(() => Loss.Get(name).Compute(new Tensor(6, 2), flat, null));
    }

    [Fact]
    public void NamesAndShapeErrors()
    {
        Assert.IsType<MeanSquaredError>(Loss.Get("mse"));
        Assert.IsType<SparseCategoricalCrossentropy>(Loss.Get("sparse_categorical_crossentropy"));
        Assert.Throws<KerasNetException>(() => Loss.Get("hinge2"));
        Assert.Throws<ShapeMismatchException>(() => new CategoricalCrossentropy().Compute(new Tensor(2, 3), new Tensor(2, 4), null));
        var ex = Assert.Throws<KerasNetException>(() => new SparseCategoricalCrossentropy().Compute(new Tensor([0.5f, 0.5f], 1, 2), new Tensor([2f], 1), null));
        Assert.Contains("class index", ex.Message);
    }
}
