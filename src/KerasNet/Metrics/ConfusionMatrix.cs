#nullable enable
using KerasNet.Engine;

namespace KerasNet.Metrics;

/// <summary>
/// The true/false positive/negative counts at each threshold that Keras's confusion metrics accumulate
/// (tf.keras 2.4 metrics_utils.update_confusion_matrix_variables): every element of the outputs is one
/// (label, prediction) pair, label = target != 0, predicted positive at threshold t when prediction &gt; t; top_k keeps
/// only each row's k highest predictions (the others count as -1e10, below any threshold) and class_id then keeps one
/// column. Predictions must lie in [0, 1], as Keras asserts. Each batch costs one binary search per element and one
/// pass over the thresholds, without allocating.
/// </summary>
internal sealed class ConfusionMatrix
{
    /// <summary>Keras's NEG_INF: what top_k leaves for the predictions it drops.</summary>
    public const float NegInf = -1e10f;

    private readonly float[] _sorted;  // thresholds ascending
    private readonly int[] _order;     // _sorted[i] is threshold _order[i] of the caller's list
    private readonly double[] _posAt, _negAt; // weight of positive/negative labels whose prediction exceeds exactly the first k sorted thresholds
    private readonly int? _topK, _classId;
    private bool[] _keep = [];

    public ConfusionMatrix(float[] thresholds, int? topK = null, int? classId = null)
    {
        int n = thresholds.Length;
        _order = Enumerable.Range(0, n).OrderBy(i => thresholds[i]).ToArray();
        _sorted = _order.Select(i => thresholds[i]).ToArray();
        _posAt = new double[n + 1];
        _negAt = new double[n + 1];
        TruePositives = new double[n]; FalsePositives = new double[n]; TrueNegatives = new double[n]; FalseNegatives = new double[n];
        _topK = topK;
        _classId = classId;
    }

    public double[] TruePositives { get; }
    public double[] FalsePositives { get; }
    public double[] TrueNegatives { get; }
    public double[] FalseNegatives { get; }
    public int Count => _sorted.Length;

    public void Reset()
    {
        Array.Clear(TruePositives); Array.Clear(FalsePositives); Array.Clear(TrueNegatives); Array.Clear(FalseNegatives);
    }

    public void Update(Tensor yTrue, Tensor yPred, Tensor? sampleWeight, string metric)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (yTrue.Length != yPred.Length)
            throw new ShapeMismatchException($"Metric '{metric}': targets of shape {ShapeUtil.Format(yTrue.Shape)} do not match outputs of shape {ShapeUtil.Format(yPred.Shape)} (it needs a target per output value).");
        int c = yPred.Rank == 0 ? 1 : yPred.Shape[^1], rows = c == 0 ? 0 : yPred.Length / c;
        if (_classId is int id && (id < 0 || id >= c)) throw new KerasNetException($"Metric '{metric}': class_id {id} is out of range for outputs of shape {ShapeUtil.Format(yPred.Shape)}.");
        if (_topK is int k0 && k0 < 1) throw new KerasNetException($"Metric '{metric}': top_k must be at least 1, got {k0}.");
        var p = yPred.Span; var y = yTrue.Span;
        foreach (float v in p)
            if (!(v >= 0 && v <= 1)) throw new KerasNetException($"Metric '{metric}': predictions must be in [0, 1], got {v} (Keras asserts y_pred >= 0 and <= 1).");
        var w = MetricWeights.OfElements(sampleWeight, yPred, metric);
        Array.Clear(_posAt); Array.Clear(_negAt);
        if (_keep.Length < c) _keep = new bool[c];
        for (int r = 0; r < rows; r++)
        {
            var row = p.Slice(r * c, c);
            if (_topK is int k) MarkTopK(row, k);
            int from = _classId ?? 0, to = _classId is int one ? one + 1 : c;
            for (int j = from; j < to; j++)
            {
                float v = _topK is null || _keep[j] ? row[j] : NegInf;
                double wi = w.Row(r * c + j);
                int above = Above(v);
                if (y[r * c + j] != 0) _posAt[above] += wi; else _negAt[above] += wi;
            }
        }
        // A pair counts positive at the first `above` sorted thresholds: suffix sums give the counts per threshold.
        double pos = 0, neg = 0, posAll = 0, negAll = 0;
        for (int i = 0; i <= _sorted.Length; i++) { posAll += _posAt[i]; negAll += _negAt[i]; }
        for (int i = _sorted.Length - 1; i >= 0; i--)
        {
            pos += _posAt[i + 1]; neg += _negAt[i + 1];
            int t = _order[i];
            TruePositives[t] += pos; FalsePositives[t] += neg;
            FalseNegatives[t] += posAll - pos; TrueNegatives[t] += negAll - neg;
        }
    }

    // How many sorted thresholds lie strictly below v (v > t counts as predicted positive).
    private int Above(float v)
    {
        int lo = 0, hi = _sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (v > _sorted[mid]) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    // tf.nn.top_k's choice: the k highest, the lower index first among equal values.
    private void MarkTopK(ReadOnlySpan<float> row, int k)
    {
        for (int j = 0; j < row.Length; j++)
        {
            int better = 0;
            for (int i = 0; i < row.Length && better < k; i++)
                if (row[i] > row[j] || (row[i] == row[j] && i < j)) better++;
            _keep[j] = better < k;
        }
    }

    /// <summary>Keras's parse_init_thresholds: the thresholds given, or the default one; each in [0, 1].</summary>
    public static float[] Thresholds(double[]? thresholds, double fallback, string metric)
    {
        if (thresholds is null) return [(float)fallback];
        if (thresholds.Length == 0) throw new KerasNetException($"{metric}: thresholds must not be empty.");
        foreach (double t in thresholds)
            if (!(t >= 0 && t <= 1)) throw new KerasNetException($"{metric}: thresholds must be in [0, 1], got {t}.");
        return thresholds.Select(t => (float)t).ToArray();
    }

    public static double DivNoNan(double a, double b) => b == 0 ? 0 : a / b;
}
