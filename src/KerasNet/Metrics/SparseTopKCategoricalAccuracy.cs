#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Metrics;

/// <summary>
/// Whether the integer target is among the <see cref="K"/> highest predictions (Keras's
/// <c>sparse_top_k_categorical_accuracy</c>; ties as <see cref="TopKCategoricalAccuracy"/>).
/// </summary>
public sealed class SparseTopKCategoricalAccuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="k">How many of the highest predictions count (Keras's default 5).</param>
    /// <param name="name">The log key.</param>
    public SparseTopKCategoricalAccuracy(int k = 5, string name = "sparse_top_k_categorical_accuracy") : base(name) =>
        K = TopK.Check(k, nameof(SparseTopKCategoricalAccuracy));

    /// <summary>How many of the highest predictions count.</summary>
    public int K { get; }

    internal override string FunctionName => "sparse_top_k_categorical_accuracy";

    private protected override bool SparseTargets => true;

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["k"] = K;
        return c;
    }

    private protected override double Row(ReadOnlySpan<float> pred, ReadOnlySpan<float> target)
    {
        float t = target[0];
        int k = (int)t;
        if (k != t || k < 0 || k >= pred.Length) throw new KerasNetException($"Metric '{Name}': target {t} is not a class index in [0, {pred.Length}).");
        return TopK.InTopK(pred, k, K) ? 1 : 0;
    }
}
