using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Losses;
using KerasNet.Tests.Models;

namespace KerasNet.Tests.Losses;

/// <summary>
/// One loss case: the loss object, predictions (logits for from_logits losses), targets, optional sample weights,
/// and, for the fused softmax/sigmoid path, the logits the gradient is taken against.
/// </summary>
internal sealed record LossCase(string Label, Loss Loss, Tensor Pred, Tensor Target, Tensor? Weights, Tensor? FusedLogits = null)
{
    /// <summary>The case for losses_torch.py (a fused case is checked against its from_logits twin).</summary>
    public JsonObject Spec()
    {
        var config = Loss.GetConfig();
        if (FusedLogits != null) config["from_logits"] = true;
        return new JsonObject { ["loss"] = Loss.ClassName, ["config"] = config, ["weights"] = Weights != null };
    }

    /// <summary>What the torch oracle differentiates: the logits of a fused case, else the predictions.</summary>
    public Tensor OracleInput => FusedLogits ?? Pred;

    public double Value(Tensor? pred = null) => Loss.Compute(pred ?? Pred, Target, Weights, null, FusedLogits);

    public float[] Gradient()
    {
        var g = new Tensor(Pred.Shape);
        Loss.Compute(Pred, Target, Weights, g, FusedLogits);
        return g.ToArray();
    }
}

/// <summary>The cases: every loss, 2-D and 3-D, with and without per-sample and per-timestep weights, each reduction.</summary>
internal static class LossCases
{
    private delegate (Tensor pred, Tensor target) Data(Random rng, int[] shape);

    private static Tensor U(Random rng, float lo, float hi, int[] shape) => Synthetic.Uniform(rng, lo, hi, shape);

    private static Tensor Map(Tensor t, Func<float, float> f)
    {
        var r = new Tensor(t.Shape);
        for (int i = 0; i < t.Length; i++) r[i] = f(t[i]);
        return r;
    }

