#nullable enable
namespace KerasNet.Losses;

/// <summary>Keras's <c>mean_absolute_error</c> ("mae"): mean(|p - y|) over the last axis.</summary>
public sealed class MeanAbsoluteError(string reduction = "sum_over_batch_size", string name = "mean_absolute_error") : Loss(reduction, name)
{
    private readonly struct Fn : IElementLoss
    {
        public double Value(float p, float y) => Math.Abs(p - y);
        public double Derivative(float p, float y) => Math.Sign(p - y);
    }

    private protected override void Rows(in LossRows a) => Elementwise.MeanRows(a, new Fn());
}
