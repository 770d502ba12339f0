#nullable enable
using KerasNet.Engine;

namespace KerasNet.Metrics;

/// <summary>
/// Sample weights broadcast as Keras broadcasts them over a metric's values: one weight per sample applies to every
/// row (or element) of that sample, one per row to each row; no weights count 1 each.
/// </summary>
internal readonly struct MetricWeights
{
    private readonly float[]? _w;
    private readonly int _per; // values (rows or elements) sharing one weight

    private MetricWeights(float[]? w, int per) { _w = w; _per = per; }

    /// <summary>The weights of the rows of <paramref name="yPred"/> (every axis but the last).</summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static MetricWeights Of(Tensor? sampleWeight, Tensor yPred, int rows, string metric) =>
        For(sampleWeight, yPred, rows, metric, "row");

    /// <summary>The weights of the elements of <paramref name="yPred"/>.</summary>
    public static MetricWeights OfElements(Tensor? sampleWeight, Tensor yPred, string metric) =>
        For(sampleWeight, yPred, yPred.Length, metric, "element");

    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static MetricWeights For(Tensor? sampleWeight, Tensor yPred, int values, string metric, string what)
    {
        if (sampleWeight is null) return default;
        int n = yPred.BatchSize, len = sampleWeight.Length;
        if (len == 1) return new MetricWeights(sampleWeight.Buffer, Math.Max(1, values));
        foreach (int groups in (ReadOnlySpan<int>)[n, yPred.Length / Math.Max(1, yPred.Shape[^1]), yPred.Length])
            if (len == groups && groups > 0 && values % groups == 0) return new MetricWeights(sampleWeight.Buffer, values / groups);
        throw new ShapeMismatchException($"Metric '{metric}': sample weights of shape {ShapeUtil.Format(sampleWeight.Shape)} do not broadcast over outputs of shape {ShapeUtil.Format(yPred.Shape)} (give one weight per sample or per {what}).");
    }

    /// <summary>The weight of value <paramref name="i"/>.</summary>
    public double Row(int i) => _w is null ? 1.0 : _w[i / _per];

    /// <summary>Whether weights were given.</summary>
    public bool Given => _w != null;
}
