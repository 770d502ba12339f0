#nullable enable
using KerasNet.Engine;

namespace KerasNet.Metrics;

/// <summary>
/// sqrt of the weighted mean of (prediction - target)^2 over every element seen (tf.keras 2.4's
/// RootMeanSquaredError: a Mean of the element-wise squared errors, each weighted by its sample's weight).
/// </summary>
/// <param name="name">The log key.</param>
public sealed class RootMeanSquaredError(string name = "root_mean_squared_error") : Metric(name)
{
    private double _total, _count;

    /// <inheritdoc/>
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (yTrue.Length != yPred.Length)
            throw new ShapeMismatchException($"Metric '{Name}': targets of shape {ShapeUtil.Format(yTrue.Shape)} do not match outputs of shape {ShapeUtil.Format(yPred.Shape)}.");
        var w = MetricWeights.OfElements(sampleWeight, yPred, Name);
        var p = yPred.Span; var y = yTrue.Span;
        for (int i = 0; i < p.Length; i++)
        {
            double d = (double)p[i] - y[i], wi = w.Row(i);
            _total += wi * d * d;
            _count += wi;
        }
    }

    /// <inheritdoc/>
    public override double Result() => _count == 0 ? 0 : Math.Sqrt(_total / _count);

    /// <inheritdoc/>
    public override void ResetState() { _total = 0; _count = 0; }
}
