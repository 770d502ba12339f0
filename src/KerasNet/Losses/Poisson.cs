#nullable enable
namespace KerasNet.Losses;

/// <summary>Keras's <c>poisson</c>: mean(p - y log(p + 1e-7)) over the last axis.</summary>
/// <param name="reduction">How the per-sample losses become the loss: <c>"sum_over_batch_size"</c> (Keras's default),
/// <c>"auto"</c> (the same, tf.keras 2's spelling), <c>"sum"</c> or <c>"none"</c> (per-sample losses, from <c>Call</c>
/// only).</param>
/// <param name="name">The loss's name in logs and configs (Keras's <c>name</c>; default <c>"poisson"</c>).</param>
public sealed class Poisson(string reduction = "sum_over_batch_size", string name = "poisson") : Loss(reduction, name)
{
    private readonly struct Fn : IElementLoss
    {
        public double Value(float p, float y) => p - y * Math.Log(p + (double)Epsilon);
        public double Derivative(float p, float y) => 1 - y / (p + (double)Epsilon);
    }

    private protected override void Rows(in LossRows a) => Elementwise.MeanRows(a, new Fn());
}
