#nullable enable
using System.Globalization;
using System.Text;
using KerasNet.Utils;

namespace KerasNet.Sklearn;

/// <summary>Per-class and averaged precision, recall, F1 and support, as <c>precision_recall_fscore_support</c> returns them.</summary>
/// <param name="Precision">One value per label (or one averaged value).</param>
/// <param name="Recall">One value per label (or one averaged value).</param>
/// <param name="FScore">One value per label (or one averaged value).</param>
/// <param name="Support">Number of true samples per label (null for averages, as in scikit-learn).</param>
public sealed record PrecisionRecallFscore(double[] Precision, double[] Recall, double[] FScore, int[]? Support);

public static partial class SklearnMetrics
{
    /// <summary>
    /// <c>precision_recall_fscore_support(y_true, y_pred, labels, average, zero_division)</c> with beta = 1.
    /// <paramref name="average"/> is null (per label), "micro", "macro" or "weighted".
    /// </summary>
    /// <param name="yTrue">The true labels.</param>
    /// <param name="yPred">The predicted labels.</param>
    /// <param name="labels">The labels to report, in order; null (the default) is the sorted labels of both.</param>
    /// <param name="average">null (scikit-learn's default <c>average=None</c>: one value per label), <c>"micro"</c>,
    /// <c>"macro"</c> or <c>"weighted"</c>.</param>
    /// <param name="zeroDivision">What a 0/0 ratio gives: <see cref="ZeroDivision.Warn"/> (scikit-learn's default
    /// <c>"warn"</c>: 0 and a warning), 0 or 1.</param>
    /// <param name="warn">Receives the UndefinedMetricWarning texts; null ignores them.</param>
    /// <returns>Precision, recall, F1 and support.</returns>
    public static PrecisionRecallFscore PrecisionRecallFscoreSupport(IReadOnlyList<int> yTrue, IReadOnlyList<int> yPred,
        IReadOnlyList<int>? labels = null, string? average = null, ZeroDivision zeroDivision = ZeroDivision.Warn,
        Action<string>? warn = null)
    {
        CheckTargets(yTrue, yPred, "precision_recall_fscore_support");
        if (average is not (null or "micro" or "macro" or "weighted"))
            throw new KerasNetException($"precision_recall_fscore_support: average must be null, 'micro', 'macro' or 'weighted', got '{average}'.");
        var lab = labels is null ? UniqueLabels(yTrue, yPred) : CheckLabels(labels, yTrue, yPred, "precision_recall_fscore_support");
        var index = new Dictionary<int, int>();
        for (int i = 0; i < lab.Length; i++) index[lab[i]] = i;
        long[] tp = new long[lab.Length], predSum = new long[lab.Length], trueSum = new long[lab.Length];
        for (int s = 0; s < yTrue.Count; s++)
        {
            bool t = index.TryGetValue(yTrue[s], out int ti), p = index.TryGetValue(yPred[s], out int pi);
            if (t) trueSum[ti]++;
            if (p) predSum[pi]++;
            if (t && p && ti == pi) tp[ti]++;
        }
        if (average == "micro") (tp, predSum, trueSum) = ([tp.Sum()], [predSum.Sum()], [trueSum.Sum()]);

        var precision = Divide(tp, predSum, zeroDivision, "Precision", "predicted", warn);
        var recall = Divide(tp, trueSum, zeroDivision, "Recall", "true", warn);
        var f = new double[precision.Length];
        for (int i = 0; i < f.Length; i++)
        {
            // scikit-learn's arithmetic order: (1 + beta^2) * p * r / (beta^2 * p + r), a zero denominator giving 0.
            double denom = precision[i] + recall[i];
            f[i] = 2.0 * precision[i] * recall[i] / (denom == 0 ? 1 : denom);
        }
        if (average is null) return new(precision, recall, f, trueSum.Select(v => (int)v).ToArray());

        if (average == "weighted")
        {
            var weights = trueSum.Select(v => (double)v).ToArray();
            double total = PyFormat.Sum(weights);
            if (total == 0)
            {
                double z = zeroDivision == ZeroDivision.One ? 1 : 0;
                return predSum.Sum() == 0 ? new([z], [z], [z], null) : new([0], [z], [0], null);
            }
            return new([Weighted(precision, weights, total)], [Weighted(recall, weights, total)], [Weighted(f, weights, total)], null);
        }
        return new([Mean(precision)], [Mean(recall)], [Mean(f)], null);
    }

