#nullable enable
namespace KerasNet.Losses;

/// <summary>Keras's <c>mean_squared_error</c> ("mse"): mean((p - y)^2) over the last axis.</summary>
public sealed class MeanSquaredError(string reduction = "sum_over_batch_size", string name = "mean_squared_error") : Loss(reduction, name)
{
    private readonly struct Fn : IElementLoss
    {
        public double Value(float p, float y) { float d = p - y; return (double)d * d; }
        public double Derivative(float p, float y) => 2f * (p - y);
    }

    private protected override void Rows(in LossRows a) => Elementwise.MeanRows(a, new Fn());
}
