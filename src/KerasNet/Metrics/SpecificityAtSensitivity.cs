#nullable enable
namespace KerasNet.Metrics;

/// <summary>The best specificity at a threshold where sensitivity tp / (tp + fn) is &gt;= <c>sensitivity</c> (Keras's <c>SpecificityAtSensitivity</c>).</summary>
/// <param name="sensitivity">The bound, in [0, 1].</param>
/// <param name="numThresholds">How many thresholds to try (Keras's default 200).</param>
/// <param name="name">The log key.</param>
public sealed class SpecificityAtSensitivity(double sensitivity, int numThresholds = 200, string name = "specificity_at_sensitivity")
    : SensitivitySpecificityBase(name, sensitivity, "sensitivity", numThresholds)
{
    /// <inheritdoc/>
    public override double Result() => MaxWhere(Sensitivity, Specificity);
}
