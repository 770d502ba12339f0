#nullable enable
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.TestUtil;
using Xunit;
using Apps = KerasNet.Applications.Applications;

namespace KerasNet.Tests.Models;

/// <summary>
/// Keras applications: parameter counts as tf.keras prints them (numbers from public Keras outputs: the tf.keras
/// summaries of keras.io / public notebooks), the summary rows of a tf.keras 2.4.1 notebook, and tfjs-layers
/// building KerasNet's to_json and predicting the same.
/// </summary>
public sealed class ApplicationsTests
{
    private static (long Total, long Trainable, long NonTrainable) Counts(Model m)
    {
        long t = m.TrainableWeights.Sum(w => (long)w.Size), n = m.NonTrainableWeights.Sum(w => (long)w.Size);
        return (t + n, t, n);
    }

    [Fact]
    public void MobileNetV2_ParameterCountsAsKeras()
    {
        Assert.Equal((2_257_984L, 2_223_872L, 34_112L), Counts(Apps.MobileNetV2((224, 224, 3), includeTop: false)));
        Assert.Equal((3_538_984L, 3_504_872L, 34_112L), Counts(Apps.MobileNetV2()));
        var small = Apps.MobileNetV2((224, 224, 3), alpha: 0.35, includeTop: false, pooling: "max");
        Assert.Equal((410_208L, 396_128L, 14_080L), Counts(small));
        Assert.Equal("mobilenetv2_0.35_224", small.Name);
        Assert.Equal([1280], small.Outputs[0].Shape);
    }

    [Fact]
    public void ResNet50_ParameterCountsAndNamesAsKeras()
    {
        var m = Apps.ResNet50();
        Assert.Equal((25_636_712L, 25_583_592L, 53_120L), Counts(m));
        Assert.Equal("resnet50", m.Name);
        foreach (var n in new[] { "conv1_pad", "conv1_conv", "conv1_bn", "conv1_relu", "pool1_pad", "pool1_pool",
                     "conv2_block1_0_conv", "conv2_block1_1_conv", "conv2_block3_out", "conv5_block3_add", "avg_pool", "predictions" })
            Assert.Equal(n, m.GetLayer(n).Name);
        Assert.Equal(177, m.Layers.Count); // len(ResNet50().layers) in tf.keras 2.x, the input included
    }

    [Fact]
    public void MobileNetV2_SummaryRowsMatchTfKeras24()
    {
        var m = Apps.MobileNetV2((224, 224, 3), includeTop: false);
        Assert.Equal("mobilenetv2_1.00_224", m.Name);
        string inputName = m.Layers[0].Name;
        var ours = m.SummaryText().Split('\n').Select(l => l.TrimEnd()).ToList();
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Oracles", "mobilenetv2_summary_tf24.txt"))
            .Where(l => !l.StartsWith('#')).Select(l => l.Replace("input_2", inputName).TrimEnd()).ToList();
        int gap = lines.IndexOf("...");
        var head = lines.Take(gap).ToList();
        var tail = lines.Skip(gap + 1).ToList();
        // tf.keras 2.4 prints an InputLayer's output shape as the list [(None, 224, 224, 3)], cut to its column.
        Assert.Equal(head, ours.Take(head.Count).Select(l => l.Replace("(None, 224, 224, 3)  ", "[(None, 224, 224, 3) ")));
        if (ours[^1].Length == 0) ours.RemoveAt(ours.Count - 1);
        Assert.Equal(tail, ours.Skip(ours.Count - tail.Count));
        Assert.Equal(154, m.Layers.Count); // "total 154 Layers" for this model in the same notebook
    }

    [Fact]
    public void BadArgumentsAreRefusedWithTheirName()
    {
        Assert.Contains("imagenet", Assert.Throws<KerasNetException>(() => Apps.MobileNetV2(weights: "imagenet")).Message);
        Assert.Contains("pooling", Assert.Throws<KerasNetException>(() => Apps.ResNet50(includeTop: false, pooling: "sum")).Message);
        Assert.Contains("alpha", Assert.Throws<KerasNetException>(() => Apps.MobileNetV2(alpha: 0)).Message);
        Assert.Contains("at least 32", Assert.Throws<KerasNetException>(() => Apps.MobileNetV2((16, 16, 3))).Message);
        Assert.Contains("weights", Assert.Throws<KerasNetException>(() => Apps.ResNet50(weights: "/no/such/file.h5")).Message);
    }

    /// <summary>The initializers' kernels; BatchNormalization weights and moving statistics away from 1/0 so its inference matters.</summary>
    internal static void Randomize(Model m, int seed)
    {
        var r = new Random(seed);
        foreach (var w in m.Weights.Where(w => w.Name is "gamma" or "beta" or "moving_mean" or "moving_variance"))
        {
            var s = w.Value.Span;
            bool variance = w.Name.Contains("variance"), gamma = w.Name.Contains("gamma");
            for (int i = 0; i < s.Length; i++)
            {
                double u = r.NextDouble();
                // Variances near the initializers' output variance (about 0.1-0.3 per 1x1 convolution), so the signal keeps its size.
                s[i] = variance ? (float)(0.1 + 0.1 * u) : gamma ? (float)(0.7 + 0.6 * u) : (float)((u - 0.5) * 0.2);
            }
            w.MarkChanged();
        }
    }

    [SkippableFact]
    public void MobileNetV2_TfjsBuildsOurJsonAndPredictsTheSame()
    {
        Oracle.RequireNodeTfjs();
        // Linear logits: a softmax saturates on random weights and would hide differences.
        var m = Apps.MobileNetV2((96, 96, 3), alpha: 0.35, classes: 10, classifierActivation: null);
        Assert.Equal("mobilenetv2_0.35_96", m.Name);
        Randomize(m, 5);
        var r = new Random(6);
        var x = new KerasNet.Engine.Tensor(Enumerable.Range(0, 2 * 96 * 96 * 3).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray(), 2, 96, 96, 3);
        var tfjs = TfjsGraphOracle.Run(m.ToJson(), m.Weights.Select(w => (w.Shape, w.Value.ToArray())).ToList(), [(x.Shape, x.ToArray())]);
        var ours = m.PredictOnBatch([x])[0];
        Assert.Equal(ours.Shape, tfjs.Outputs[0].Shape);
        var theirs = tfjs.Outputs[0].Values;
        double maxDiff = ours.ToArray().Zip(theirs, (a, b) => Math.Abs(a - b)).Max();
        double scale = ours.ToArray().Max(v => Math.Abs(v));
        System.Console.WriteLine($"MobileNetV2 0.35 96x96 vs tfjs: max abs diff {maxDiff:E3} (largest logit {scale:G4})");
        Assert.True(maxDiff <= 1e-4 * Math.Max(1, scale), $"max abs diff {maxDiff}, largest logit {scale}");
        // The model is not a trivial function: predictions differ between the two samples.
        double between = ours.ToArray().Take(10).Zip(ours.ToArray().Skip(10), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(between > 100 * maxDiff, $"samples differ by {between} only");
    }
}
