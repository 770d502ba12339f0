#nullable enable
namespace KerasNet.Metrics;

/// <summary>mean((log(max(prediction, 1e-7) + 1) - log(max(target, 1e-7) + 1))^2) over the last axis (Keras's <c>mean_squared_logarithmic_error</c>, "msle").</summary>
/// <param name="name">The log key.</param>
public sealed class MeanSquaredLogarithmicError(string name = "mean_squared_logarithmic_error") : MeanMetricWrapper(name)
{
    internal override string FunctionName => "mean_squared_logarithmic_error";

    private protected override double Row(ReadOnlySpan<float> pred, ReadOnlySpan<float> target) => Regression.SquaredLogarithmicError(pred, target);
}
