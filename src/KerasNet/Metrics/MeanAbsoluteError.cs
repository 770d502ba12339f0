#nullable enable
namespace KerasNet.Metrics;

/// <summary>mean(|prediction - target|) over the last axis, averaged over rows (Keras's <c>mean_absolute_error</c>, "mae").</summary>
/// <param name="name">The log key.</param>
public sealed class MeanAbsoluteError(string name = "mean_absolute_error") : MeanMetricWrapper(name)
{
    internal override string FunctionName => "mean_absolute_error";

    private protected override double Row(ReadOnlySpan<float> pred, ReadOnlySpan<float> target) => Regression.AbsoluteError(pred, target);
}
