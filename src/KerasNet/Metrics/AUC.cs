#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Metrics;

/// <summary>
/// The area under the ROC or precision-recall curve, approximated from confusion counts at thresholds (Keras's
/// <c>AUC</c>, tf.keras 2.4): num_thresholds - 2 evenly spaced thresholds i / (num_thresholds - 1) inside (0, 1), plus
/// -1e-7 and 1 + 1e-7 at the ends so that predictions of exactly 0 and 1 fall inside; a Riemann sum over the
/// thresholds ("interpolation": trapezoids, or for PR Davis &amp; Goadrich's interpolation of tp and fp;
/// "minoring"/"majoring": the lower/upper of each pair of heights). Every output element is one (label, score) pair
/// (multi_label=False). Predictions must lie in [0, 1].
/// </summary>
public sealed class AUC : Metric
{
    private const float Epsilon = 1e-7f; // Keras's backend epsilon
    private readonly ConfusionMatrix _cm;
    private readonly double[] _inner; // the thresholds between the end points, as the config lists them

    /// <summary>Creates the metric.</summary>
    /// <param name="numThresholds">How many thresholds (more than 1; Keras's default 200); ignored when <paramref name="thresholds"/> are given.</param>
    /// <param name="curve">"ROC" (default) or "PR".</param>
    /// <param name="summationMethod">"interpolation" (default), "minoring" or "majoring".</param>
    /// <param name="name">The log key.</param>
    /// <param name="thresholds">Thresholds in [0, 1] to use instead of the even ones (the end points are added).</param>
    /// <param name="multiLabel">Only false (the data flattened into one label) is supported.</param>
    public AUC(int numThresholds = 200, string curve = "ROC", string summationMethod = "interpolation", string name = "auc",
        double[]? thresholds = null, bool multiLabel = false) : base(name)
    {
        Curve = (curve ?? throw new ArgumentNullException(nameof(curve))).ToUpperInvariant() switch
        {
            "ROC" => "ROC",
            "PR" => "PR",
            _ => throw new KerasNetException($"AUC: invalid curve '{curve}'; valid options are ROC and PR."),
        };
        SummationMethod = (summationMethod ?? throw new ArgumentNullException(nameof(summationMethod))).ToLowerInvariant() switch
        {
            "interpolation" or "minoring" or "majoring" => summationMethod.ToLowerInvariant(),
            _ => throw new KerasNetException($"AUC: invalid summation_method '{summationMethod}'; valid options are interpolation, minoring and majoring."),
        };
        if (multiLabel) throw new KerasNetException("AUC: multi_label=True is not supported; only multi_label=False (labels flattened) is.");
        if (thresholds != null)
        {
            foreach (double t in thresholds)
                if (!(t >= 0 && t <= 1)) throw new KerasNetException($"AUC: thresholds must be in [0, 1], got {t}.");
            _inner = thresholds.OrderBy(t => t).ToArray();
            NumThresholds = _inner.Length + 2;
        }
        else
        {
            if (numThresholds <= 1) throw new KerasNetException($"AUC: num_thresholds must be > 1, got {numThresholds}.");
            NumThresholds = numThresholds;
            _inner = Enumerable.Range(1, numThresholds - 2).Select(i => i * 1.0 / (numThresholds - 1)).ToArray();
        }
        var all = new float[NumThresholds];
        all[0] = 0f - Epsilon;
        for (int i = 0; i < _inner.Length; i++) all[i + 1] = (float)_inner[i];
        all[^1] = 1f + Epsilon;
        _cm = new ConfusionMatrix(all);
    }

    /// <summary>The number of thresholds, the end points included.</summary>
    public int NumThresholds { get; }

    /// <summary>"ROC" or "PR".</summary>
    public string Curve { get; }

    /// <summary>"interpolation", "minoring" or "majoring".</summary>
    public string SummationMethod { get; }

    /// <summary>The thresholds, ascending, the end points included (as Keras's <c>thresholds</c> attribute).</summary>
    public IReadOnlyList<float> Thresholds => [0f - Epsilon, .. _inner.Select(t => (float)t), 1f + Epsilon];

    /// <summary>The accumulated counts per threshold (tp, fp, tn, fn), ascending thresholds.</summary>
    public (double[] Tp, double[] Fp, double[] Tn, double[] Fn) Counts =>
        (_cm.TruePositives.ToArray(), _cm.FalsePositives.ToArray(), _cm.TrueNegatives.ToArray(), _cm.FalseNegatives.ToArray());

    /// <inheritdoc/>
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) => _cm.Update(yTrue, yPred, sampleWeight, Name);

    /// <inheritdoc/>
    public override void ResetState() => _cm.Reset();

    /// <inheritdoc/>
    public override double Result()
    {
        double[] tp = _cm.TruePositives, fp = _cm.FalsePositives, tn = _cm.TrueNegatives, fn = _cm.FalseNegatives;
        int n = NumThresholds;
        if (Curve == "PR" && SummationMethod == "interpolation") return InterpolatePrAuc(tp, fp, fn);
        double sum = 0;
        for (int i = 0; i < n - 1; i++)
        {
            // ROC: y = recall against x = false positive rate; PR: y = precision against x = recall.
            double x0, x1, y0, y1;
            if (Curve == "ROC")
            {
                x0 = Div(fp[i], fp[i] + tn[i]); x1 = Div(fp[i + 1], fp[i + 1] + tn[i + 1]);
                y0 = Div(tp[i], tp[i] + fn[i]); y1 = Div(tp[i + 1], tp[i + 1] + fn[i + 1]);
            }
            else
            {
                x0 = Div(tp[i], tp[i] + fn[i]); x1 = Div(tp[i + 1], tp[i + 1] + fn[i + 1]);
                y0 = Div(tp[i], tp[i] + fp[i]); y1 = Div(tp[i + 1], tp[i + 1] + fp[i + 1]);
            }
            double height = SummationMethod switch
            {
                "interpolation" => (y0 + y1) / 2,
                "minoring" => Math.Min(y0, y1),
                _ => Math.Max(y0, y1),
            };
            sum += (x0 - x1) * height;
        }
        return sum;
    }

    // Davis & Goadrich 2006 as Keras's interpolate_pr_auc: tp and p = tp + fp vary linearly between thresholds, so
    // each interval adds slope (dtp + intercept log(p_a / p_b)) / (tp_b + fn_b).
    private static double InterpolatePrAuc(double[] tp, double[] fp, double[] fn)
    {
        double sum = 0;
        for (int i = 0; i < tp.Length - 1; i++)
        {
            double pa = tp[i] + fp[i], pb = tp[i + 1] + fp[i + 1];
            double dtp = tp[i] - tp[i + 1], dp = pa - pb;
            double slope = Div(dtp, Math.Max(dp, 0));
            double intercept = tp[i + 1] - slope * pb;
            double ratio = pa > 0 && pb > 0 ? Div(pa, Math.Max(pb, 0)) : 1;
            sum += Div(slope * (dtp + intercept * Math.Log(ratio)), Math.Max(tp[i + 1] + fn[i + 1], 0));
        }
        return sum;
    }

    private static double Div(double a, double b) => ConfusionMatrix.DivNoNan(a, b);

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["num_thresholds"] = NumThresholds;
        c["curve"] = Curve;
        c["summation_method"] = SummationMethod;
        c["thresholds"] = new JsonArray(_inner.Select(t => (JsonNode?)t).ToArray());
        c["multi_label"] = false;
        c["label_weights"] = null;
        return c;
    }
}