    /// <summary>
    /// <c>classification_report(y_true, y_pred, labels, target_names, digits, zero_division)</c>: scikit-learn's text,
    /// character for character (per-class rows, then the accuracy row when it applies, macro and weighted averages).
    /// <paramref name="warn"/> receives scikit-learn's UndefinedMetricWarning texts when <paramref name="zeroDivision"/> is Warn.
    /// </summary>
    /// <param name="yTrue">The true labels.</param>
    /// <param name="yPred">The predicted labels.</param>
    /// <param name="labels">The labels to report, in order; null (the default) is the sorted labels of both.</param>
    /// <param name="targetNames">Names shown for the labels, in the same order; null shows the labels.</param>
    /// <param name="digits">Digits after the point (scikit-learn's default 2).</param>
    /// <param name="zeroDivision">What a 0/0 ratio gives: <see cref="ZeroDivision.Warn"/> (scikit-learn's default
    /// <c>"warn"</c>: 0 and a warning), 0 or 1.</param>
    /// <param name="warn">Receives the UndefinedMetricWarning texts; null ignores them.</param>
    /// <returns>The report text.</returns>
    public static string ClassificationReport(IReadOnlyList<int> yTrue, IReadOnlyList<int> yPred, IReadOnlyList<int>? labels = null,
        IReadOnlyList<string>? targetNames = null, int digits = 2, ZeroDivision zeroDivision = ZeroDivision.Warn, Action<string>? warn = null)
    {
        CheckTargets(yTrue, yPred, "classification_report");
        if (digits < 0) throw new KerasNetException($"classification_report: digits must be non-negative, got {digits}.");
        var unique = UniqueLabels(yTrue, yPred);
        var lab = labels is null ? unique : CheckLabels(labels, yTrue, yPred, "classification_report");
        // "accuracy" replaces "micro avg" unless the given labels leave some classes out or add others.
        bool microIsAccuracy = labels is null || lab.ToHashSet().SetEquals(unique);
        if (targetNames != null && targetNames.Count != lab.Length)
        {
            if (labels is null)
                throw new KerasNetException($"classification_report: number of classes, {lab.Length}, does not match size of target_names, {targetNames.Count}. Try specifying the labels parameter.");
            warn?.Invoke($"labels size, {lab.Length}, does not match size of target_names, {targetNames.Count}");
        }
        var names = targetNames?.ToArray() ?? lab.Select(l => l.ToString(CultureInfo.InvariantCulture)).ToArray();

        var perClass = PrecisionRecallFscoreSupport(yTrue, yPred, lab, null, zeroDivision, warn);
        const string longestHeading = "weighted avg";
        // Python's zip stops at the shorter list when target_names and labels differ in length.
        int rows = Math.Min(names.Length, lab.Length);
        int width = Math.Max(Math.Max(names.Length == 0 ? 0 : names.Max(PyFormat.Length), longestHeading.Length), digits);

        var sb = new StringBuilder();
        sb.Append(PyFormat.Right("", width)).Append(' ');
        foreach (var h in new[] { "precision", "recall", "f1-score", "support" }) sb.Append(' ').Append(PyFormat.Right(h, 9));
        sb.Append("\n\n");
        long support = perClass.Support!.Sum(v => (long)v);
        // scikit-learn counts with float zeros when no sample at all is predicted right, so its supports then print as "2.0".
        bool floatSupport = !yTrue.Where((t, i) => t == yPred[i]).Any();
        for (int i = 0; i < rows; i++)
            AppendRow(sb, names[i], perClass.Precision[i], perClass.Recall[i], perClass.FScore[i], perClass.Support![i], floatSupport, width, digits);
        sb.Append('\n');

        foreach (var average in new[] { "micro", "macro", "weighted" })
        {
            var avg = PrecisionRecallFscoreSupport(yTrue, yPred, lab, average, zeroDivision, warn);
            if (average == "micro" && microIsAccuracy)
            {
                sb.Append(PyFormat.Right("accuracy", width)).Append(' ')
                  .Append(' ').Append(new string(' ', 9)).Append(' ').Append(new string(' ', 9))
                  .Append(' ').Append(PyFormat.Right(PyText.Fixed(avg.FScore[0], digits), 9))
                  .Append(' ').Append(PyFormat.Right(Support(support, floatSupport), 9)).Append('\n');
            }
            else AppendRow(sb, average + " avg", avg.Precision[0], avg.Recall[0], avg.FScore[0], support, floatSupport, width, digits);
        }
        return sb.ToString();
    }

    private static void AppendRow(StringBuilder sb, string name, double p, double r, double f, long support, bool floatSupport, int width, int digits)
    {
        sb.Append(PyFormat.Right(name, width)).Append(' ');
        foreach (var v in new[] { p, r, f }) sb.Append(' ').Append(PyFormat.Right(PyText.Fixed(v, digits), 9));
        sb.Append(' ').Append(PyFormat.Right(Support(support, floatSupport), 9)).Append('\n');
    }

    private static string Support(long support, bool asFloat) =>
        support.ToString(CultureInfo.InvariantCulture) + (asFloat ? ".0" : "");

    private static double[] Divide(long[] num, long[] den, ZeroDivision zeroDivision, string metric, string modifier, Action<string>? warn)
    {
        var r = new double[num.Length];
        int undefined = 0;
        for (int i = 0; i < r.Length; i++)
        {
            if (den[i] != 0) r[i] = (double)num[i] / den[i];
            else { r[i] = zeroDivision == ZeroDivision.One ? 1 : 0; undefined++; }
        }
        if (undefined > 0 && zeroDivision == ZeroDivision.Warn && warn != null)
        {
            // scikit-learn's UndefinedMetricWarning wording (_warn_prf; classification_report warns for precision and recall).
            string where = r.Length == 1 ? "due to" : "in labels with";
            warn($"{metric} and F-score are ill-defined and being set to 0.0 {where} no {modifier} samples. Use `zero_division` parameter to control this behavior.");
        }
        return r;
    }

    // np.average(a): np.add.reduce(a) / n.
    private static double Mean(double[] a) => PyFormat.Sum(a) / a.Length;

    // np.average(a, weights=w): np.add.reduce(a * w) / np.add.reduce(w).
    private static double Weighted(double[] a, double[] w, double total)
    {
        var prod = new double[a.Length];
        for (int i = 0; i < a.Length; i++) prod[i] = a[i] * w[i];
        return PyFormat.Sum(prod) / total;
    }
}
