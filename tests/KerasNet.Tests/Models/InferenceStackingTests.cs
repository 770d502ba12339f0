#nullable enable
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Models;

/// <summary>
/// Evaluate and Predict stacking consecutive small batches into one forward pass (Model.Stacking.cs). The reference
/// is the same model with stacking off, one pass per batch as given: every loss, metric and prediction must be the
/// same bits, and the pass count shows that stacking happened (or, where a layer promises nothing, that it did not).
/// Also in .ci/isa-check, so the AVX2 and 128-bit paths keep their promises too.
/// </summary>
public class InferenceStackingTests
{
    // Fused multiply-add hardware: the dense layers' promise (CpuBackend.DenseInferInvariantRows) holds only there.
    private static bool Fused => Fma.IsSupported || AdvSimd.IsSupported;

    /// <summary>The tutorial's shape in small: convolutions and pools, Flatten, a ReLU Dense, Dropout, a softmax Dense.</summary>
    private static Sequential ConvNet(int seed, string secondPadding = "same", int classes = 3)
    {
        KerasBackend.ClearSession();
        var m = new Sequential();
        m.Add(new Conv2D(8, (3, 3), activation: "relu", inputShape: (18, 18, 3)));
        m.Add(new MaxPooling2D((2, 2)));
        m.Add(new Conv2D(12, (3, 3), strides: (2, 2), padding: secondPadding, activation: "relu"));
        m.Add(new MaxPooling2D((2, 2)));
        m.Add(new Flatten());
        m.Add(new Dense(140, activation: "relu"));
        m.Add(new Dropout(0.5));
        m.Add(new Dense(classes, activation: "softmax"));
        m.Compile("adam", "categorical_crossentropy", ["accuracy"]);
        SetRandomWeights(m, seed, 0.3f);
        return m;
    }

    private static (double[] Values, long Passes) EvaluateWith(Model m, IDataSequence data, bool stack)
    {
        m.StacksInferenceBatches = stack;
        long before = m.InferencePasses;
        var values = m.Evaluate(data, verbose: 0);
        return (values, m.InferencePasses - before);
    }

    private static (float[] Values, long Passes) PredictWith(Model m, IDataSequence data, bool stack)
    {
        m.StacksInferenceBatches = stack;
        long before = m.InferencePasses;
        var values = m.PredictTensor(data).ToArray();
        return (values, m.InferencePasses - before);
    }

