using System.Globalization;
using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using KerasNet.Tests.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Layers;

/// <summary>
/// The convolution layers inside models: Keras 2.4's summary text and parameter counts, .h5 and .keras round trips
/// (predictions bit-identical; the files' weight names, order and Keras 3 config checked with h5py), Keras 1 kernel
/// layouts, channels_first inference, and what training refuses.
/// </summary>
public class ConvolutionModelTests
{
    /// <summary>
    /// 16x16x32 -> DepthwiseConv2D(3) (3*3*32 + 32 = 320 params) -> SeparableConv2D(64, 3, same) (3*3*32 + 32*64 + 64 = 2400)
    /// -> Conv2D(64, 3, strides 2, groups 4) (3*3*16*64 + 64 = 9280) -> Conv2DTranspose(16, 3, strides 2, same) (3*3*16*64 + 16 = 9232).
    /// </summary>
    private static Sequential Model2D() => new([
        new DepthwiseConv2D(3, inputShape: (16, 16, 32)),
        new SeparableConv2D(64, 3, padding: "same", activation: "relu"),
        new Conv2D(64, 3, strides: 2, groups: 4),
        new Conv2DTranspose(16, 3, strides: 2, padding: "same", activation: "tanh")]);

    /// <summary>(20, 4) -> Conv1D(8, 5, causal) -> SeparableConv1D(6, 3, strides 2, depth_multiplier 2) -> Conv1DTranspose(4, 3, strides 2).</summary>
    private static Sequential Model1D() => new([
        new Conv1D(8, 5, padding: "causal", inputShape: (20, 4)),
        new SeparableConv1D(6, 3, strides: 2, depthMultiplier: 2, activation: "relu"),
        new Conv1DTranspose(4, 3, strides: 2)]);

