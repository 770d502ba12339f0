#nullable enable
namespace KerasNet.Losses;

/// <summary>Keras's <c>log_cosh</c> ("logcosh"): with x = p - y, mean(x + softplus(-2x) - log 2) over the last axis.</summary>
/// <param name="reduction">How the per-sample losses become the loss: <c>"sum_over_batch_size"</c> (Keras's default),
/// <c>"auto"</c> (the same, tf.keras 2's spelling), <c>"sum"</c> or <c>"none"</c> (per-sample losses, from <c>Call</c>
/// only).</param>
/// <param name="name">The loss's name in logs and configs (Keras's <c>name</c>; default <c>"log_cosh"</c>).</param>
public sealed class LogCosh(string reduction = "sum_over_batch_size", string name = "log_cosh") : Loss(reduction, name)
{
    private readonly struct Fn : IElementLoss
    {
        public double Value(float p, float y)
        {
            double x = p - y, t = -2 * x;
            // softplus written stably: max(t, 0) + log(1 + exp(-|t|)).
            return x + Math.Max(t, 0) + Math.Log(1 + Math.Exp(-Math.Abs(t))) - Math.Log(2);
        }

        public double Derivative(float p, float y) => Math.Tanh(p - y);
    }

    private protected override void Rows(in LossRows a) => Elementwise.MeanRows(a, new Fn());
}
