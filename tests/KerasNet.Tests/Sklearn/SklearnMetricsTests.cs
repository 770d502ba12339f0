#nullable enable
using System.Text.Json;
using KerasNet.Sklearn;
using KerasNet.Tests.TestUtil;
using static KerasNet.Sklearn.SklearnMetrics;
using KerasNet.Utils;

namespace KerasNet.Tests.Sklearn;

public sealed class SklearnMetricsTests
{
    [Fact]
    public void ReportMatchesScikitLearnDocstringExample()
    {
        // The example printed in scikit-learn's classification_report docstring.
        string expected = string.Join("\n",
            "              precision    recall  f1-score   support",
            "",
            "     class 0       0.50      1.00      0.67         1",
            "     class 1       0.00      0.00      0.00         1",
            "     class 2       1.00      0.67      0.80         3",
            "",
            "    accuracy                           0.60         5",
            "   macro avg       0.50      0.56      0.49         5",
            "weighted avg       0.70      0.60      0.61         5",
            "");
        var warnings = new List<string>();
        string report = ClassificationReport([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], targetNames: ["class 0", "class 1", "class 2"], warn: warnings.Add);
        Assert.Equal(expected, report);
        Assert.Empty(warnings); // every class is predicted at least once here
    }

    [Fact]
    public void NeverPredictedClassWarnsAndCountsZero()
    {
        var warnings = new List<string>();
        string report = ClassificationReport([0, 1, 1], [0, 0, 0], warn: warnings.Add);
        Assert.Contains("           1       0.00      0.00      0.00         2", report);
        Assert.Contains(warnings, w => w.StartsWith("Precision and F-score are ill-defined and being set to 0.0 in labels with no predicted samples."));
        string one = ClassificationReport([0, 1, 1], [0, 0, 0], zeroDivision: ZeroDivision.One);
        Assert.Contains("           1       1.00      0.00      0.00         2", one);
    }

    [Fact]
    public void NoCorrectSampleAtAllPrintsFloatSupports()
    {
        // scikit-learn's multilabel_confusion_matrix falls back to float zeros when no sample is right, so supports print as 1.0.
        string report = ClassificationReport([0, 1, 1], [1, 0, 0]);
        Assert.Contains("           1       0.00      0.00      0.00       2.0", report);
        Assert.Contains("    accuracy                           0.00       3.0", report);
    }

