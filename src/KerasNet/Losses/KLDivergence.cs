#nullable enable
namespace KerasNet.Losses;

/// <summary>
/// Keras's <c>kl_divergence</c> ("kld", "kullback_leibler_divergence"): sum(y log(y / p)) per row, y and p clipped
/// to [1e-7, 1] (no gradient flows through the clip).
/// </summary>
/// <param name="reduction">How the per-sample losses become the loss: <c>"sum_over_batch_size"</c> (Keras's default),
/// <c>"auto"</c> (the same, tf.keras 2's spelling), <c>"sum"</c> or <c>"none"</c> (per-sample losses, from <c>Call</c>
/// only).</param>
/// <param name="name">The loss's name in logs and configs (Keras's <c>name</c>; default
/// <c>"kl_divergence"</c>).</param>
public sealed class KLDivergence(string reduction = "sum_over_batch_size", string name = "kl_divergence") : Loss(reduction, name)
{
    private protected override void Rows(in LossRows a)
    {
        int c = a.Width;
        var p = a.Pred.Span;
        var y = a.Target.Span;
        for (int r = 0, i = 0; r < a.Count; r++)
        {
            double sum = 0;
            for (int j = 0; j < c; j++, i++)
            {
                double yc = Math.Clamp(y[i], Epsilon, 1f), pc = Math.Clamp(p[i], Epsilon, 1f);
                sum += yc * Math.Log(yc / pc);
                if (!a.Grad.IsEmpty) a.Grad[i] = p[i] >= Epsilon && p[i] <= 1f ? (float)(-yc / pc * a.Scale[r]) : 0f;
            }
            a.Loss[r] = sum;
        }
    }
}
