#nullable enable
namespace KerasNet.Sklearn;

/// <summary>
/// scikit-learn's classification metrics (<c>sklearn.metrics</c>) for integer class labels, with its exact
/// numbers and report text: <c>using static KerasNet.Sklearn.SklearnMetrics;</c> reads like
/// <c>from sklearn.metrics import accuracy_score, classification_report, confusion_matrix</c>.
/// </summary>
public static partial class SklearnMetrics
{
    /// <summary>
    /// <c>accuracy_score(y_true, y_pred, normalize=True)</c>: the fraction (or, with <paramref name="normalize"/>
    /// false, the number) of samples whose predicted label equals the true one.
    /// </summary>
    /// <param name="yTrue">The true labels.</param>
    /// <param name="yPred">The predicted labels, as many.</param>
    /// <param name="normalize">True (scikit-learn's default) for the fraction, false for the count.</param>
    /// <returns>The fraction or the count of correct predictions.</returns>
    public static double AccuracyScore(IReadOnlyList<int> yTrue, IReadOnlyList<int> yPred, bool normalize = true)
    {
        CheckTargets(yTrue, yPred, "accuracy_score");
        int correct = 0;
        for (int i = 0; i < yTrue.Count; i++) if (yTrue[i] == yPred[i]) correct++;
        return normalize ? (double)correct / yTrue.Count : correct;
    }

    /// <summary>
    /// <c>confusion_matrix(y_true, y_pred, labels=None)</c>: entry [i, j] counts samples of true class
    /// <c>labels[i]</c> predicted as <c>labels[j]</c>; labels default to the sorted union of both arrays.
    /// </summary>
    /// <param name="yTrue">The true labels.</param>
    /// <param name="yPred">The predicted labels.</param>
    /// <param name="labels">The labels to index the matrix by, in order; null (scikit-learn's default) is the sorted
    /// labels of both.</param>
    /// <returns>The (labels, labels) counts.</returns>
    public static int[,] ConfusionMatrix(IReadOnlyList<int> yTrue, IReadOnlyList<int> yPred, IReadOnlyList<int>? labels = null)
    {
        CheckTargets(yTrue, yPred, "confusion_matrix");
        var lab = labels is null ? UniqueLabels(yTrue, yPred) : CheckLabels(labels, yTrue, yPred, "confusion_matrix");
        var index = new Dictionary<int, int>();
        for (int i = 0; i < lab.Length; i++) index[lab[i]] = i;
        var cm = new int[lab.Length, lab.Length];
        for (int s = 0; s < yTrue.Count; s++)
            if (index.TryGetValue(yTrue[s], out int t) && index.TryGetValue(yPred[s], out int p)) cm[t, p]++;
        return cm;
    }

    /// <summary>The sorted distinct labels of both arrays (<c>unique_labels</c>).</summary>
    /// <param name="yTrue">The true labels.</param>
    /// <param name="yPred">The predicted labels.</param>
    /// <returns>The sorted distinct labels.</returns>
    public static int[] UniqueLabels(IReadOnlyList<int> yTrue, IReadOnlyList<int> yPred) =>
        yTrue.Concat(yPred).Distinct().Order().ToArray();

    private static void CheckTargets(IReadOnlyList<int> yTrue, IReadOnlyList<int> yPred, string function)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (yTrue.Count != yPred.Count)
            throw new KerasNetException($"{function}: y_true and y_pred have inconsistent numbers of samples: [{yTrue.Count}, {yPred.Count}].");
        if (yTrue.Count == 0) throw new KerasNetException($"{function}: y_true and y_pred are empty.");
    }

    private static int[] CheckLabels(IReadOnlyList<int> labels, IReadOnlyList<int> yTrue, IReadOnlyList<int> yPred, string function)
    {
        if (labels.Count == 0) throw new KerasNetException($"{function}: 'labels' should contain at least one label.");
        if (labels.Distinct().Count() != labels.Count) throw new KerasNetException($"{function}: 'labels' contains duplicates: [{string.Join(", ", labels)}].");
        if (function == "confusion_matrix" && !labels.Intersect(yTrue).Any())
            throw new KerasNetException($"{function}: at least one label in 'labels' must be in y_true.");
        return labels.ToArray();
    }
}
