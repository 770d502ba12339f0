#nullable enable
namespace KerasNet.Metrics;

/// <summary>tp / (tp + fn): the share of positives predicted positive (Keras's <c>Recall</c>).</summary>
/// <param name="thresholds">Thresholds in [0, 1]: a prediction above one is positive (null: 0.5, or every top-k prediction).</param>
/// <param name="topK">Count only each row's k highest predictions (null: all).</param>
/// <param name="classId">Count only this class's column (null: every element).</param>
/// <param name="name">The log key.</param>
public sealed class Recall(double[]? thresholds = null, int? topK = null, int? classId = null, string name = "recall")
    : ConfusionRatio(name, thresholds, topK, classId)
{
    private protected override double[] Other => Cm.FalseNegatives;
}
