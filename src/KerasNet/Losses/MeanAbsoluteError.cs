#nullable enable
namespace KerasNet.Losses;

/// <summary>Keras's <c>mean_absolute_error</c> ("mae"): mean(|p - y|) over the last axis.</summary>
/// <param name="reduction">How the per-sample losses become the loss: <c>"sum_over_batch_size"</c> (Keras's default),
/// <c>"auto"</c> (the same, tf.keras 2's spelling), <c>"sum"</c> or <c>"none"</c> (per-sample losses, from <c>Call</c>
/// only).</param>
/// <param name="name">The loss's name in logs and configs (Keras's <c>name</c>; default
/// <c>"mean_absolute_error"</c>).</param>
public sealed class MeanAbsoluteError(string reduction = "sum_over_batch_size", string name = "mean_absolute_error") : Loss(reduction, name)
{
    private readonly struct Fn : IElementLoss
    {
        public double Value(float p, float y) => Math.Abs(p - y);
        public double Derivative(float p, float y) => Math.Sign(p - y);
    }

    private protected override void Rows(in LossRows a) => Elementwise.MeanRows(a, new Fn());
}
