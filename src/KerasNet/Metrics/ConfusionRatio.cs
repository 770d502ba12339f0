#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Metrics;

/// <summary>
/// The base of <see cref="Precision"/> and <see cref="Recall"/>: tp / (tp + fp) or tp / (tp + fn) at each
/// threshold (0 where nothing was counted, as Keras's div_no_nan), with Keras's top_k and class_id.
/// </summary>
public abstract class ConfusionRatio : Metric
{
    private protected readonly ConfusionMatrix Cm;
    private readonly double[]? _thresholds;

    private protected ConfusionRatio(string name, double[]? thresholds, int? topK, int? classId) : base(name)
    {
        if (topK is < 1) throw new KerasNetException($"{GetType().Name}: top_k must be at least 1, got {topK}.");
        if (classId is < 0) throw new KerasNetException($"{GetType().Name}: class_id must be non-negative, got {classId}.");
        // Keras: the default threshold is 0.5, or -inf with top_k (every kept prediction is positive).
        var t = thresholds is null && topK != null ? [ConfusionMatrix.NegInf] : ConfusionMatrix.Thresholds(thresholds, 0.5, GetType().Name);
        Cm = new ConfusionMatrix(t, topK, classId);
        _thresholds = thresholds?.ToArray();
        TopK = topK;
        ClassId = classId;
    }

    /// <summary>The thresholds given (null: Keras's default).</summary>
    public IReadOnlyList<double>? Thresholds => _thresholds;

    /// <summary>Only each row's k highest predictions are compared with the thresholds (null: all).</summary>
    public int? TopK { get; }

    /// <summary>The one class (column) counted (null: every element).</summary>
    public int? ClassId { get; }

    private protected abstract double[] Other { get; }

    /// <inheritdoc/>
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) => Cm.Update(yTrue, yPred, sampleWeight, Name);

    /// <summary>The ratio; with several thresholds, use <see cref="ResultPerThreshold"/>.</summary>
    /// <returns>The ratio at the single threshold (0 when its denominator is 0, as Keras's div_no_nan).</returns>
    public override double Result()
    {
        if (Cm.Count != 1) ConfusionMatrixConditionCount.Single(Cm.TruePositives, Name); // throws, naming the count
        return ConfusionMatrix.DivNoNan(Cm.TruePositives[0], Cm.TruePositives[0] + Other[0]);
    }

    /// <summary>The ratio at each threshold, in the order given.</summary>
    /// <returns>One ratio per threshold.</returns>
    public double[] ResultPerThreshold()
    {
        var tp = Cm.TruePositives; var other = Other;
        var r = new double[tp.Length];
        for (int i = 0; i < r.Length; i++) r[i] = ConfusionMatrix.DivNoNan(tp[i], tp[i] + other[i]);
        return r;
    }

    internal override string? NotScalar => Cm.Count == 1 ? null
        : $"{GetType().Name} '{Name}' has {Cm.Count} thresholds, but a log holds one number per metric: compile one metric per threshold (ResultPerThreshold() serves standalone use)";

    /// <inheritdoc/>
    public override void ResetState() => Cm.Reset();

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["thresholds"] = ConfusionMatrixConditionCount.ThresholdsJson(_thresholds);
        c["top_k"] = TopK;
        c["class_id"] = ClassId;
        return c;
    }
}