    internal static Tensor Softmax(Tensor z)
    {
        var p = new Tensor(z.Shape);
        int c = z.Shape[^1];
        for (int o = 0; o < z.Length; o += c)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < c; j++) max = Math.Max(max, z[o + j]);
            for (int j = 0; j < c; j++) sum += Math.Exp(z[o + j] - max);
            for (int j = 0; j < c; j++) p[o + j] = (float)(Math.Exp(z[o + j] - max) / sum);
        }
        return p;
    }

    internal static Tensor Sigmoid(Tensor z) => Map(z, v => (float)(1 / (1 + Math.Exp(-v))));

    private static Tensor OneHot(Random rng, int[] shape)
    {
        var t = new Tensor(shape);
        int c = shape[^1];
        for (int o = 0; o < t.Length; o += c) t[o + rng.Next(c)] = 1;
        return t;
    }

    private static Tensor Bits(Random rng, int[] shape) => Map(new Tensor(shape), _ => rng.Next(2));

    private static Tensor Labels(Random rng, int[] shape) => Map(new Tensor(shape[..^1]), _ => rng.Next(shape[^1]));

    private static readonly (string Label, Func<string, Loss> Make, Data Data)[] Losses =
    [
        ("mse", r => new MeanSquaredError(r), (g, s) => (U(g, -2, 2, s), U(g, -2, 2, s))),
        ("mae", r => new MeanAbsoluteError(r), (g, s) => (U(g, -2, 2, s), U(g, -2, 2, s))),
        ("mape", r => new MeanAbsolutePercentageError(r), (g, s) => (U(g, -2, 2, s), Map(U(g, 0.3f, 2, s), v => g.Next(2) == 0 ? v : -v))),
        ("msle clip", r => new MeanSquaredLogarithmicError(r), (g, s) => (U(g, -0.5f, 3, s), U(g, 0, 3, s))),
        ("huber", r => new Huber(1.0, r), (g, s) => (U(g, -3, 3, s), U(g, -1, 1, s))),
        ("huber delta 0.5", r => new Huber(0.5, r), (g, s) => (U(g, -2, 2, s), U(g, -1, 1, s))),
        ("log_cosh", r => new LogCosh(r), (g, s) => (U(g, -3, 3, s), U(g, -1, 1, s))),
        ("hinge -1/1", r => new Hinge(r), (g, s) => (U(g, -2, 2, s), Map(Bits(g, s), v => 2 * v - 1))),
        ("hinge 0/1", r => new Hinge(r), (g, s) => (U(g, -2, 2, s), Bits(g, s))),
        ("squared_hinge", r => new SquaredHinge(r), (g, s) => (U(g, -2, 2, s), Bits(g, s))),
        ("categorical_hinge", r => new CategoricalHinge(r), (g, s) => (U(g, 0, 1, s), OneHot(g, s))),
        ("kld clip", r => new KLDivergence(r), (g, s) => (Map(U(g, -0.2f, 1, s), v => Math.Max(v, 0)), Softmax(U(g, -2, 2, s)))),
        ("poisson", r => new Poisson(r), (g, s) => (U(g, 0.1f, 3, s), U(g, 0, 3, s))),
        ("cosine_similarity", r => new CosineSimilarity(reduction: r), (g, s) => (U(g, -2, 2, s), U(g, -2, 2, s))),
        ("bce", r => new BinaryCrossentropy(reduction: r), (g, s) => (Sigmoid(U(g, -3, 3, s)), Bits(g, s))),
        ("bce logits", r => new BinaryCrossentropy(fromLogits: true, reduction: r), (g, s) => (U(g, -3, 3, s), Bits(g, s))),
        ("bce smoothing logits", r => new BinaryCrossentropy(true, 0.2, reduction: r), (g, s) => (U(g, -3, 3, s), Bits(g, s))),
        ("bce smoothing", r => new BinaryCrossentropy(false, 0.1, reduction: r), (g, s) => (Sigmoid(U(g, -3, 3, s)), Bits(g, s))),
        ("cce", r => new CategoricalCrossentropy(reduction: r), (g, s) => (Softmax(U(g, -2, 2, s)), OneHot(g, s))),
        ("cce logits", r => new CategoricalCrossentropy(fromLogits: true, reduction: r), (g, s) => (U(g, -2, 2, s), OneHot(g, s))),
        ("cce smoothing logits", r => new CategoricalCrossentropy(true, 0.1, reduction: r), (g, s) => (U(g, -2, 2, s), OneHot(g, s))),
        ("cce smoothing", r => new CategoricalCrossentropy(false, 0.3, reduction: r), (g, s) => (Softmax(U(g, -2, 2, s)), OneHot(g, s))),
        ("sparse cce", r => new SparseCategoricalCrossentropy(reduction: r), (g, s) => (Softmax(U(g, -2, 2, s)), Labels(g, s))),
        ("sparse cce logits", r => new SparseCategoricalCrossentropy(true, r), (g, s) => (U(g, -2, 2, s), Labels(g, s))),
    ];

    /// <summary>Every loss in six settings: 2-D plain, 2-D per-sample weights (default, "sum", "none"), 3-D per-timestep and per-sample weights.</summary>
    public static IEnumerable<LossCase> All()
    {
        var rng = new Random(1313);
        foreach (var (label, make, data) in Losses)
        {
            int[] flat = [5, 4], seq = [3, 4, 3];
            LossCase Case(string what, string reduction, int[] shape, Func<Tensor?> weights)
            {
                var (p, t) = data(rng, shape);
                return new LossCase($"{label} {what}", make(reduction), p, t, weights());
            }
            yield return Case("plain", "sum_over_batch_size", flat, () => null);
            yield return Case("weighted", "sum_over_batch_size", flat, () => U(rng, 0, 2, [5]));
            yield return Case("weighted sum", "sum", flat, () => U(rng, 0, 2, [5]));
            yield return Case("weighted none", "none", flat, () => U(rng, 0, 2, [5]));
            yield return Case("temporal weights", "sum_over_batch_size", seq, () => U(rng, 0, 2, [3, 4]));
            yield return Case("per-sample weights over timesteps", "auto", seq, () => U(rng, 0, 2, [3]));
        }
        // The fused path of fit: probabilities and the logits they came from, weighted.
        var z = U(rng, -2, 2, [6, 4]);
        yield return new LossCase("fused softmax cce weighted", new CategoricalCrossentropy(), Softmax(z), OneHot(rng, [6, 4]), U(rng, 0, 2, [6]), z);
        var zs = U(rng, -2, 2, [6, 4]);
        yield return new LossCase("fused softmax sparse cce weighted", new SparseCategoricalCrossentropy(), Softmax(zs), Labels(rng, [6, 4]), U(rng, 0, 2, [6]), zs);
        var zb = U(rng, -3, 3, [6, 2]);
        yield return new LossCase("fused sigmoid bce weighted sum", new BinaryCrossentropy(reduction: "sum"), Sigmoid(zb), Bits(rng, [6, 2]), U(rng, 0, 2, [6]), zb);
        var zl = U(rng, -3, 3, [6, 4]);
        yield return new LossCase("fused softmax cce smoothing", new CategoricalCrossentropy(labelSmoothing: 0.2), Softmax(zl), OneHot(rng, [6, 4]), null, zl);
    }
}
