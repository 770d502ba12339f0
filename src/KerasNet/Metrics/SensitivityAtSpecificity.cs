#nullable enable
namespace KerasNet.Metrics;

/// <summary>The best sensitivity (recall) at a threshold where specificity tn / (tn + fp) is &gt;= <c>specificity</c> (Keras's <c>SensitivityAtSpecificity</c>).</summary>
/// <param name="specificity">The bound, in [0, 1].</param>
/// <param name="numThresholds">How many thresholds to try (Keras's default 200).</param>
/// <param name="name">The log key.</param>
public sealed class SensitivityAtSpecificity(double specificity, int numThresholds = 200, string name = "sensitivity_at_specificity")
    : SensitivitySpecificityBase(name, specificity, "specificity", numThresholds)
{
    /// <inheritdoc/>
    public override double Result() => MaxWhere(Specificity, Sensitivity);
}
