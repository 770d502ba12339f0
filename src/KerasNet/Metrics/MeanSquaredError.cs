#nullable enable
namespace KerasNet.Metrics;

/// <summary>mean((prediction - target)^2) over the last axis, averaged over rows (Keras's <c>mean_squared_error</c>, "mse").</summary>
/// <param name="name">The log key.</param>
public sealed class MeanSquaredError(string name = "mean_squared_error") : MeanMetricWrapper(name)
{
    internal override string FunctionName => "mean_squared_error";

    private protected override double Row(ReadOnlySpan<float> pred, ReadOnlySpan<float> target) => Regression.SquaredError(pred, target);
}
