#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Metrics;

/// <summary>Mean over the last axis of (prediction &gt; threshold) == target (Keras's <c>binary_accuracy</c>).</summary>
public sealed class BinaryAccuracy : MeanMetricWrapper
{
    /// <summary>Creates the metric.</summary>
    /// <param name="name">The log key.</param>
    /// <param name="threshold">A prediction above it counts as 1 (Keras's default 0.5).</param>
    public BinaryAccuracy(string name = "binary_accuracy", double threshold = 0.5) : base(name)
    {
        if (!double.IsFinite(threshold)) throw new KerasNetException($"BinaryAccuracy: threshold must be a finite number, got {threshold}.");
        Threshold = threshold;
        _threshold = (float)threshold;
    }

    private readonly float _threshold;

    /// <summary>The decision threshold.</summary>
    public double Threshold { get; }

    internal override string FunctionName => "binary_accuracy";

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["threshold"] = Threshold;
        return c;
    }

    private protected override double Row(ReadOnlySpan<float> pred, ReadOnlySpan<float> target)
    {
        int hits = 0;
        for (int j = 0; j < pred.Length; j++) if ((pred[j] > _threshold ? 1f : 0f) == target[j]) hits++;
        return (double)hits / pred.Length;
    }
}