    private static void AssertSameValues(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]),
                $"{what}[{i}]: stacked {actual[i]:R}, one pass per batch {expected[i]:R}");
    }

    [Fact]
    public void BatchOneEvaluationAndPredictionStackWithTheSameBits()
    {
        var m = ConvNet(1);
        var r = new Random(2);
        var data = new ArraySequence(Rand(r, 0, 1, 23, 18, 18, 3), OneHot(23, 3), 1);
        var (alone, alonePasses) = EvaluateWith(m, data, stack: false);
        var (stacked, stackedPasses) = EvaluateWith(m, data, stack: true);
        Assert.Equal(23, alonePasses);
        AssertSameValues(alone, stacked, "Evaluate");
        var (pAlone, _) = PredictWith(m, data, stack: false);
        var (pStacked, pPasses) = PredictWith(m, data, stack: true);
        BitEqual(pAlone, pStacked, "Predict");
        Assert.True(pAlone.Distinct().Count() > 30, "the predictions should differ from sample to sample");
        if (!Fused) { Assert.Equal(23, stackedPasses); return; }
        // Up to 16 samples a pass (the dense layers' few-row limit): 16 + 7.
        Assert.Equal(16, m.InferenceInvariantSamples);
        Assert.Equal(2, stackedPasses);
        Assert.Equal(2, pPasses);
    }

    [Fact]
    public void BatchesOfSeveralSamplesWithSampleWeightsStackWhole()
    {
        var m = ConvNet(3, secondPadding: "valid");
        var r = new Random(4);
        var weights = Rand(r, 0.1f, 2, 20);
        var data = new ArraySequence([Rand(r, 0, 1, 20, 18, 18, 3)], [OneHot(20, 3, seed: 1)], 3, sampleWeight: weights);
        var (alone, alonePasses) = EvaluateWith(m, data, stack: false);
        var (stacked, stackedPasses) = EvaluateWith(m, data, stack: true);
        AssertSameValues(alone, stacked, "weighted Evaluate");
        Assert.Equal(7, alonePasses);
        // Batches of 3 (the last of 2) five to a stack: 15 samples, then 5.
        Assert.Equal(Fused ? 2 : 7, stackedPasses);
        BitEqual(PredictWith(m, data, false).Values, PredictWith(m, data, true).Values, "Predict");
    }

    [Fact]
    public void ASourceThatReusesItsTensorsIsCopiedBeforeItsNextBatch()
    {
        var m = ConvNet(5);
        var r = new Random(6);
        var x = Rand(r, 0, 1, 11, 18, 18, 3);
        var y = OneHot(11, 3, seed: 2);
        var reference = EvaluateWith(m, new ArraySequence(x, y, 1), stack: false).Values;
        var stacked = EvaluateWith(m, new ReusingSequence(x, y), stack: true).Values;
        AssertSameValues(reference, stacked, "Evaluate over a reusing source");
        BitEqual(PredictWith(m, new ArraySequence(x, y, 1), false).Values, PredictWith(m, new ReusingSequence(x, y), true).Values, "Predict over a reusing source");
    }

    [Fact]
    public void FitValidatesWithTheSameValuesStackedOrNot()
    {
        var r = new Random(7);
        var train = new ArraySequence(Rand(r, 0, 1, 16, 18, 18, 3), OneHot(16, 3), 4);
        var val = new ArraySequence(Rand(r, 0, 1, 9, 18, 18, 3), OneHot(9, 3, seed: 1), 1);
        var histories = new List<double>[2];
        var finals = new Dictionary<string, float[]>[2];
        for (int run = 0; run < 2; run++)
        {
            KerasRandom.SetRandomSeed(8);
            var m = ConvNet(9);
            m.StacksInferenceBatches = run == 1;
            long before = m.InferencePasses;
            histories[run] = m.Fit(train, epochs: 2, verbose: 0, validationData: val).history["val_loss"];
            finals[run] = Snapshot(m);
            Assert.Equal(run == 1 && Fused ? 2 : 18, m.InferencePasses - before);
        }
        AssertSameValues(histories[0].ToArray(), histories[1].ToArray(), "val_loss");
        foreach (var (name, w) in finals[0]) BitEqual(w, finals[1][name], name);
    }

    [Fact]
    public void ALayerThatPromisesNothingRunsEachBatchAsGiven()
    {
        KerasBackend.ClearSession();
        // tanh runs element-wise over the whole batch (a vector body and a scalar tail), so it promises nothing.
        var m = new Sequential([new Dense(20, activation: "tanh", inputShape: new Shape(7)), new Dense(2)]);
        m.Compile("sgd", "mse");
        SetRandomWeights(m, 10);
        var r = new Random(11);
        var data = new ArraySequence(Rand(r, -1, 1, 6, 7), Rand(r, -1, 1, 6, 2), 1);
        Assert.Equal(1, m.InferenceInvariantSamples);
        Assert.Equal(6, EvaluateWith(m, data, stack: true).Passes);
        Assert.Equal(6, PredictWith(m, data, stack: true).Passes);
    }

    [Fact]
    public void BatchesOfAnotherShapeStartANewStack()
    {
        KerasBackend.ClearSession();
        // A Dense over timesteps: each sample is 3 rows, so 16 rows hold 5 samples.
        var m = new Sequential([new Dense(9, activation: "relu", inputShape: new Shape(3, 6)), new Dense(4)]);
        m.Compile("sgd", "mse");
        SetRandomWeights(m, 12);
        var r = new Random(13);
        var data = new ArraySequence(Rand(r, -1, 1, 12, 3, 6), Rand(r, -1, 1, 12, 3, 4), 1);
        if (Fused) Assert.Equal(5, m.InferenceInvariantSamples);
        var (alone, _) = EvaluateWith(m, data, stack: false);
        var (stacked, passes) = EvaluateWith(m, data, stack: true);
        AssertSameValues(alone, stacked, "Evaluate over timesteps");
        Assert.Equal(Fused ? 3 : 12, passes);
    }

    /// <summary>
    /// The promise itself, layer by layer: where a built model says n samples are invariant, a pass over n samples
    /// gives each the bits of its pass alone (convolutions of several geometries, pointwise ones through the GEMM, pools,
    /// dense layers that are packed and that are not, softmax).
    /// </summary>
    [Theory]
    [InlineData(1, 3, "valid", 1, "relu")]
    [InlineData(3, 5, "same", 2, "linear")]
    [InlineData(7, 3, "same", 1, "softmax")]
    [InlineData(2, 1, "valid", 1, "relu")]
    [InlineData(2048, 1, "valid", 1, "relu")]
    public void AModelsPromiseHoldsSampleBySample(int channels, int kernel, string padding, int stride, string activation)
    {
        KerasBackend.ClearSession();
        var m = new Sequential();
        m.Add(new Conv2D(10, (kernel, kernel), strides: (stride, stride), padding: padding, activation: activation, inputShape: (13, 11, channels)));
        m.Add(new AveragePooling2D((2, 2), padding: "same"));
        m.Add(new Flatten());
        m.Add(new Dense(130, activation: "relu"));
        m.Add(new Dense(5, activation: activation == "softmax" ? "softmax" : "linear"));
        SetRandomWeights(m, channels * 31 + kernel, 0.4f);
        var x = Rand(new Random(kernel), -1, 1, 16, 13, 11, channels);
        var one = new Tensor(1, 13, 11, channels);
        var alone = new List<float>();
        for (int i = 0; i < 16; i++)
        {
            x.Span.Slice(i * one.Length, one.Length).CopyTo(one.Span);
            alone.AddRange(m.Predict(one).ToArray());
        }
        int n = Math.Min(16, m.InferenceInvariantSamples);
        // A pointwise convolution multiplies the input in place through the GEMM, which may split 2048 channels or more
        // over the threads at one batch size and not at another.
        if (kernel == 1 && channels >= 2048) Assert.Equal(1, n);
        else if (Fused) Assert.Equal(16, n);
        if (n < 2) return;
        var batch = new Tensor(n, 13, 11, channels);
        x.Span[..batch.Length].CopyTo(batch.Span);
        BitEqual(alone.Take(n * 5).ToArray(), m.Predict(batch).ToArray(), $"{n} samples in one pass");
    }

    /// <summary>
    /// A Functional graph of branches: merges, a separate activation, a reshape and a nested model all pass their
    /// promise on, and the stacked values are the unstacked ones; a tanh activation anywhere stops stacking.
    /// </summary>
    [Theory]
    [InlineData("relu")]
    [InlineData("tanh")]
    public void AFunctionalGraphStacksThroughMergesAndNestedModels(string activation)
    {
        KerasBackend.ClearSession();
        var input = Keras.Input((10, 10, 3));
        var a = new Conv2D(6, (3, 3), padding: "same", activation: "relu").Apply(input);
        var b = new Conv2D(6, (3, 3), padding: "same").Apply(input);
        var h = new Activation(activation).Apply(new Add().Apply([a, b]));
        h = new Concatenate().Apply([h, new Conv2D(4, (5, 5), padding: "same", activation: "relu").Apply(input)]);
        h = new MaxPooling2D((2, 2)).Apply(h);
        h = new Reshape(new Shape(250)).Apply(h);
        var innerInput = Keras.Input(250);
        var inner = new Model(innerInput, new Dense(40, activation: "relu").Apply(innerInput), name: "inner");
        var d1 = inner.Apply(h);
        var d2 = new Dense(40).Apply(h);
        h = new Subtract().Apply([new Multiply().Apply([d1, d2]), d2]);
        var m = new Model(input, new Dense(3, activation: "softmax").Apply(h));
        m.Compile("sgd", "categorical_crossentropy", ["accuracy"]);
        SetRandomWeights(m, 14, 0.3f);
        var r = new Random(15);
        var data = new ArraySequence(Rand(r, 0, 1, 19, 10, 10, 3), OneHot(19, 3), 1);
        var (alone, _) = EvaluateWith(m, data, stack: false);
        var (stacked, passes) = EvaluateWith(m, data, stack: true);
        AssertSameValues(alone, stacked, "Evaluate");
        BitEqual(PredictWith(m, data, false).Values, PredictWith(m, data, true).Values, "Predict");
        bool stacks = Fused && activation == "relu";
        Assert.Equal(stacks ? 16 : 1, m.InferenceInvariantSamples);
        Assert.Equal(stacks ? 2 : 19, passes);
    }

    /// <summary>
    /// MobileNetV2 (the Teachable Machine base): ZeroPadding2D, Conv2D, BatchNormalization (folded and not), ReLU(6),
    /// DepthwiseConv2D, Add, GlobalAveragePooling2D, Dropout and a softmax Dense all promise each sample its bits, so
    /// a batch-1 evaluation stacks, with the unstacked values.
    /// </summary>
    [Fact]
    public void MobileNetV2StacksWithTheSameBits()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(16);
        var m = KerasNet.Applications.Applications.MobileNetV2((32, 32, 3), alpha: 0.35, classes: 4);
        MobileNetOnnxTests.RandomizeNormalizations(m, new Random(17));
        m.Compile("sgd", "categorical_crossentropy", ["accuracy"]);
        var data = new ArraySequence(Rand(new Random(18), 0, 1, 18, 32, 32, 3), OneHot(18, 4), 1);
        var blocking = m.Graph!.Layers.Where(l => l.InferenceInvariantSamples < 16).Select(l => $"{l.Name} ({l.ClassName})").ToArray();
        if (Fused) Assert.True(blocking.Length == 0, "layers that stop stacking: " + string.Join(", ", blocking));
        foreach (bool fold in new[] { true, false })
        {
            m.SetBatchNormalizationFolding(fold);
            var (alone, _) = EvaluateWith(m, data, stack: false);
            var (stacked, passes) = EvaluateWith(m, data, stack: true);
            AssertSameValues(alone, stacked, $"Evaluate (folding {fold})");
            BitEqual(PredictWith(m, data, false).Values, PredictWith(m, data, true).Values, $"Predict (folding {fold})");
            Assert.Equal(Fused ? 2 : 18, passes);
        }
    }

    /// <summary>A source that writes every batch into the same tensors, as a generator reusing its buffers may.</summary>
    private sealed class ReusingSequence(Tensor x, Tensor y) : IDataSequence
    {
        private readonly Tensor _x = new(1, x.Shape[1], x.Shape[2], x.Shape[3]), _y = new(1, y.Shape[1]);

        public int Count => x.BatchSize;
        public int Samples => x.BatchSize;

        public Batch GetBatch(int index)
        {
            x.Span.Slice(index * _x.Length, _x.Length).CopyTo(_x.Span);
            y.Span.Slice(index * _y.Length, _y.Length).CopyTo(_y.Span);
            return new Batch(_x, _y);
        }

        public void OnEpochEnd() { }
    }
}
