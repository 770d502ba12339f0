#nullable enable
namespace KerasNet.Losses;

/// <summary>
/// Keras's <c>hinge</c>: mean(max(1 - y p, 0)) over the last axis. Targets are -1/1; targets that are all 0/1 are
/// first mapped to -1/1, as Keras's <c>_maybe_convert_labels</c>.
/// </summary>
/// <param name="reduction">How the per-sample losses become the loss: <c>"sum_over_batch_size"</c> (Keras's default),
/// <c>"auto"</c> (the same, tf.keras 2's spelling), <c>"sum"</c> or <c>"none"</c> (per-sample losses, from <c>Call</c>
/// only).</param>
/// <param name="name">The loss's name in logs and configs (Keras's <c>name</c>; default <c>"hinge"</c>).</param>
public sealed class Hinge(string reduction = "sum_over_batch_size", string name = "hinge") : Loss(reduction, name)
{
    private readonly struct Fn(bool convert) : IElementLoss
    {
        public double Value(float p, float y) => Math.Max(1 - HingeLabels.Of(y, convert) * (double)p, 0);
        // tf.maximum passes the gradient to its first argument on ties.
        public double Derivative(float p, float y)
        {
            double t = HingeLabels.Of(y, convert);
            return 1 - t * p >= 0 ? -t : 0;
        }
    }

    private protected override void Rows(in LossRows a) => Elementwise.MeanRows(a, new Fn(HingeLabels.AreBinary(a.Target)));
}

/// <summary>Keras's <c>_maybe_convert_labels</c>: 0/1 targets (all of them) become -1/1.</summary>
internal static class HingeLabels
{
    public static bool AreBinary(Engine.Tensor y)
    {
        foreach (float v in y.Span) if (v != 0 && v != 1) return false;
        return true;
    }

    public static double Of(float y, bool convert) => convert ? 2.0 * y - 1 : y;
}
