#nullable enable
namespace KerasNet.Metrics;

/// <summary>argmax(prediction) == argmax(target), per row (Keras's <c>categorical_accuracy</c>).</summary>
/// <param name="name">The log key.</param>
public sealed class CategoricalAccuracy(string name = "categorical_accuracy") : MeanMetricWrapper(name)
{
    internal override string FunctionName => "categorical_accuracy";

    private protected override double Row(ReadOnlySpan<float> pred, ReadOnlySpan<float> target) =>
        ArgMax(pred) == ArgMax(target) ? 1 : 0;
}
