#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Metrics;

/// <summary>
/// The (weighted) count of one cell of the confusion matrix at each threshold: the base of
/// <see cref="TruePositives"/>, <see cref="TrueNegatives"/>, <see cref="FalsePositives"/> and
/// <see cref="FalseNegatives"/> (Keras's <c>_ConfusionMatrixConditionCount</c>).
/// </summary>
public abstract class ConfusionMatrixConditionCount : Metric
{
    private readonly ConfusionMatrix _cm;
    private readonly double[]? _thresholds;

    private protected ConfusionMatrixConditionCount(string name, double[]? thresholds) : base(name)
    {
        _cm = new ConfusionMatrix(ConfusionMatrix.Thresholds(thresholds, 0.5, GetType().Name));
        _thresholds = thresholds?.ToArray();
    }

    private protected abstract double[] Cell(ConfusionMatrix cm);

    /// <summary>The thresholds given (null: Keras's default 0.5).</summary>
    public IReadOnlyList<double>? Thresholds => _thresholds;

    /// <inheritdoc/>
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) => _cm.Update(yTrue, yPred, sampleWeight, Name);

    /// <summary>The count; with several thresholds, use <see cref="ResultPerThreshold"/>.</summary>
    /// <returns>The count at the single threshold.</returns>
    public override double Result() => Single(Cell(_cm), Name);

    /// <summary>The count at each threshold, in the order given.</summary>
    /// <returns>One count per threshold.</returns>
    public double[] ResultPerThreshold() => Cell(_cm).ToArray();

    internal override string? NotScalar => _cm.Count == 1 ? null
        : $"{GetType().Name} '{Name}' has {_cm.Count} thresholds, but a log holds one number per metric: compile one metric per threshold (ResultPerThreshold() serves standalone use)";

    /// <inheritdoc/>
    public override void ResetState() => _cm.Reset();

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["thresholds"] = ThresholdsJson(_thresholds);
        return c;
    }

    internal static JsonNode? ThresholdsJson(double[]? t) =>
        t is null ? null : t.Length == 1 ? JsonValue.Create(t[0]) : new JsonArray(t.Select(x => (JsonNode?)x).ToArray());

    internal static double Single(double[] values, string name) => values.Length == 1 ? values[0]
        : throw new KerasNetException($"Metric '{name}' has {values.Length} thresholds: read ResultPerThreshold() (a log holds one number per metric).");
}
