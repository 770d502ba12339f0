#nullable enable
namespace KerasNet.Metrics;

/// <summary>100 mean(|target - prediction| / max(|target|, 1e-7)) over the last axis (Keras's <c>mean_absolute_percentage_error</c>, "mape").</summary>
/// <param name="name">The log key.</param>
public sealed class MeanAbsolutePercentageError(string name = "mean_absolute_percentage_error") : MeanMetricWrapper(name)
{
    internal override string FunctionName => "mean_absolute_percentage_error";

    private protected override double Row(ReadOnlySpan<float> pred, ReadOnlySpan<float> target) => Regression.AbsolutePercentageError(pred, target);
}
