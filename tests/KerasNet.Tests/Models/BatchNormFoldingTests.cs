#nullable enable
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using static KerasNet.Tests.Models.GraphTestKit;
using Apps = KerasNet.Applications.Applications;

namespace KerasNet.Tests.Models;

/// <summary>
/// BatchNormalization folded into the Conv2D/DepthwiseConv2D/Dense before it at inference
/// (FunctionalGraph.Folding.cs). The reference is the same model with folding turned off, which runs the layers one
/// by one as training does; with folding on the normalization nodes are skipped, so the two paths share no
/// normalization arithmetic and a wrong fold (a channel mixed up, a stale cache) shows as a difference far above
/// float rounding.
/// </summary>
public class BatchNormFoldingTests
{
    private const double RelTolerance = 1e-5;

    private static void RandomizeNormalizations(Model m, int seed) => MobileNetOnnxTests.RandomizeNormalizations(m, new Random(seed));

    private static float[] Predict(Model m, Tensor x, bool fold)
    {
        m.SetBatchNormalizationFolding(fold);
        try { return m.Predict(x).ToArray(); }
        finally { m.SetBatchNormalizationFolding(true); }
    }

    /// <summary>max |a - b| / max |b|.</summary>
    private static double RelativeDiff(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double diff = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs((double)expected[i] - actual[i]));
            scale = Math.Max(scale, Math.Abs((double)expected[i]));
        }
        Assert.True(scale > 0, "the reference output is all zeros");
        return diff / scale;
    }

    private static void AssertFoldedMatches(Model m, Tensor x, string what)
    {
        var unfolded = Predict(m, x, fold: false);
        var folded = Predict(m, x, fold: true);
        double rel = RelativeDiff(unfolded, folded);
        Assert.True(rel <= RelTolerance, $"{what}: folded predictions differ from the unfolded ones by {rel:E2} relative (> {RelTolerance:E0})");
    }

    private static Model MobileNet(int seed)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(seed);
        var m = Apps.MobileNetV2((96, 96, 3), alpha: 0.35, classes: 10, classifierActivation: null);
        RandomizeNormalizations(m, seed + 1);
        return m;
    }

    [Fact]
    public void MobileNetV2FoldsEveryNormalizationAndPredictsAsUnfolded()
    {
        var m = MobileNet(3);
        int norms = m.Layers.OfType<BatchNormalization>().Count();
        Assert.Equal(52, norms);
        // Every MobileNetV2 normalization follows a convolution that nothing else reads.
        Assert.Equal(norms, m.Graph!.FoldablePairs);
        var x = Rand(new Random(4), 0, 1, 2, 96, 96, 3);
        var unfolded = Predict(m, x, fold: false);
        var folded = Predict(m, x, fold: true);
        double rel = RelativeDiff(unfolded, folded);
        Assert.True(rel <= RelTolerance, $"MobileNetV2(0.35): folded differs by {rel:E2} relative");
        // The folded path really ran: its rounding differs somewhere from the layer-by-layer one.
        Assert.NotEqual(unfolded, folded);
    }

    [Fact]
    public void TrainingStepAndSetWeightsRebuildTheFold()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(8);
        var input = Keras.Input((8, 8, 3));
        var h = new Conv2D(6, (3, 3), useBias: false, name: "conv").Apply(input);
        h = new BatchNormalization(name: "bn").Apply(h);
        h = new ReLU(6.0).Apply(h);
        h = new DepthwiseConv2D((3, 3), padding: "same", name: "dw").Apply(h);
        h = new BatchNormalization(name: "bn2").Apply(h);
        h = new Flatten().Apply(h);
        h = new Dense(5, name: "dense").Apply(h);
        h = new BatchNormalization(name: "bn3").Apply(h);
        var m = new Model(input, h);
        Assert.Equal(3, m.Graph!.FoldablePairs);
        RandomizeNormalizations(m, 9);
        var x = Rand(new Random(10), 0, 1, 4, 8, 8, 3);
        AssertFoldedMatches(m, x, "before training");
        var before = Predict(m, x, fold: true);

        // A training step: the optimizer changes the kernels and gamma/beta, the training pass the moving statistics.
        m.Compile(new SGD(0.1), "mse");
        m.TrainOnBatch(new Batch(x, Rand(new Random(11), -1, 1, 4, 5)));
        var afterStep = Predict(m, x, fold: true);
        Assert.True(RelativeDiff(before, afterStep) > 1e-3, "the training step did not change the folded predictions");
        AssertFoldedMatches(m, x, "after a training step");

        // SetWeights: every weight new.
        var weights = m.GetWeights();
        var r = new Random(12);
        for (int i = 0; i < weights.Count; i++)
        {
            var w = weights[i].ToArray<float>();
            for (int j = 0; j < w.Length; j++) w[j] = m.Weights[i].Name == "moving_variance" ? 0.5f + r.NextSingle() : r.NextSingle() - 0.5f;
            weights[i] = NumSharp.np.array(w).reshape(weights[i].shape);
        }
        m.SetWeights(weights);
        var afterSet = Predict(m, x, fold: true);
        Assert.True(RelativeDiff(afterStep, afterSet) > 1e-3, "SetWeights did not change the folded predictions");
        AssertFoldedMatches(m, x, "after SetWeights");

        // Moving statistics written in place without MarkChanged: the normalization compares its values.
        var mean = Var(m, "bn2/moving_mean");
        mean.Value.Span.Fill(0.7f);
        var afterWrite = Predict(m, x, fold: true);
        Assert.True(RelativeDiff(afterSet, afterWrite) > 1e-3, "an in-place write of moving_mean did not change the folded predictions");
        AssertFoldedMatches(m, x, "after an in-place write of moving_mean");
    }

    [Fact]
    public void ConcurrentPredictionsAreIdentical()
    {
        var m = MobileNet(5);
        var x = Rand(new Random(6), 0, 1, 3, 96, 96, 3);
        var expected = m.Predict(x).ToArray();
        var results = new float[4][][];
        var threads = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            results[t] = new float[5][];
            for (int i = 0; i < 5; i++) results[t][i] = m.Predict(x).ToArray();
        })).ToArray();
        // The fold cache starts empty, so the threads also race to build it.
        foreach (var bn in m.Layers.OfType<BatchNormalization>()) bn.MovingMean!.MarkChanged();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        for (int t = 0; t < 4; t++)
            for (int i = 0; i < 5; i++) BitEqual(expected, results[t][i], $"thread {t}, call {i}");
    }

    [Fact]
    public void NormalizationOfATensorReadTwiceIsNotFolded()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(14);
        var input = Keras.Input((6, 6, 4));
        var conv = new Conv2D(4, (3, 3), padding: "same", name: "conv").Apply(input);
        var bn = new BatchNormalization(name: "bn").Apply(conv);
        var sum = new Add().Apply(bn, conv); // the unnormalized conv output is read a second time
        var m = new Model(input, sum);
        Assert.Equal(0, m.Graph!.FoldablePairs);
        RandomizeNormalizations(m, 15);
        var x = Rand(new Random(16), -1, 1, 2, 6, 6, 4);
        BitEqual(Predict(m, x, fold: false), Predict(m, x, fold: true), "a normalization whose input is read twice");

        // The conv's output as a model output is a second reader too.
        var m2 = new Model(input, [bn, conv]);
        Assert.Equal(0, m2.Graph!.FoldablePairs);
    }

    [Fact]
    public void ProducerWithAnActivationRunsUnfolded()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(17);
        var input = Keras.Input((6, 6, 3));
        var h = new Conv2D(4, (3, 3), activation: "relu", name: "conv").Apply(input);
        h = new BatchNormalization(name: "bn").Apply(h);
        var m = new Model(input, h);
        RandomizeNormalizations(m, 18);
        var x = Rand(new Random(19), -1, 1, 2, 6, 6, 3);
        // BN(relu(conv)) is not an affine map of the kernel: the pass must run both layers as they are.
        BitEqual(Predict(m, x, fold: false), Predict(m, x, fold: true), "a producer with relu");
    }

    [Fact]
    public void EvaluateFoldsAndGivesTheUnfoldedLoss()
    {
        var m = MobileNet(20);
        m.Compile(new SGD(0.01), "mse");
        var x = Rand(new Random(21), 0, 1, 2, 96, 96, 3);
        var y = Rand(new Random(22), -1, 1, 2, 10);
        m.SetBatchNormalizationFolding(false);
        double unfolded = m.Evaluate(new ArraySequence(x, y, 2), verbose: 0)[0];
        m.SetBatchNormalizationFolding(true);
        double folded = m.Evaluate(new ArraySequence(x, y, 2), verbose: 0)[0];
        Assert.True(Math.Abs(folded - unfolded) <= 1e-5 * Math.Abs(unfolded), $"loss {folded} folded vs {unfolded} unfolded");
    }
}
