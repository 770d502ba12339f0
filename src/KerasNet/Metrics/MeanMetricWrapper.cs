#nullable enable
using KerasNet.Engine;

namespace KerasNet.Metrics;

/// <summary>
/// Keras's MeanMetricWrapper: a metric function gives one value per row of the outputs (every axis but the last),
/// and the metric is the weighted mean of those values over the batches seen (tf.keras 2.4's <c>Mean</c> with
/// <c>WEIGHTED_MEAN</c>: sum(w value) / sum(w)).
/// </summary>
public abstract class MeanMetricWrapper : Metric
{
    private double _total, _count;

    /// <summary>Creates the metric with its log key.</summary>
    private protected MeanMetricWrapper(string name) : base(name) { }

    /// <summary>
    /// The function's value for one row: <paramref name="pred"/> holds the row's predictions (the last axis) and
    /// <paramref name="target"/> the row's targets, as many values or one (an integer class, or a target of shape (N,)
    /// against outputs (N, 1)).
    /// </summary>
    private protected abstract double Row(ReadOnlySpan<float> pred, ReadOnlySpan<float> target);

    /// <summary>Whether the targets hold one value per row (sparse class indices) rather than one per output.</summary>
    private protected virtual bool SparseTargets => false;

    /// <inheritdoc/>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        int c = yPred.Rank == 0 ? 1 : yPred.Shape[^1], rows = c == 0 ? 0 : yPred.Length / c;
        int t = TargetWidth(yTrue, yPred, c, rows);
        var weights = MetricWeights.Of(sampleWeight, yPred, rows, Name);
        var p = yPred.Span; var y = yTrue.Span;
        for (int r = 0; r < rows; r++)
        {
            double w = weights.Row(r);
            _total += w * Row(p.Slice(r * c, c), y.Slice(r * t, t));
            _count += w;
        }
    }

    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private int TargetWidth(Tensor yTrue, Tensor yPred, int c, int rows)
    {
        if (SparseTargets)
        {
            if (yTrue.Length == rows) return 1;
        }
        else if (yTrue.Length == rows * c) return c;
        else if (yTrue.Length == rows && c == 1) return 1;
        throw new ShapeMismatchException($"Metric '{Name}': targets of shape {ShapeUtil.Format(yTrue.Shape)} do not match outputs of shape {ShapeUtil.Format(yPred.Shape)}"
            + (SparseTargets ? " (it expects one integer class per row)." : "."));
    }

    /// <inheritdoc/>
    public override double Result() => _count == 0 ? 0 : _total / _count;

    /// <inheritdoc/>
    public override void ResetState() { _total = 0; _count = 0; }
}
