using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.Models;
using static KerasNet.Tests.Layers.ShapeLayerTestKit;

namespace KerasNet.Tests.Layers;

/// <summary>
/// The reshaping and pooling layers in models and in the engine: summaries against printed Keras tables and
/// print_summary's rules, .h5/.keras round trips of Sequential and Functional models, the kernels' argument checks,
/// and no allocation in warm forward/backward steps of every case of ReshapingCases and PoolingCases.
/// </summary>
public class ReshapingModelTests
{
    // ---- summaries ----

    /// <summary>
    /// Source: a public script (a Sequential convolutional autoencoder on MNIST, tf.keras 2.4-era naming) whose printed
    /// model.summary() sits in its docstring, found with the project's code search, stored text id 7561119092 (the
    /// index names no repository for it, so no URL can be given). The layers below are the script's; the expected text
    /// is copied from it: "reshape (Reshape)", "up_sampling2d (UpSampling2D)" and the cut "up_sampling2d_1 (UpSampling2".
    /// </summary>
    [Fact]
    public void ConvolutionalAutoencoderPrintsAsKeras()
    {
        KerasBackend.ClearSession();
        var autoencoder = new Sequential();
        autoencoder.Add(new Conv2D(16, (3, 3), activation: "relu", inputShape: (28, 28, 1)));
        autoencoder.Add(new MaxPooling2D((2, 2)));
        autoencoder.Add(new Conv2D(8, (3, 3), activation: "relu", padding: "same"));
        autoencoder.Add(new MaxPooling2D((2, 2), padding: "same"));
        autoencoder.Add(new Conv2D(8, (3, 3), activation: "relu", padding: "same", strides: (2, 2)));
        autoencoder.Add(new Flatten());
        autoencoder.Add(new Reshape((4, 4, 8)));
        autoencoder.Add(new Conv2D(8, (3, 3), activation: "relu", padding: "same"));
        autoencoder.Add(new UpSampling2D((2, 2)));
        autoencoder.Add(new Conv2D(8, (3, 3), activation: "relu", padding: "same"));
        autoencoder.Add(new UpSampling2D((2, 2)));
        autoencoder.Add(new Conv2D(16, (3, 3), activation: "relu"));
        autoencoder.Add(new UpSampling2D((2, 2)));
        autoencoder.Add(new Conv2D(1, (3, 3), activation: "sigmoid", padding: "same"));
        Assert.Equal(string.Join("\n",
            "Model: \"sequential\"",
            "_________________________________________________________________",
            "Layer (type)                 Output Shape              Param #   ",
            "=================================================================",
            "conv2d (Conv2D)              (None, 26, 26, 16)        160       ",
            "_________________________________________________________________",
            "max_pooling2d (MaxPooling2D) (None, 13, 13, 16)        0         ",
            "_________________________________________________________________",
            "conv2d_1 (Conv2D)            (None, 13, 13, 8)         1160      ",
            "_________________________________________________________________",
            "max_pooling2d_1 (MaxPooling2 (None, 7, 7, 8)           0         ",
            "_________________________________________________________________",
            "conv2d_2 (Conv2D)            (None, 4, 4, 8)           584       ",
            "_________________________________________________________________",
            "flatten (Flatten)            (None, 128)               0         ",
            "_________________________________________________________________",
            "reshape (Reshape)            (None, 4, 4, 8)           0         ",
            "_________________________________________________________________",
            "conv2d_3 (Conv2D)            (None, 4, 4, 8)           584       ",
            "_________________________________________________________________",
            "up_sampling2d (UpSampling2D) (None, 8, 8, 8)           0         ",
            "_________________________________________________________________",
            "conv2d_4 (Conv2D)            (None, 8, 8, 8)           584       ",
            "_________________________________________________________________",
            "up_sampling2d_1 (UpSampling2 (None, 16, 16, 8)         0         ",
            "_________________________________________________________________",
            "conv2d_5 (Conv2D)            (None, 14, 14, 16)        1168      ",
            "_________________________________________________________________",
            "up_sampling2d_2 (UpSampling2 (None, 28, 28, 16)        0         ",
            "_________________________________________________________________",
            "conv2d_6 (Conv2D)            (None, 28, 28, 1)         145       ",
            "=================================================================",
            "Total params: 4,385",
            "Trainable params: 4,385",
            "Non-trainable params: 0",
            "_________________________________________________________________") + "\n", autoencoder.SummaryText());
    }

    /// <summary>Rows of the other reshaping layers, written by print_summary's rules (name (class) cut at 28 + space, shape, params).</summary>
    [Fact]
    public void OtherReshapingLayersHaveKerasSummaryRows()
    {
        KerasBackend.ClearSession();
        var m = new Sequential();
        m.Add(new ZeroPadding1D((1, 2), inputShape: (5, 3)));
        m.Add(new Cropping1D());
        m.Add(new UpSampling1D(3));
        m.Add(new Permute([2, 1]));
        m.Add(new Flatten());
        m.Add(new RepeatVector(2));
        m.Add(new Reshape((2, 3, -1)));
        m.Add(new ZeroPadding2D(((1, 0), (2, 3))));
        m.Add(new Cropping2D((1, 2)));
        var rows = m.SummaryText().Split('\n');
        Assert.Equal("zero_padding1d (ZeroPadding1 (None, 8, 3)              0         ", rows[4]);
        Assert.Equal("cropping1d (Cropping1D)      (None, 6, 3)              0         ", rows[6]);
        Assert.Equal("up_sampling1d (UpSampling1D) (None, 18, 3)             0         ", rows[8]);
        Assert.Equal("permute (Permute)            (None, 3, 18)             0         ", rows[10]);
        Assert.Equal("flatten (Flatten)            (None, 54)                0         ", rows[12]);
        Assert.Equal("repeat_vector (RepeatVector) (None, 2, 54)             0         ", rows[14]);
        Assert.Equal("reshape (Reshape)            (None, 2, 3, 18)          0         ", rows[16]);
        Assert.Equal("zero_padding2d (ZeroPadding2 (None, 3, 8, 18)          0         ", rows[18]);
        Assert.Equal("cropping2d (Cropping2D)      (None, 1, 4, 18)          0         ", rows[20]);
        Assert.Equal("Total params: 0", rows[22]);
    }

