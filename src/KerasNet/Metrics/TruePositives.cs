#nullable enable
namespace KerasNet.Metrics;

/// <summary>The (weighted) number of true positives at each threshold (Keras's <c>TruePositives</c>; a prediction above the threshold is positive).</summary>
/// <param name="thresholds">Thresholds in [0, 1] (null: 0.5); with several, read <see cref="ConfusionMatrixConditionCount.ResultPerThreshold"/>.</param>
/// <param name="name">The log key.</param>
public sealed class TruePositives(double[]? thresholds = null, string name = "true_positives") : ConfusionMatrixConditionCount(name, thresholds)
{
    private protected override double[] Cell(ConfusionMatrix cm) => cm.TruePositives;
}
