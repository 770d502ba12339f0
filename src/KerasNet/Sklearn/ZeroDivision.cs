#nullable enable
namespace KerasNet.Sklearn;

/// <summary>
/// What a metric is worth when its denominator is zero (scikit-learn's <c>zero_division</c>):
/// <see cref="Warn"/> (the default) acts as 0 and reports a warning.
/// </summary>
public enum ZeroDivision
{
    /// <summary><c>zero_division="warn"</c>: 0, with an UndefinedMetricWarning.</summary>
    Warn,
    /// <summary><c>zero_division=0</c>.</summary>
    Zero,
    /// <summary><c>zero_division=1</c>.</summary>
    One,
}
