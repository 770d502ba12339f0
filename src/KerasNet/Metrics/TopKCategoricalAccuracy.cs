#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Metrics;

/// <summary>
/// Whether argmax(target) is among the <see cref="K"/> highest predictions (Keras's
/// <c>top_k_categorical_accuracy</c>, tf.nn.in_top_k: fewer than k predictions are strictly above the target's, so
/// ties at the boundary count as in; a row with a non-finite prediction counts as out).
/// </summary>
public sealed class TopKCategoricalAccuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="k">How many of the highest predictions count (Keras's default 5).</param>
    /// <param name="name">The log key.</param>
    public TopKCategoricalAccuracy(int k = 5, string name = "top_k_categorical_accuracy") : base(name) => K = TopK.Check(k, nameof(TopKCategoricalAccuracy));

    /// <summary>How many of the highest predictions count.</summary>
    public int K { get; }

    internal override string FunctionName => "top_k_categorical_accuracy";

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["k"] = K;
        return c;
    }

    private protected override double Row(ReadOnlySpan<float> pred, ReadOnlySpan<float> target) =>
        TopK.InTopK(pred, ArgMax(target), K) ? 1 : 0;
}
