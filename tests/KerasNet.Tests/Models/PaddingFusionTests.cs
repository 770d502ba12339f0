#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using static KerasNet.Tests.Models.GraphTestKit;
using Apps = KerasNet.Applications.Applications;

namespace KerasNet.Tests.Models;

/// <summary>
/// ZeroPadding2D absorbed by the 'valid' Conv2D/DepthwiseConv2D after it at inference (FunctionalGraph.Padding.cs).
/// The reference is the same model with the fusion off, which writes the padded image and convolves it; the fused
/// pass reads the unpadded image with the margins as padding. The skipped taps multiply zeros, so every output is
/// equal (float equality: only the sign of a zero may differ); a margin applied on the wrong side or a wrong output
/// size shows as a plain difference.
/// </summary>
public class PaddingFusionTests
{
    private static float[] Predict(Model m, Tensor x, bool fuse)
    {
        m.Graph!.FusesPadding = fuse;
        try { return m.Predict(x).ToArray(); }
        finally { m.Graph.FusesPadding = true; }
    }

    private static void AssertEqualValues(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(expected[i] == actual[i], $"{what}: element {i} is {actual[i]:R} fused against {expected[i]:R} unfused");
    }

    private static Sequential Model()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(11);
        var m = new Sequential();
        m.Add(new ZeroPadding2D(new Margins2D(0, 1, 0, 1), inputShape: (15, 16, 5)));   // Keras's correct_pad: fused
        m.Add(new DepthwiseConv2D((3, 3), strides: (2, 2)));
        m.Add(new BatchNormalization());                                                // folded into the depthwise too
        m.Add(new ReLU(maxValue: 6));
        m.Add(new ZeroPadding2D(new Margins2D(1, 2, 2, 0)));                             // asymmetric: fused
        m.Add(new Conv2D(7, (3, 3), strides: (1, 2), activation: "relu"));
        m.Add(new ZeroPadding2D(1));
        m.Add(new Conv2D(4, (1, 1)));                                                    // 1x1: not a pair
        m.Add(new ZeroPadding2D(1));
        m.Add(new Conv2D(3, (2, 2), padding: "same"));                                   // 'same': not a pair
        m.Add(new Flatten());
        m.Add(new Dense(3));
        MobileNetOnnxTests.RandomizeNormalizations(m, new Random(12));
        return m;
    }

    [Fact]
    public void FusedPredictEqualsPaddedLayers()
    {
        var m = Model();
        Assert.Equal(2, m.Graph!.FusablePadPairs);
        foreach (int batch in (int[])[1, 4])
        {
            var x = Rand(new Random(batch), -1, 1, batch, 15, 16, 5);
            var padded = Predict(m, x, fuse: false);
            AssertEqualValues(padded, Predict(m, x, fuse: true), $"batch {batch}");
            Assert.Contains(padded, v => v != 0);
        }
    }

    [Fact]
    public void PaddingReadTwiceOrTrainingIsNotFused()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(5);
        var input = Keras.Input((6, 6, 2));
        var p = new ZeroPadding2D(1).Apply(input);
        var a = new Conv2D(2, (3, 3)).Apply(p);
        var b = new Conv2D(2, (3, 3)).Apply(p);                        // a second reader: the padded image must exist
        var m = new Model(input, new Add().Apply([a, b]));
        Assert.Equal(0, m.Graph!.FusablePadPairs);

        var seq = Model();
        seq.Compile("sgd", "mse");
        var x = Rand(new Random(3), -1, 1, 2, 15, 16, 5);
        var y = Rand(new Random(4), -1, 1, 2, 3);
        // Evaluation fuses (the same loss either way); a training step runs the padding layers, whose backward needs them.
        var batch = new KerasNet.Data.Batch(x, y);
        double lossFused = seq.TestOnBatch(batch).Scalar;
        seq.Graph!.FusesPadding = false;
        double lossPadded = seq.TestOnBatch(batch).Scalar;
        seq.Graph.FusesPadding = true;
        Assert.Equal(lossPadded, lossFused);
        double first = seq.TrainOnBatch(batch).Scalar, second = seq.TrainOnBatch(batch).Scalar;
        Assert.True(double.IsFinite(first) && second < first, $"training did not lower the loss: {first} -> {second}");
    }

    [Fact]
    public void MobileNetV2FusesItsFourStrideTwoPaddings()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(3);
        var m = Apps.MobileNetV2((64, 64, 3), alpha: 0.35, classes: 5, classifierActivation: null);
        MobileNetOnnxTests.RandomizeNormalizations(m, new Random(4));
        Assert.Equal(m.Layers.OfType<ZeroPadding2D>().Count(), m.Graph!.FusablePadPairs);
        Assert.Equal(4, m.Graph.FusablePadPairs);
        var x = Rand(new Random(5), 0, 1, 2, 64, 64, 3);
        AssertEqualValues(Predict(m, x, fuse: false), Predict(m, x, fuse: true), "MobileNetV2(0.35)");
    }
}
