#nullable enable
namespace KerasNet.Losses;

/// <summary>Keras's <c>mean_absolute_percentage_error</c> ("mape"): 100 mean(|y - p| / max(|y|, 1e-7)) over the last axis.</summary>
public sealed class MeanAbsolutePercentageError(string reduction = "sum_over_batch_size", string name = "mean_absolute_percentage_error") : Loss(reduction, name)
{
    private readonly struct Fn : IElementLoss
    {
        public double Value(float p, float y) => 100.0 * Math.Abs(y - p) / Math.Max(Math.Abs(y), Epsilon);
        public double Derivative(float p, float y) => 100.0 * Math.Sign(p - y) / Math.Max(Math.Abs(y), Epsilon);
    }

    private protected override void Rows(in LossRows a) => Elementwise.MeanRows(a, new Fn());
}
