#nullable enable
namespace KerasNet.Losses;

/// <summary>Keras's <c>squared_hinge</c>: mean(max(1 - y p, 0)^2) over the last axis, 0/1 targets mapped to -1/1 as for <see cref="Hinge"/>.</summary>
/// <param name="reduction">How the per-sample losses become the loss: <c>"sum_over_batch_size"</c> (Keras's default),
/// <c>"auto"</c> (the same, tf.keras 2's spelling), <c>"sum"</c> or <c>"none"</c> (per-sample losses, from <c>Call</c>
/// only).</param>
/// <param name="name">The loss's name in logs and configs (Keras's <c>name</c>; default
/// <c>"squared_hinge"</c>).</param>
public sealed class SquaredHinge(string reduction = "sum_over_batch_size", string name = "squared_hinge") : Loss(reduction, name)
{
    private readonly struct Fn(bool convert) : IElementLoss
    {
        public double Value(float p, float y) { double m = Math.Max(1 - HingeLabels.Of(y, convert) * (double)p, 0); return m * m; }
        public double Derivative(float p, float y)
        {
            double t = HingeLabels.Of(y, convert);
            return -2 * t * Math.Max(1 - t * p, 0);
        }
    }

    private protected override void Rows(in LossRows a) => Elementwise.MeanRows(a, new Fn(HingeLabels.AreBinary(a.Target)));
}
