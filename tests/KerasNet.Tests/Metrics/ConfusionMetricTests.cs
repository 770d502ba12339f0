using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Metrics;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Metrics;

/// <summary>
/// AUC, Precision, Recall, the confusion counts, the at-X metrics and MeanIoU against scikit-learn (exact answers)
/// and a numpy transcription of tf.keras 2.4's thresholded arithmetic (Oracles/metrics_keras_auc.py).
/// </summary>
public class ConfusionMetricTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly (string curve, string method)[] AucKinds =
        [("ROC", "interpolation"), ("ROC", "minoring"), ("ROC", "majoring"), ("PR", "interpolation"), ("PR", "minoring"), ("PR", "majoring")];

    [SkippableTheory]
    [InlineData(1, 300, 1, true)]
    [InlineData(2, 120, 3, false)]
    [InlineData(3, 500, 1, false)]
    public void AucMatchesKerasTranscriptionAndBracketsTheExactArea(int seed, int rows, int cols, bool weighted)
    {
        var (yt, yp, w) = MetricOracle.Scores(seed, rows, cols);
        var cases = new JsonArray(new JsonObject
        {
            ["y_true"] = MetricOracle.Array(yt), ["y_pred"] = MetricOracle.Array(yp), ["cols"] = cols,
            ["weights"] = weighted ? MetricOracle.Array(w) : null,
            ["auc"] = new JsonArray(AucKinds.Select(k => (JsonNode?)new JsonObject { ["num_thresholds"] = 200, ["curve"] = k.curve, ["summation_method"] = k.method }).ToArray()),
        });
        var r = MetricOracle.Run("metrics_keras_auc.py", cases, "numpy", "sklearn")[0]!;
        var ours = AucKinds.Select(k =>
        {
            var m = new AUC(curve: k.curve, summationMethod: k.method);
            MetricOracle.Feed(m, yt, yp, weighted ? w : null, cols, rows / 3, rows / 2, rows - rows / 3 - rows / 2);
            return m.Result();
        }).ToArray();
        for (int i = 0; i < AucKinds.Length; i++)
            Assert.True(Math.Abs(ours[i] - r["auc"]![i]!.GetValue<double>()) < 1e-6, $"{AucKinds[i]}: {ours[i]} vs numpy {r["auc"]![i]}");
        // Keras documents minoring and majoring as lower and upper bounds of the area: the exact ROC AUC lies between,
        // and interpolation (half credit for pairs sharing a bucket) is within half the bracket of it.
        double exact = r["sklearn_roc"]!.GetValue<double>();
        output.WriteLine($"max |AUC - numpy| {Enumerable.Range(0, ours.Length).Max(i => Math.Abs(ours[i] - r["auc"]![i]!.GetValue<double>())):E2}; ROC {ours[0]} vs exact {exact} (bracket {ours[2] - ours[1]:E2}); PR {ours[3]} vs AP {r["sklearn_ap"]}");
        Assert.InRange(exact, ours[1] - 1e-12, ours[2] + 1e-12);
        Assert.True(Math.Abs(ours[0] - exact) <= (ours[2] - ours[1]) / 2 + 1e-12, $"ROC {ours[0]} vs exact {exact}");
        Assert.True(ours[2] - ours[1] < 0.02, $"bracket {ours[2] - ours[1]} for 200 thresholds");
        // PR: Davis & Goadrich interpolation approaches scikit-learn's average precision (a step sum) at 200 thresholds.
        Assert.True(Math.Abs(ours[3] - r["sklearn_ap"]!.GetValue<double>()) < 0.03, $"PR {ours[3]} vs AP {r["sklearn_ap"]}");
    }

    [Fact]
    public void AucThresholdsConfigAndKerasDocExample()
    {
        // tf.keras's docstring: num_thresholds=3 -> thresholds [0 - 1e-7, 0.5, 1 + 1e-7] and AUC 0.75; weighted 1.0.
        var m = new AUC(numThresholds: 3);
        m.UpdateState(new Tensor([0f, 0, 1, 1], 4), new Tensor([0f, 0.5f, 0.3f, 0.9f], 4));
        Assert.Equal(0.75, m.Result(), 12);
        Assert.Equal([0f - 1e-7f, 0.5f, 1f + 1e-7f], m.Thresholds);
        m.ResetState();
        m.UpdateState(new Tensor([0f, 0, 1, 1], 4), new Tensor([0f, 0.5f, 0.3f, 0.9f], 4), new Tensor([1f, 0, 0, 1], 4));
        Assert.Equal(1.0, m.Result(), 12);
        var c = new AUC(numThresholds: 5).GetConfig();
        Assert.Equal("[0.25,0.5,0.75]", c["thresholds"]!.ToJsonString());
        Assert.Equal("""{"name":"auc","dtype":"float32","num_thresholds":5,"curve":"ROC","summation_method":"interpolation","thresholds":[0.25,0.5,0.75],"multi_label":false,"label_weights":null}""", c.ToJsonString());
        Assert.Throws<KerasNetException>(() => new AUC(numThresholds: 1));
        Assert.Throws<KerasNetException>(() => new AUC(curve: "DET"));
        Assert.Throws<KerasNetException>(() => new AUC(multiLabel: true));
        var e = Assert.Throws<KerasNetException>(() => new AUC().UpdateState(new Tensor([1f], 1), new Tensor([1.5f], 1)));
        Assert.Contains("[0, 1]", e.Message);
    }

    [SkippableFact]
    public void PrecisionRecallAndCountsMatchScikitLearn()
    {
        const int rows = 90, cols = 4;
        var (yt, yp, w) = MetricOracle.Scores(7, rows, cols);
        double[] thresholds = [0.5, 0.1, 0.73, 0.0, 1.0];
        (int? topK, int? classId)[] variants = [(null, null), (2, null), (null, 1), (1, 2)];
        var specs = variants.Select(v => (JsonNode?)new JsonObject
        {
            // Keras's default with top_k is -inf: every kept prediction is positive.
            ["thresholds"] = v.topK != null ? new JsonArray(-1e10, 0.5) : new JsonArray(thresholds.Select(t => (JsonNode?)t).ToArray()),
            ["top_k"] = v.topK, ["class_id"] = v.classId,
        }).ToArray();
        var r = MetricOracle.Run("metrics_keras_auc.py", new JsonArray(new JsonObject
        {
            ["y_true"] = MetricOracle.Array(yt), ["y_pred"] = MetricOracle.Array(yp), ["cols"] = cols, ["weights"] = MetricOracle.Array(w),
            ["counts"] = new JsonArray(specs),
        }))[0]!["counts"]!.AsArray();
        for (int v = 0; v < variants.Length; v++)
        {
            var (topK, classId) = variants[v];
            var expect = r[v]!;
            // With top_k: the default threshold, then 0.5; otherwise the list above, out of order on purpose.
            double[][] lists = topK != null ? [null!, [0.5]] : [thresholds];
            int column = 0;
            foreach (var list in lists)
            {
                var p = new Precision(list, topK, classId); var rc = new Recall(list, topK, classId);
                MetricOracle.Feed(p, yt, yp, w, cols, 40, 50);
                MetricOracle.Feed(rc, yt, yp, w, cols, 90);
                var ps = p.ResultPerThreshold(); var rs = rc.ResultPerThreshold();
                for (int i = 0; i < ps.Length; i++, column++)
                {
                    Assert.Equal(expect["precision"]![column]!.GetValue<double>(), ps[i], 9);
                    Assert.Equal(expect["recall"]![column]!.GetValue<double>(), rs[i], 9);
                }
            }
            if (topK != null) continue;
            ConfusionMatrixConditionCount[] cells = [new TruePositives(thresholds), new FalsePositives(thresholds), new TrueNegatives(thresholds), new FalseNegatives(thresholds)];
            string[] keys = ["tp", "fp", "tn", "fn"];
            if (classId != null) continue; // the counts have no class_id in Keras
            for (int k = 0; k < 4; k++)
            {
                MetricOracle.Feed(cells[k], yt, yp, w, cols, 30, 30, 30);
                var got = cells[k].ResultPerThreshold();
                for (int i = 0; i < thresholds.Length; i++) Assert.Equal(expect[keys[k]]![i]!.GetValue<double>(), got[i], 6);
            }
        }
        var single = new Precision();
        Assert.Equal(0, single.Result()); // div_no_nan before any batch
        Assert.Throws<KerasNetException>(() => new Precision([0.2, 0.4]).Result());
        Assert.Equal("""{"name":"precision","dtype":"float32","thresholds":null,"top_k":null,"class_id":null}""", single.GetConfig().ToJsonString());
    }

    [SkippableFact]
    public void AtMetricsAndMeanIoUMatchTheOracle()
    {
        const int rows = 200;
        var (yt, yp, w) = MetricOracle.Scores(11, rows, 1);
        (string kind, double value, int n, Func<Metric> make)[] at =
        [
            ("sensitivity_at_specificity", 0.7, 200, () => new SensitivityAtSpecificity(0.7)),
            ("specificity_at_sensitivity", 0.9, 50, () => new SpecificityAtSensitivity(0.9, 50)),
            ("precision_at_recall", 0.6, 200, () => new PrecisionAtRecall(0.6)),
            ("recall_at_precision", 0.8, 200, () => new RecallAtPrecision(0.8)),
            ("recall_at_precision", 1.0, 1, () => new RecallAtPrecision(1.0, 1)),
        ];
        var rng = new Random(5);
        var iouTrue = Enumerable.Range(0, 60).Select(_ => (float)rng.Next(4)).ToArray();
        var iouPred = iouTrue.Select(t => rng.NextDouble() < 0.6 ? t : (float)(rng.Next(4) + 0.7)).ToArray(); // 2.7 truncates to 2
        var iouW = Enumerable.Range(0, 60).Select(_ => (float)rng.NextDouble()).ToArray();
        var r = MetricOracle.Run("metrics_keras_auc.py", new JsonArray(new JsonObject
        {
            ["y_true"] = MetricOracle.Array(yt), ["y_pred"] = MetricOracle.Array(yp), ["cols"] = 1, ["weights"] = MetricOracle.Array(w),
            ["at"] = new JsonArray(at.Select(a => (JsonNode?)new JsonObject { ["kind"] = a.kind, ["value"] = a.value, ["num_thresholds"] = a.n }).ToArray()),
            ["iou"] = new JsonObject { ["num_classes"] = 5, ["y_true"] = MetricOracle.Array(iouTrue), ["y_pred"] = MetricOracle.Array(iouPred), ["weights"] = MetricOracle.Array(iouW) },
        }))[0]!;
        for (int i = 0; i < at.Length; i++)
        {
            var m = at[i].make();
            MetricOracle.Feed(m, yt, yp, w, 1, 100, 100);
            Assert.True(Math.Abs(r["at"]![i]!.GetValue<double>() - m.Result()) < 1e-9, $"{at[i].kind}: {m.Result()} vs {r["at"]![i]}");
        }
        var iou = new MeanIoU(5);
        iou.UpdateState(new Tensor(iouTrue[..30], 30), new Tensor(iouPred[..30], 30), new Tensor(iouW[..30], 30));
        iou.UpdateState(new Tensor(iouTrue[30..], 30), new Tensor(iouPred[30..], 30), new Tensor(iouW[30..], 30));
        Assert.Equal(r["iou"]!.GetValue<double>(), iou.Result(), 6);
        Assert.Throws<KerasNetException>(() => iou.UpdateState(new Tensor([5f], 1), new Tensor([0f], 1)));
        // Keras's docstring examples.
        var doc = new SensitivityAtSpecificity(0.5);
        doc.UpdateState(new Tensor([0f, 0, 0, 1, 1], 5), new Tensor([0f, 0.3f, 0.8f, 0.3f, 0.8f], 5), new Tensor([1f, 1, 2, 2, 1], 5));
        Assert.Equal(0.333333, doc.Result(), 5);
        var docIou = new MeanIoU(2);
        docIou.UpdateState(new Tensor([0f, 0, 1, 1], 4), new Tensor([0f, 1, 0, 1], 4), new Tensor([0.3f, 0.3f, 0.3f, 0.1f], 4));
        Assert.Equal(0.23809525, docIou.Result(), 6);
    }
}