    private static Sequential Fresh(Func<Sequential> make)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(3);
        return make();
    }

    [Fact]
    public void SummariesAreKeras24sTablesWithKerasParameterCounts()
    {
        var two = Fresh(Model2D).SummaryText();
        Assert.Equal(string.Join("\n", new[]
        {
            "Model: \"sequential\"",
            "_________________________________________________________________",
            "Layer (type)                 Output Shape              Param #   ",
            "=================================================================",
            "depthwise_conv2d (DepthwiseC (None, 14, 14, 32)        320       ",
            "_________________________________________________________________",
            "separable_conv2d (SeparableC (None, 14, 14, 64)        2400      ",
            "_________________________________________________________________",
            "conv2d (Conv2D)              (None, 6, 6, 64)          9280      ",
            "_________________________________________________________________",
            "conv2d_transpose (Conv2DTran (None, 12, 12, 16)        9232      ",
            "=================================================================",
            "Total params: 21,232",
            "Trainable params: 21,232",
            "Non-trainable params: 0",
            "_________________________________________________________________",
        }) + "\n", two);
        KerasBackend.ClearSession();
        Model2D();
        var one = Model1D().SummaryText();
        Assert.Equal(string.Join("\n", new[]
        {
            "Model: \"sequential_1\"",
            "_________________________________________________________________",
            "Layer (type)                 Output Shape              Param #   ",
            "=================================================================",
            "conv1d (Conv1D)              (None, 20, 8)             168       ",
            "_________________________________________________________________",
            "separable_conv1d (SeparableC (None, 9, 6)              150       ",
            "_________________________________________________________________",
            "conv1d_transpose (Conv1DTran (None, 19, 4)             76        ",
            "=================================================================",
            "Total params: 394",
            "Trainable params: 394",
            "Non-trainable params: 0",
            "_________________________________________________________________",
        }) + "\n", one);
    }

    public static TheoryData<string, string> Files() => new()
    {
        { "2d", "m.h5" }, { "2d", "m.keras" }, { "1d", "m.h5" }, { "1d", "m.keras" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void SaveAndLoadKeepPredictions(string which, string file)
    {
        var m = Fresh(which == "2d" ? Model2D : Model1D);
        Models.GraphTestKit.SetRandomWeights(m, 4, scale: 0.3f);
        var x = Models.GraphTestKit.Rand(new Random(5), -1, 1, [3, .. m.InputShape!]);
        var before = m.PredictOnBatch(x)[0].ToArray();
        var path = Path.Combine(Oracle.TempDir(), file);
        m.Save(path);
        var back = Keras.LoadModel(path);
        Assert.Equal(m.Layers.Select(l => l.ClassName), back.Layers.Select(l => l.ClassName));
        Assert.Equal(m.Layers.Select(l => PyJson.Dumps(l.GetConfig())), back.Layers.Select(l => PyJson.Dumps(l.GetConfig())));
        Assert.Equal(m.Weights.Select(w => w.FullName), back.Weights.Select(w => w.FullName));
        SavingTestUtil.AssertBitEqual(before, back.PredictOnBatch(x)[0].ToArray(), $"{which} {file} predictions");
    }

    private static JsonObject Walk(string path, string kind) => JsonNode.Parse(Oracle.RunPythonScript("saving_h5_walk.py", path, kind))!.AsObject();

    private static float[] Values(JsonNode? stored) =>
        stored!["values"]!.AsArray().Select(v => (float)double.Parse(v!.GetValue<string>(), CultureInfo.InvariantCulture)).ToArray();

    /// <summary>h5py reads the layers' weights under Keras's names and order (legacy .h5) and in Keras 3's variable order (.keras).</summary>
    [SkippableFact]
    public void FilesHoldKerasWeightNamesOrderAndKeras3Configs()
    {
        Oracle.RequirePython("h5py");
        var m = Fresh(Model2D);
        Models.GraphTestKit.SetRandomWeights(m, 6);
        var dir = Oracle.TempDir();
        m.Save(Path.Combine(dir, "m.h5"));
        var legacy = Walk(Path.Combine(dir, "m.h5"), "legacy")["layers"]!.AsArray();
        var separable = legacy.Single(l => l!["name"]!.GetValue<string>() == "separable_conv2d")!;
        Assert.Equal(["separable_conv2d/depthwise_kernel:0", "separable_conv2d/pointwise_kernel:0", "separable_conv2d/bias:0"],
            separable["weight_names"]!.AsArray().Select(n => n!.GetValue<string>()));
        var depthwise = legacy.Single(l => l!["name"]!.GetValue<string>() == "depthwise_conv2d")!;
        Assert.Equal(["depthwise_conv2d/depthwise_kernel:0", "depthwise_conv2d/bias:0"], depthwise["weight_names"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal([3, 3, 32, 1], depthwise["weights"]![0]!["shape"]!.AsArray().Select(d => d!.GetValue<int>()));
        Assert.Equal(m.GetLayer("depthwise_conv2d").Weights[0].Value.ToArray(), Values(depthwise["weights"]![0]));

        m.Save(Path.Combine(dir, "m.keras"));
        var k3 = Walk(Path.Combine(dir, "m.keras"), "keras3");
        var layers = k3["config"]!["config"]!["layers"]!.AsArray().Where(l => l!["class_name"]!.GetValue<string>() != "InputLayer").ToList();
        foreach (var l in layers)
        {
            var cfg = l!["config"]!.AsObject();
            bool takesGroups = l["class_name"]!.GetValue<string>() == "Conv2D";
            Assert.True(cfg.ContainsKey("groups") == takesGroups, $"{l["class_name"]}: groups {(takesGroups ? "missing" : "present")} in the Keras 3 config");
        }
        var sep = layers.Single(l => l!["class_name"]!.GetValue<string>() == "SeparableConv2D")!["config"]!.AsObject();
        Assert.False(sep.ContainsKey("kernel_initializer"));
        Assert.Equal("keras.initializers", sep["pointwise_initializer"]!["module"]!.GetValue<string>());
        var dw = layers.Single(l => l!["class_name"]!.GetValue<string>() == "DepthwiseConv2D")!["config"]!.AsObject();
        Assert.Equal("GlorotUniform", dw["depthwise_initializer"]!["class_name"]!.GetValue<string>());
        var stored = k3["layers"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "separable_conv2d")!["weights"]!.AsArray();
        var sepLayer = m.GetLayer("separable_conv2d");
        for (int j = 0; j < 3; j++) Assert.Equal(sepLayer.Weights[j].Value.ToArray(), Values(stored[j]));
    }

    [Fact]
    public void Keras1KernelLayoutsAreConvertedAsKerasLoaderDoes()
    {
        var origin = new WeightAssign.Origin("1.2.2", null);
        var conv1d = new Conv1D(3, 4, name: "k1");
        conv1d.Build([10, 2]);
        // Keras 1.1's (filters, input_dim, filter_length, 1) -> (filter_length, input_dim, filters).
        var legacy = Enumerable.Range(0, 3 * 2 * 4).Select(i => (float)i).ToArray();
        var checkedArrays = WeightAssign.Check(conv1d, [new StoredArray("W", legacy, [3, 2, 4, 1]), new StoredArray("b", new float[3], [3])], "f.h5", "k1", origin);
        checkedArrays.Apply();
        for (int t = 0; t < 4; t++)
            for (int i = 0; i < 2; i++)
                for (int f = 0; f < 3; f++)
                    Assert.Equal(legacy[(f * 2 + i) * 4 + t], conv1d.Kernel!.Value[(t * 2 + i) * 3 + f]);
        // Keras 1.2's (filter_length, 1, input_dim, filters) only loses its unit axis; Theano's is also flipped in time.
        var tf = Enumerable.Range(0, 24).Select(i => (float)i).ToArray();
        WeightAssign.Check(conv1d, [new StoredArray("W", tf, [4, 1, 2, 3]), new StoredArray("b", new float[3], [3])], "f.h5", "k1", origin).Apply();
        Assert.Equal(tf, conv1d.Kernel!.Value.ToArray());
        WeightAssign.Check(conv1d, [new StoredArray("W", tf, [4, 1, 2, 3]), new StoredArray("b", new float[3], [3])], "f.h5", "k1", new WeightAssign.Origin("1.2.2", "theano")).Apply();
        for (int t = 0; t < 4; t++) Assert.Equal(tf.AsSpan((3 - t) * 6, 6).ToArray(), conv1d.Kernel!.Value.ToArray().AsSpan(t * 6, 6).ToArray());
        // Keras 1's Deconvolution2D 'tf' kernel (rows, cols, in, filters) -> (rows, cols, filters, in).
        var deconv = new Conv2DTranspose(2, 2, name: "d");
        deconv.Build([3, 3, 3]);
        var d = Enumerable.Range(0, 2 * 2 * 3 * 2).Select(i => (float)i).ToArray();
        WeightAssign.Check(deconv, [new StoredArray("W", d, [2, 2, 3, 2]), new StoredArray("b", new float[2], [2])], "f.h5", "d", origin).Apply();
        for (int t = 0; t < 4; t++)
            for (int i = 0; i < 3; i++)
                for (int f = 0; f < 2; f++)
                    Assert.Equal(d[(t * 3 + i) * 2 + f], deconv.Kernel!.Value[(t * 2 + f) * 3 + i]);
    }

    /// <summary>
    /// channels_first layers give the channels_last result transposed (inference only; training is refused). Softmax
    /// runs over the last axis, as Keras's activation does: the channels for channels_last, the width for channels_first.
    /// </summary>
    [Fact]
    public void ChannelsFirstInferenceIsTheTransposedChannelsLastResult()
    {
        var rng = new Random(8);
        foreach (var (make, shape) in new (Func<string, string?, Layer>, int[])[]
        {
            ((f, a) => new Conv1D(3, 3, padding: "same", dataFormat: f, activation: a), [2, 7, 4]),
            ((f, a) => new DepthwiseConv2D(3, depthMultiplier: 2, dataFormat: f, activation: a), [2, 6, 5, 3]),
            ((f, a) => new Conv2DTranspose(2, 3, strides: 2, dataFormat: f, activation: a), [2, 3, 4, 3]),
            ((f, a) => new SeparableConv2D(4, 3, padding: "same", dataFormat: f, activation: a), [2, 5, 5, 2]),
        })
        {
            int rank = shape.Length - 2;
            var x = Models.Synthetic.Uniform(rng, -1, 1, shape);
            var nchw = ConvShapes.ToNchw(x, rank);
            foreach (var act in new[] { "tanh", "softmax" })
            {
                var last = make("channels_last", null);
                last.Build(shape[1..]);
                var first = make("channels_first", act);
                first.Build(nchw.Shape[1..]);
                first.SetWeights(last.GetWeights());
                var expected = ConvShapes.ToNchw(last.Call(x), rank);
                Backend.Current.Activation(expected.Buffer, expected.Length, expected.Shape[^1], Activations.Parse(act));
                var got = first.Call(nchw);
                Assert.Equal(expected.Shape, got.Shape);
                Assert.Equal(expected.ToArray(), got.ToArray());
                var e = Assert.ThrowsAny<KerasNetException>(() => GradientCheck.Analytic(first, nchw, got));
                Assert.Contains("training with data_format='channels_first' is not supported", e.Message);
            }
        }
    }

    [Fact]
    public void TrainingRefusesPenaltiesItDoesNotApply()
    {
        KerasBackend.ClearSession();
        var m = new Sequential([new SeparableConv2D(2, 3, inputShape: (5, 5, 2), pointwiseRegularizer: new L2(0.1), name: "sep"), new Flatten(), new Dense(1)]);
        m.Compile("sgd", "mse");
        var x = new Tensor(2, 5, 5, 2);
        var e = Assert.ThrowsAny<KerasNetException>(() => m.TrainOnBatch(new Batch(x, new Tensor(2, 1))));
        Assert.Contains("Layer 'sep' has pointwise_regularizer L2", e.Message);
        ((SeparableConv2D)m.GetLayer("sep")).PointwiseRegularizer = null;
        m.TrainOnBatch(new Batch(x, new Tensor(2, 1)));
        var d = new DepthwiseConv2D(3, inputShape: (5, 5, 2), depthwiseConstraint: new NonNeg(), name: "dw");
        var m2 = new Sequential([d, new Flatten(), new Dense(1)]);
        m2.Compile("sgd", "mse");
        Assert.Contains("Layer 'dw' has kernel_constraint NonNeg", Assert.ThrowsAny<KerasNetException>(() => m2.TrainOnBatch(new Batch(x, new Tensor(2, 1)))).Message);
    }
}
