#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Metrics;

/// <summary>
/// The base of the metrics that read one rate where another meets a bound (tf.keras 2.4's
/// SensitivitySpecificityBase): confusion counts at num_thresholds thresholds 0, 1/(n-1), ..., 1 (0.5 alone when
/// n = 1); the result is the largest dependent rate among the thresholds whose constrained rate is &gt;= the value
/// (0 when none is).
/// </summary>
public abstract class SensitivitySpecificityBase : Metric
{
    private protected readonly ConfusionMatrix Cm;
    private readonly string _valueKey;

    private protected SensitivitySpecificityBase(string name, double value, string valueKey, int numThresholds) : base(name)
    {
        if (!(value >= 0 && value <= 1)) throw new KerasNetException($"{GetType().Name}: {valueKey} must be in the range [0, 1], got {value}.");
        if (numThresholds <= 0) throw new KerasNetException($"{GetType().Name}: num_thresholds must be > 0, got {numThresholds}.");
        Value = value;
        NumThresholds = numThresholds;
        _valueKey = valueKey;
        var t = numThresholds == 1 ? [0.5f]
            : Enumerable.Range(0, numThresholds).Select(i => i == 0 ? 0f : i == numThresholds - 1 ? 1f : (float)(i * 1.0 / (numThresholds - 1))).ToArray();
        Cm = new ConfusionMatrix(t);
    }

    /// <summary>The bound on the constrained rate.</summary>
    public double Value { get; }

    /// <summary>The number of thresholds.</summary>
    public int NumThresholds { get; }

    /// <inheritdoc/>
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) => Cm.Update(yTrue, yPred, sampleWeight, Name);

    /// <inheritdoc/>
    public override void ResetState() => Cm.Reset();

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["num_thresholds"] = NumThresholds;
        c[_valueKey] = Value;
        return c;
    }

    private protected double Sensitivity(int i) => ConfusionMatrix.DivNoNan(Cm.TruePositives[i], Cm.TruePositives[i] + Cm.FalseNegatives[i]);
    private protected double Specificity(int i) => ConfusionMatrix.DivNoNan(Cm.TrueNegatives[i], Cm.TrueNegatives[i] + Cm.FalsePositives[i]);
    private protected double PrecisionAt(int i) => ConfusionMatrix.DivNoNan(Cm.TruePositives[i], Cm.TruePositives[i] + Cm.FalsePositives[i]);

    /// <summary>Keras's _find_max_under_constraint with greater_equal.</summary>
    private protected double MaxWhere(Func<int, double> constrained, Func<int, double> dependent)
    {
        double best = 0;
        bool any = false;
        for (int i = 0; i < Cm.Count; i++)
            if (constrained(i) >= Value)
            {
                double d = dependent(i);
                best = any ? Math.Max(best, d) : d;
                any = true;
            }
        return best;
    }
}
