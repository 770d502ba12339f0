#nullable enable
namespace KerasNet.Metrics;

/// <summary>argmax(prediction) == integer target, per row (Keras's <c>sparse_categorical_accuracy</c>).</summary>
/// <param name="name">The log key.</param>
public sealed class SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy") : MeanMetricWrapper(name)
{
    internal override string FunctionName => "sparse_categorical_accuracy";

    private protected override bool SparseTargets => true;

    private protected override double Row(ReadOnlySpan<float> pred, ReadOnlySpan<float> target) =>
        ArgMax(pred) == (int)target[0] ? 1 : 0;
}
