#nullable enable
namespace KerasNet.Losses;

/// <summary>Keras's <c>categorical_hinge</c>: max(max((1 - y) p) - sum(y p) + 1, 0) per row.</summary>
/// <param name="reduction">How the per-sample losses become the loss: <c>"sum_over_batch_size"</c> (Keras's default),
/// <c>"auto"</c> (the same, tf.keras 2's spelling), <c>"sum"</c> or <c>"none"</c> (per-sample losses, from <c>Call</c>
/// only).</param>
/// <param name="name">The loss's name in logs and configs (Keras's <c>name</c>; default
/// <c>"categorical_hinge"</c>).</param>
public sealed class CategoricalHinge(string reduction = "sum_over_batch_size", string name = "categorical_hinge") : Loss(reduction, name)
{
    private protected override void Rows(in LossRows a)
    {
        int c = a.Width;
        var p = a.Pred.Span;
        var y = a.Target.Span;
        for (int r = 0; r < a.Count; r++)
        {
            var pr = p.Slice(r * c, c);
            var yr = y.Slice(r * c, c);
            double pos = 0, neg = double.NegativeInfinity;
            int arg = 0;
            for (int j = 0; j < c; j++)
            {
                pos += (double)yr[j] * pr[j];
                double n = (1.0 - yr[j]) * pr[j];
                if (n > neg) { neg = n; arg = j; }
            }
            double m = neg - pos + 1;
            a.Loss[r] = Math.Max(m, 0);
            if (a.Grad.IsEmpty) continue;
            var g = a.Grad.Slice(r * c, c);
            float s = m >= 0 ? a.Scale[r] : 0f;
            for (int j = 0; j < c; j++) g[j] = (float)((j == arg ? 1.0 - yr[j] : 0) - yr[j]) * s;
        }
    }
}
