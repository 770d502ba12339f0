#nullable enable
namespace KerasNet.Losses;

/// <summary>Keras's <c>log_cosh</c> ("logcosh"): with x = p - y, mean(x + softplus(-2x) - log 2) over the last axis.</summary>
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
