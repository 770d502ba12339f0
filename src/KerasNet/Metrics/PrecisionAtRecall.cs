#nullable enable
namespace KerasNet.Metrics;

/// <summary>The best precision at a threshold where recall is &gt;= <c>recall</c> (Keras's <c>PrecisionAtRecall</c>).</summary>
/// <param name="recall">The bound, in [0, 1].</param>
/// <param name="numThresholds">How many thresholds to try (Keras's default 200).</param>
/// <param name="name">The log key.</param>
public sealed class PrecisionAtRecall(double recall, int numThresholds = 200, string name = "precision_at_recall")
    : SensitivitySpecificityBase(name, recall, "recall", numThresholds)
{
    /// <inheritdoc/>
    public override double Result() => MaxWhere(Sensitivity, PrecisionAt);
}
