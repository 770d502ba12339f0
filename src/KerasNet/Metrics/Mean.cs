#nullable enable
using KerasNet.Engine;

namespace KerasNet.Metrics;

/// <summary>
/// The (weighted) running mean of the values given to <see cref="UpdateState(Tensor, Tensor?)"/> (Keras's
/// <c>Mean</c>: sum(w value) / sum(w), 0 before any value). It takes values, not targets and predictions, so it is
/// not a metric to compile.
/// </summary>
/// <param name="name">The log key.</param>
public sealed class Mean(string name = "mean") : Metric(name)
{
    private double _total, _count;

    /// <summary>Adds values, weighted one weight per value (or one per leading row, broadcast as Keras does).</summary>
    /// <param name="values">The values to average.</param>
    /// <param name="sampleWeight">One weight per value, or per leading row; null weighs each 1.</param>
    public void UpdateState(Tensor values, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        var w = MetricWeights.OfElements(sampleWeight, values, Name);
        var v = values.Span;
        for (int i = 0; i < v.Length; i++)
        {
            double wi = w.Row(i);
            _total += wi * v[i];
            _count += wi;
        }
    }

    /// <summary>Adds one value with a weight.</summary>
    /// <param name="value">The value.</param>
    /// <param name="sampleWeight">Its weight (default 1).</param>
    public void UpdateState(double value, double sampleWeight = 1)
    {
        _total += sampleWeight * value;
        _count += sampleWeight;
    }

    /// <summary>Refused: a Mean takes values (<see cref="UpdateState(Tensor, Tensor?)"/>), not targets and predictions.</summary>
    /// <param name="yTrue">Not used.</param>
    /// <param name="yPred">Not used.</param>
    /// <param name="sampleWeight">Not used.</param>
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight) =>
        throw new KerasNetException($"Mean '{Name}' averages values: call UpdateState(values, sampleWeight), not UpdateState(yTrue, yPred, sampleWeight).");

    /// <inheritdoc/>
    public override double Result() => _count == 0 ? 0 : _total / _count;

    /// <inheritdoc/>
    public override void ResetState() { _total = 0; _count = 0; }
}