    [Fact]
    public void ConfusionMatrixRowsAreTrueColumnsArePredicted()
    {
        var cm = ConfusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]);
        Assert.Equal(new[,] { { 2, 0, 0 }, { 0, 0, 1 }, { 1, 0, 2 } }, cm);
        var reordered = ConfusionMatrix([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2], labels: [2, 0]);
        Assert.Equal(new[,] { { 2, 1 }, { 0, 2 } }, reordered);
        Assert.Equal(4.0 / 6, AccuracyScore([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2]));
        Assert.Equal(4.0, AccuracyScore([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2], normalize: false));
    }

    [Fact]
    public void FixedFormatRoundsHalfToEvenLikePython()
    {
        // Python: '%.2f' % 0.125 == '0.12', '%.2f' % 0.375 == '0.38', '%.0f' % 2.5 == '2', '%.1f' % 0.25 == '0.2'.
        Assert.Equal("0.12", PyText.Fixed(0.125, 2));
        Assert.Equal("0.38", PyText.Fixed(0.375, 2));
        Assert.Equal("2", PyText.Fixed(2.5, 0));
        Assert.Equal("0.2", PyText.Fixed(0.25, 1));
        // 2.675 is stored as 2.67499999999999982... and 0.675 as 0.67500000000000004...: Python prints 2.67 and 0.68.
        Assert.Equal("2.67", PyText.Fixed(2.675, 2));
        Assert.Equal("0.68", PyText.Fixed(0.675, 2));
        Assert.Equal("1.00000", PyText.Fixed(1, 5));
    }

    [Fact]
    public void MismatchedInputsAreKerasNetErrors()
    {
        var e = Assert.Throws<KerasNetException>(() => ClassificationReport([0, 1], [0]));
        Assert.Contains("[2, 1]", e.Message);
        var e2 = Assert.Throws<KerasNetException>(() => ClassificationReport([0, 1], [0, 1], targetNames: ["a"]));
        Assert.Contains("target_names, 1", e2.Message);
        Assert.Throws<KerasNetException>(() => ConfusionMatrix([0, 1], [0, 1], labels: [5]));
    }

    [SkippableFact]
    public void RandomLabelSetsMatchScikitLearn()
    {
        Oracle.RequirePython("sklearn", "numpy");
        var cases = RandomCases(new Random(20261125), 300);
        string file = Path.Combine(Oracle.TempDir(), "cases.json");
        File.WriteAllText(file, JsonSerializer.Serialize(cases.Select(c => c.ToJson())));
        using var doc = JsonDocument.Parse(Oracle.RunPythonScript("sklearn_metrics.py", file));
        var results = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal(cases.Count, results.Count);
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var r = results[i];
            string context = $"case {i}: {JsonSerializer.Serialize(c.ToJson())}";
            Assert.True(r.GetProperty("report").GetString() == ClassificationReport(c.YTrue, c.YPred, c.Labels, c.TargetNames, c.Digits, c.ZeroDivision),
                $"{context}\nsklearn:\n{r.GetProperty("report").GetString()}\nkerasnet:\n{ClassificationReport(c.YTrue, c.YPred, c.Labels, c.TargetNames, c.Digits, c.ZeroDivision)}");
            Assert.Equal(r.GetProperty("accuracy").GetDouble(), AccuracyScore(c.YTrue, c.YPred));
            var cm = ConfusionMatrix(c.YTrue, c.YPred, c.Labels);
            var expectedCm = r.GetProperty("confusion").EnumerateArray().Select(row => row.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
            Assert.Equal(expectedCm.Length, cm.GetLength(0));
            for (int a = 0; a < expectedCm.Length; a++) for (int b = 0; b < expectedCm.Length; b++) Assert.True(expectedCm[a][b] == cm[a, b], context);
            foreach (var avg in new[] { "macro", "weighted" })
            {
                var mine = PrecisionRecallFscoreSupport(c.YTrue, c.YPred, c.Labels, avg, c.ZeroDivision);
                var theirs = r.GetProperty(avg).EnumerateArray().Select(v => v.GetDouble()).ToArray();
                Assert.True(theirs.SequenceEqual([mine.Precision[0], mine.Recall[0], mine.FScore[0]]),
                    $"{context}\n{avg}: sklearn [{string.Join(", ", theirs.Select(v => v.ToString("R")))}], kerasnet [{mine.Precision[0]:R}, {mine.Recall[0]:R}, {mine.FScore[0]:R}]");
            }
        }
    }

    [SkippableFact]
    public void PairwiseSumMatchesNumpy()
    {
        Oracle.RequirePython("numpy");
        var rng = new Random(7);
        var arrays = Enumerable.Range(0, 60).Select(i => Enumerable.Range(0, 1 + i * 5).Select(_ => rng.NextDouble() * Math.Pow(10, rng.Next(-3, 4))).ToArray()).ToList();
        string file = Path.Combine(Oracle.TempDir(), "sums.json");
        File.WriteAllText(file, JsonSerializer.Serialize(arrays));
        var sums = JsonSerializer.Deserialize<double[]>(Oracle.RunPythonScript("sklearn_numpy_sum.py", file))!;
        for (int i = 0; i < arrays.Count; i++) Assert.True(sums[i] == PyFormat.Sum(arrays[i]), $"n={arrays[i].Length}: numpy {sums[i]:R}, kerasnet {PyFormat.Sum(arrays[i]):R}");
    }

    private sealed record Case(int[] YTrue, int[] YPred, int[]? Labels, string[]? TargetNames, int Digits, ZeroDivision ZeroDivision)
    {
        public Dictionary<string, object?> ToJson() => new()
        {
            ["y_true"] = YTrue, ["y_pred"] = YPred, ["labels"] = Labels, ["target_names"] = TargetNames, ["digits"] = Digits,
            ["zero_division"] = ZeroDivision switch { ZeroDivision.Zero => 0, ZeroDivision.One => 1, _ => "warn" },
        };
    }

    private static readonly string[] NamePool = ["homer", "bart", "a", "class_with_a_long_name", "Bärt Simpson", "lisa", "x", "maggie the baby", "12345678901234", "ned"];

    /// <summary>Label sets of every shape the report has branches for: never-predicted and never-true classes, given labels
    /// (subsets, reorderings, unseen extras), target names (long, non-ASCII), 0..5 digits, 1..12 classes (numpy's
    /// pairwise sum changes at 8), supports of 8 (ties such as 0.125) and the three zero_division modes.</summary>
    private static List<Case> RandomCases(Random rng, int count)
    {
        var cases = new List<Case>
        {
            // recall 1/8, 3/8, 5/8: exact binary ties that Python rounds half to even.
            new([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1], [0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], null, null, 2, ZeroDivision.Warn),
            new([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0], null, ["homer", "bart"], 2, ZeroDivision.Warn),
            new([3, 3, 3], [3, 3, 3], null, null, 2, ZeroDivision.Warn),
            new([0, 1, 2], [2, 2, 2], [0, 1, 2, 7], null, 3, ZeroDivision.One),
        };
        while (cases.Count < count)
        {
            int k = rng.Next(1, 13), n = rng.Next(1, 120);
            double skill = rng.NextDouble();
            int neverPredicted = k > 1 && rng.Next(3) == 0 ? rng.Next(k) : -1;
            var yTrue = Enumerable.Range(0, n).Select(_ => rng.Next(k)).ToArray();
            var yPred = yTrue.Select(t =>
            {
                int p = rng.NextDouble() < skill ? t : rng.Next(k);
                return p == neverPredicted ? (p + 1) % k : p;
            }).ToArray();
            int[]? labels = null;
            var present = yTrue.Concat(yPred).Distinct().ToArray();
            if (rng.Next(4) == 0)
            {
                // A reordering, a subset (keeping one true label) or a superset with a label seen nowhere.
                var shuffled = present.OrderBy(_ => rng.Next()).ToList();
                int keep = rng.Next(1, shuffled.Count + 1);
                labels = shuffled.Take(keep).ToArray();
                if (!labels.Intersect(yTrue).Any()) labels = [yTrue[0], .. labels.Where(l => l != yTrue[0])];
                if (rng.Next(2) == 0) labels = [.. labels, 40 + rng.Next(5)];
            }
            int nLabels = labels?.Length ?? present.Length;
            string[]? names = rng.Next(3) == 0 ? Enumerable.Range(0, nLabels).Select(i => NamePool[rng.Next(NamePool.Length)] + i).ToArray() : null;
            int digits = rng.Next(4) == 0 ? rng.Next(0, 6) : 2;
            var zd = (ZeroDivision)rng.Next(3);
            cases.Add(new(yTrue, yPred, labels, names, digits, zd));
        }
        return cases;
    }
}
