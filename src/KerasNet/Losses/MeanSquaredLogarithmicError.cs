#nullable enable
namespace KerasNet.Losses;

/// <summary>
/// Keras's <c>mean_squared_logarithmic_error</c> ("msle"): mean((log(max(p, 1e-7) + 1) - log(max(y, 1e-7) + 1))^2)
/// over the last axis (no gradient flows where p is below the clip).
/// </summary>
/// <param name="reduction">How the per-sample losses become the loss: <c>"sum_over_batch_size"</c> (Keras's default),
/// <c>"auto"</c> (the same, tf.keras 2's spelling), <c>"sum"</c> or <c>"none"</c> (per-sample losses, from <c>Call</c>
/// only).</param>
/// <param name="name">The loss's name in logs and configs (Keras's <c>name</c>; default
/// <c>"mean_squared_logarithmic_error"</c>).</param>
public sealed class MeanSquaredLogarithmicError(string reduction = "sum_over_batch_size", string name = "mean_squared_logarithmic_error") : Loss(reduction, name)
{
    private readonly struct Fn : IElementLoss
    {
        private static double D(float p, float y) => Math.Log(Math.Max(p, Epsilon) + 1.0) - Math.Log(Math.Max(y, Epsilon) + 1.0);
        public double Value(float p, float y) { double d = D(p, y); return d * d; }
        public double Derivative(float p, float y) => p >= Epsilon ? 2 * D(p, y) / (p + 1.0) : 0;
    }

    private protected override void Rows(in LossRows a) => Elementwise.MeanRows(a, new Fn());
}
