#nullable enable
namespace KerasNet.Metrics;

/// <summary>tp / (tp + fp): the share of predicted positives that are positive (Keras's <c>Precision</c>).</summary>
/// <param name="thresholds">Thresholds in [0, 1]: a prediction above one is positive (null: 0.5, or every top-k prediction).</param>
/// <param name="topK">Count only each row's k highest predictions (null: all).</param>
/// <param name="classId">Count only this class's column (null: every element).</param>
/// <param name="name">The log key.</param>
public sealed class Precision(double[]? thresholds = null, int? topK = null, int? classId = null, string name = "precision")
    : ConfusionRatio(name, thresholds, topK, classId)
{
    private protected override double[] Other => Cm.FalsePositives;
}
