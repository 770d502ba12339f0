#nullable enable
namespace KerasNet.Metrics;

/// <summary>mean(log(cosh(prediction - target))) over the last axis, computed as x + softplus(-2x) - log 2 (Keras's <c>logcosh</c>).</summary>
/// <param name="name">The log key.</param>
public sealed class LogCoshError(string name = "logcosh") : MeanMetricWrapper(name)
{
    internal override string FunctionName => "logcosh";

    private protected override double Row(ReadOnlySpan<float> pred, ReadOnlySpan<float> target) => Regression.LogCosh(pred, target);
}
