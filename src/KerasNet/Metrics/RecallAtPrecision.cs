#nullable enable
namespace KerasNet.Metrics;

/// <summary>The best recall at a threshold where precision is &gt;= <c>precision</c> (0 when no threshold reaches it; Keras's <c>RecallAtPrecision</c>).</summary>
/// <param name="precision">The bound, in [0, 1].</param>
/// <param name="numThresholds">How many thresholds to try (Keras's default 200).</param>
/// <param name="name">The log key.</param>
public sealed class RecallAtPrecision(double precision, int numThresholds = 200, string name = "recall_at_precision")
    : SensitivitySpecificityBase(name, precision, "precision", numThresholds)
{
    /// <inheritdoc/>
    public override double Result() => MaxWhere(PrecisionAt, Sensitivity);
}