    [Fact]
    public void SaveAndLoadKeepThePredictions()
    {
        KerasBackend.ClearSession();
        var seq = new Sequential();
        seq.Add(new Dense(4, activation: "tanh", inputShape: (6, 3)));
        seq.Add(new ZeroPadding1D((1, 2)));
        seq.Add(new Cropping1D((2, 0)));
        seq.Add(new UpSampling1D(2));
        seq.Add(new Permute([2, 1]));
        seq.Add(new Flatten());
        seq.Add(new RepeatVector(2));
        seq.Add(new Reshape((2, 4, -1)));
        seq.Add(new ZeroPadding2D(((1, 0), (0, 2)), "channels_first"));
        seq.Add(new Cropping2D(((0, 1), (1, 1))));
        seq.Add(new UpSampling2D((2, 1), interpolation: "bilinear"));
        seq.Add(new UpSampling2D((1, 2), "channels_first"));
        seq.Add(new Flatten("channels_first"));
        seq.Add(new Dense(2));
        SaveLoad(seq, Synthetic.Uniform(new Random(8), -1, 1, 3, 6, 3));
    }

    [Fact]
    public void AFunctionalGraphOfThemSavesAndLoads()
    {
        KerasBackend.ClearSession();
        var input = Keras.Input(shape: (8, 8, 2), name: "img");
        var a = new Conv2D(4, 3, padding: "same", activation: "tanh").Apply(input);
        var up = new UpSampling2D(2, interpolation: "bilinear").Apply(new MaxPooling2D(2).Apply(a));
        var ring = new ZeroPadding2D(1).Apply(new Cropping2D(1).Apply(a));
        var sum = new Add().Apply(a, up, ring);
        var head = new Dense(2).Apply(new GlobalAveragePooling2D().Apply(sum));
        var side = new GlobalMaxPooling1D().Apply(new Reshape((16, -1)).Apply(new Permute([3, 1, 2]).Apply(sum)));
        var model = new Model(input, new Concatenate().Apply(head, side), name: "graph");
        Assert.Equal([18], model.OutputShape!);
        SaveLoad(model, Synthetic.Uniform(new Random(9), -1, 1, 2, 8, 8, 2));
    }

    [Fact]
    public void KernelsRefuseShortBuffersAndBadArguments()
    {
        var be = new CpuBackend();
        var small = new float[5];
        var big = new float[1000];
        Assert.Throws<ArgumentException>(() => be.Transpose(2, [3, 4], [1, 0], small, big));
        Assert.Throws<ArgumentException>(() => be.Transpose(2, [3, 4], [1, 1], big, big));
        Assert.Throws<ArgumentException>(() => be.ZeroPad2D(1, 2, 2, 1, 1, 1, 1, 1, big, small));
        Assert.Throws<ArgumentOutOfRangeException>(() => be.Crop2D(1, 2, 2, 1, 2, 1, 0, 0, big, big));
        Assert.Throws<ArgumentOutOfRangeException>(() => be.Crop2D(1, 2, 2, 1, int.MaxValue, int.MaxValue, 0, 0, big, big));
        Assert.Throws<ArgumentException>(() => be.UpsampleNearest(1, 2, 2, 1, 2, 2, big, small));
        Assert.Throws<ArgumentOutOfRangeException>(() => be.UpsampleNearest(1, 2, 2, 1, 0, 2, big, big));
        Assert.Throws<ArgumentException>(() => be.ResizeBilinearBackward(1, 2, 2, 1, 4, 4, small, big));
        Assert.Throws<ArgumentException>(() => be.GlobalAvgPool(2, 3, 4, small, big));
        Assert.Throws<ArgumentOutOfRangeException>(() => be.GlobalMaxPool(2, 0, 4, big, big));
        Assert.Throws<ArgumentException>(() => be.GlobalMaxPoolBackward(2, 3, 4, big, big, big, small));
    }

    // ---- no allocation in the steady state ----

    [Fact]
    public void ForwardAndBackwardAllocateNothingOnceWarm()
    {
        var sink = GradientSink.All();
        foreach (var c in ReshapingCases.All().Concat(PoolingCases.All()))
        {
            var (layer, x, r) = c.Instantiate(5);
            var ctx = new CallContext { Training = true };
            ctx.Inputs[0] = x;
            void Step()
            {
                layer.ForwardNode(ctx);
                layer.BackwardNode(ctx, [r], true, sink);
            }
            Step();
            Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 5; k++) Step();
            Assert.True(GC.GetAllocatedBytesForCurrentThread() == before, $"{c.Label}: {GC.GetAllocatedBytesForCurrentThread() - before} bytes allocated in 5 warm steps");
        }
    }
}
