using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.Models;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;
using static KerasNet.Tests.Layers.ShapeLayerTestKit;

namespace KerasNet.Tests.Layers;

/// <summary>The pooling cases: 1-D windows, TensorFlow 'same' padding in 1-D and 2-D, global pooling.</summary>
internal static class PoolingCases
{
    public static IEnumerable<LayerCase> All()
    {
        // 1-D: stride = pool, pool > stride (overlap), stride > pool (gaps); 'same' on 7 steps pads asymmetrically.
        foreach (var op in new[] { "max", "avg" })
            foreach (var padding in new[] { "valid", "same" })
                foreach (var (pool, stride) in new[] { (2, 2), (3, 2), (3, 1), (2, 3) })
                    foreach (var format in new[] { "channels_last", "channels_first" })
                    {
                        var spec = Spec("pool1d", ("op", op), ("pool", pool), ("stride", stride), ("padding", padding), ("data_format", format));
                        int[] shape = format == "channels_last" ? [2, 7, 3] : [2, 3, 7];
                        yield return new LayerCase($"{op}pool1d {pool} s{stride} {padding} {format}",
                            () => op == "max" ? new MaxPooling1D(pool, stride, padding, format) : new AveragePooling1D(pool, stride, padding, format),
                            shape, spec, op == "max");
                    }
        yield return new LayerCase("maxpool1d 3 s1 same channels_last ties", () => new MaxPooling1D(3, 1, "same"), [2, 6, 4],
            Spec("pool1d", ("op", "max"), ("pool", 3), ("stride", 1), ("padding", "same"), ("data_format", "channels_last")), true);
        // 2-D 'same' for the existing layers where TensorFlow's padding is asymmetric or large: even sizes with odd
        // pools, a pool larger than the image, stride larger than the pool, different pools per axis.
        foreach (var op in new[] { "max", "avg" })
            foreach (var (pool, strides, h, w) in new[] { ((3, 3), (2, 2), 6, 8), ((2, 2), (1, 1), 5, 4), ((5, 4), (1, 1), 3, 4), ((1, 2), (3, 3), 7, 5), ((2, 3), (3, 1), 7, 4) })
            {
                var spec = Spec("pool2d", ("op", op), ("pool", Ints(pool.Item1, pool.Item2)), ("strides", Ints(strides.Item1, strides.Item2)), ("padding", "same"));
                yield return new LayerCase($"{op}pool2d {pool} s{strides} same on {h}x{w}",
                    () => op == "max" ? new MaxPooling2D(pool, strides, "same") : new AveragePooling2D(pool, strides, "same"),
                    [2, h, w, 3], spec, op == "max");
            }
        // Global pooling, 16+ channels so the vector path runs beside the scalar tail.
        foreach (var op in new[] { "max", "avg" })
            foreach (var rank in new[] { 1, 2 })
                foreach (var format in new[] { "channels_last", "channels_first" })
                    foreach (var keepdims in new[] { false, true })
                    {
                        int[] spatial = rank == 1 ? [5] : [4, 3];
                        int[] shape = format == "channels_last" ? [2, .. spatial, 19] : [2, 19, .. spatial];
                        var spec = Spec("global", ("op", op), ("rank", rank), ("data_format", format), ("keepdims", keepdims));
                        yield return new LayerCase($"global{op}pool{rank}d {format}{(keepdims ? " keepdims" : "")}",
                            () => Global(op, rank, format, keepdims), shape, spec, op == "max");
                    }
        foreach (var rank in new[] { 1, 2 })
            foreach (var format in new[] { "channels_last", "channels_first" })
                yield return new LayerCase($"globalmaxpool{rank}d {format} ties", () => Global("max", rank, format, false),
                    format == "channels_last" ? (rank == 1 ? [2, 6, 21] : [2, 3, 2, 21]) : (rank == 1 ? [2, 21, 6] : [2, 21, 3, 2]),
                    Spec("global", ("op", "max"), ("rank", rank), ("data_format", format), ("keepdims", false)), true);
    }

    public static Layer Global(string op, int rank, string format, bool keepdims) => (op, rank) switch
    {
        ("max", 1) => new GlobalMaxPooling1D(format, keepdims),
        ("avg", 1) => new GlobalAveragePooling1D(format, keepdims),
        ("max", _) => new GlobalMaxPooling2D(format, keepdims),
        _ => new GlobalAveragePooling2D(format, keepdims),
    };
}

/// <summary>
/// MaxPooling1D, AveragePooling1D, the four global pooling layers, and 'same' padding of every pooling layer:
/// forward and input gradients against PyTorch (Oracles/pooling_torch.py, TensorFlow's padding written there) and
/// finite differences; predictions and one SGD step against tfjs-layers; configs of tf.keras 2.4, Keras 1 and Keras 3;
/// summaries; .h5/.keras round trips; bad arguments.
/// </summary>
public class PoolingTests(ITestOutputHelper output)
{
    public static TheoryData<string> Labels()
    {
        var d = new TheoryData<string>();
        foreach (var c in PoolingCases.All().Where(c => !Ties(c))) d.Add(c.Label);
        return d;
    }

    [Theory]
    [MemberData(nameof(Labels))]
    public void GradientsMatchFiniteDifferences(string label) => GradientCheck.Check(PoolingCases.All().Single(c => c.Label == label));

    [SkippableFact]
    public void ForwardAndGradientsMatchPyTorch() => MatchTorch(PoolingCases.All().ToList(), "pooling_torch.py", output);

    [Fact]
    public void GlobalMaxPoolingSplitsTiedGradientsAsTensorFlowsReduceMax()
    {
        // One sample, 4 steps, 2 features: feature 0 peaks twice (3 at steps 1 and 2), feature 1 once (step 3).
        var x = new Tensor([1f, 0f, 3f, -1f, 3f, 2f, 2f, 5f], 1, 4, 2);
        var layer = new GlobalMaxPooling1D();
        var ctx = new CallContext();
        Assert.Equal([3f, 5f], layer.Call(ctx, x, training: true).ToArray());
        var dx = layer.Backward(ctx, new Tensor([10f, 20f], 1, 2), needInputGrad: true)!;
        Assert.Equal([0f, 0f, 5f, 0f, 5f, 0f, 0f, 20f], dx.ToArray());
    }

    [Fact]
    public void SamePaddingAveragesOnlyThePixelsInside()
    {
        // TensorFlow: avg_pool of [1, 2, 3, 4, 5] with pool 2, 'same': windows [1,2] [3,4] [5] -> 1.5 3.5 5 (not 2.5).
        var y = new AveragePooling1D(2, padding: "same").Call(new Tensor([1f, 2f, 3f, 4f, 5f], 1, 5, 1));
        Assert.Equal([1.5f, 3.5f, 5f], y.ToArray());
        // The docstring example of tf.keras 2.4's MaxPooling1D: stride 1, 'same' -> [2, 3, 4, 5, 5].
        Assert.Equal([2f, 3f, 4f, 5f, 5f], new MaxPooling1D(2, 1, "same").Call(new Tensor([1f, 2f, 3f, 4f, 5f], 1, 5, 1)).ToArray());
        Assert.Equal([2f, 4f], new MaxPooling1D(2, 2).Call(new Tensor([1f, 2f, 3f, 4f, 5f], 1, 5, 1)).ToArray());
        // tf.keras 2.4's MaxPooling2D docstring, stride 1, 'same' on 3x3: [[5, 6, 6], [8, 9, 9], [8, 9, 9]].
        var img = new Tensor([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f], 1, 3, 3, 1);
        Assert.Equal([5f, 6f, 6f, 8f, 9f, 9f, 8f, 9f, 9f], new MaxPooling2D(2, 1, "same").Call(img).ToArray());
    }

    // ---- tfjs-layers: predictions and one SGD step ----

    private static Sequential Sequence(Layer layer, int steps = 7, int features = 4)
    {
        var m = new Sequential(name: "seq_" + layer.ClassName.ToLowerInvariant());
        m.Add(new Dense(5, activation: "tanh", inputShape: (steps, features)));
        m.Add(layer);
        if (layer.ComputeOutputShape([steps, 5]).Length > 1) m.Add(new Flatten());
        m.Add(new Dense(2));
        return m;
    }

    private static Sequential Image(Layer layer)
    {
        var m = new Sequential(name: "img_" + layer.ClassName.ToLowerInvariant());
        m.Add(new Conv2D(3, (2, 2), activation: "tanh", inputShape: (7, 6, 2)));
        m.Add(layer);
        if (layer.ComputeOutputShape([6, 5, 3]).Length > 1) m.Add(new Flatten());
        m.Add(new Dense(2));
        return m;
    }

    public static TheoryData<string> TfjsModels() => new()
    {
        "MaxPooling1D 3 s2 same", "AveragePooling1D 3 s2 same", "MaxPooling1D 2 valid", "AveragePooling1D 2 s1 valid",
        "GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
        "MaxPooling2D 3 s2 same", "AveragePooling2D 3 s2 same", "AveragePooling2D 2x3 s1 same",
    };

    private static Sequential TfjsModel(string what) => what switch
    {
        "MaxPooling1D 3 s2 same" => Sequence(new MaxPooling1D(3, 2, "same")),
        "AveragePooling1D 3 s2 same" => Sequence(new AveragePooling1D(3, 2, "same")),
        "MaxPooling1D 2 valid" => Sequence(new MaxPooling1D()),
        "AveragePooling1D 2 s1 valid" => Sequence(new AveragePooling1D(2, 1)),
        "GlobalAveragePooling1D" => Sequence(new GlobalAveragePooling1D()),
        "GlobalMaxPooling1D" => Sequence(new GlobalMaxPooling1D()),
        "GlobalAveragePooling2D" => Image(new GlobalAveragePooling2D()),
        "GlobalMaxPooling2D" => Image(new GlobalMaxPooling2D()),
        "MaxPooling2D 3 s2 same" => Image(new MaxPooling2D(3, 2, "same")),
        "AveragePooling2D 3 s2 same" => Image(new AveragePooling2D(3, 2, "same")),
        _ => Image(new AveragePooling2D((2, 3), 1, "same")),
    };

    [SkippableTheory]
    [MemberData(nameof(TfjsModels))]
    public void PredictionsAndOneSgdStepMatchTfjs(string what)
    {
        Oracle.RequireNodeTfjs();
        KerasBackend.ClearSession();
        var m = TfjsModel(what);
        var rng = new Random(what.Length);
        foreach (var w in m.Weights)
            for (int i = 0; i < w.Size; i++) w.Value[i] = (float)(rng.NextDouble() - 0.5);
        var x = Synthetic.Uniform(rng, -1, 1, [5, .. m.InputShape!]);
        var y = Synthetic.Uniform(rng, -1, 1, 5, 2);
        // tfjs-layers 4.22's CPU AvgPoolGrad divides every window by its full size (1 / (kh * kw)), also where 'same'
        // padding made the forward pass average fewer pixels, so its gradient disagrees with its own forward pass and
        // with TensorFlow's AvgPoolGrad. Those cases are compared on predictions only; their gradients are checked
        // against PyTorch and finite differences above.
        bool tfjsGradientIsWrong = what.StartsWith("Average") && what.EndsWith(" same");
        MatchTfjs(m, x, y, log: output, train: !tfjsGradientIsWrong);
    }

    // ---- configs ----

    public static TheoryData<string, string, string> Configs() => new()
    {
        // tf.keras 2.4 get_config, as to_json writes it (Pooling1D puts strides before pool_size).
        { "MaxPooling1D", """{"name": "max_pooling1d", "trainable": true, "dtype": "float32", "strides": [2], "pool_size": [3], "padding": "same", "data_format": "channels_last"}""", "" },
        { "AveragePooling1D", """{"name": "average_pooling1d", "trainable": true, "dtype": "float32", "strides": [2], "pool_size": [2], "padding": "valid", "data_format": "channels_first"}""", "" },
        { "GlobalAveragePooling1D", """{"name": "global_average_pooling1d", "trainable": true, "dtype": "float32", "data_format": "channels_last"}""", "" },
        { "GlobalMaxPooling1D", """{"name": "global_max_pooling1d", "trainable": true, "dtype": "float32", "data_format": "channels_first"}""", "" },
        { "GlobalAveragePooling2D", """{"name": "global_average_pooling2d", "trainable": true, "dtype": "float32", "data_format": "channels_last"}""", "" },
        { "GlobalMaxPooling2D", """{"name": "global_max_pooling2d", "trainable": true, "dtype": "float32", "data_format": "channels_last"}""", "" },
        // Keras 2.6+ keepdims, and the aliases.
        { "GlobalAvgPool2D", """{"name": "gap", "trainable": true, "dtype": "float32", "data_format": "channels_last", "keepdims": true}""", "GlobalAveragePooling2D" },
        { "GlobalMaxPool1D", """{"name": "gmp", "trainable": true, "dtype": "float32", "data_format": "channels_last", "keepdims": true}""", "GlobalMaxPooling1D" },
        { "MaxPool1D", """{"name": "mp", "trainable": true, "dtype": "float32", "strides": [1], "pool_size": [2], "padding": "valid", "data_format": "channels_last"}""", "MaxPooling1D" },
        { "AvgPool1D", """{"name": "ap", "trainable": true, "dtype": "float32", "strides": [3], "pool_size": [3], "padding": "valid", "data_format": "channels_last"}""", "AveragePooling1D" },
        { "GlobalAvgPool1D", """{"name": "g1", "trainable": true, "dtype": "float32", "data_format": "channels_last"}""", "GlobalAveragePooling1D" },
        { "GlobalMaxPool2D", """{"name": "g2", "trainable": true, "dtype": "float32", "data_format": "channels_first"}""", "GlobalMaxPooling2D" },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void TfKeras24ConfigsAreReadAndWrittenBackTheSame(string className, string config, string canonical)
    {
        var layer = FromConfig(className, config);
        Assert.Equal(canonical == "" ? className : canonical, layer.ClassName);
        Assert.Equal(JsonNode.Parse(config)!.ToJsonString(), layer.GetConfig().ToJsonString());
        RoundTrip(layer);
    }

    [Fact]
    public void Keras1AndKeras3ConfigsAreRead()
    {
        // Keras 1.2 Pooling1D.get_config: stride (null = pool_length), pool_length, border_mode.
        var mp = (MaxPooling1D)FromConfig("MaxPooling1D", """{"name": "maxpooling1d_1", "trainable": true, "stride": null, "pool_length": 3, "border_mode": "same"}""");
        Assert.Equal((3, 3, "same", "channels_last"), (mp.PoolSize, mp.Strides, mp.Padding, mp.DataFormat));
        var ap = (AveragePooling1D)FromConfig("AveragePooling1D", """{"name": "averagepooling1d_1", "trainable": true, "stride": 1, "pool_length": 2, "border_mode": "valid"}""");
        Assert.Equal((2, 1, "valid"), (ap.PoolSize, ap.Strides, ap.Padding));
        // Keras 1 GlobalPooling2D had dim_ordering; GlobalPooling1D had no argument.
        Assert.Equal("channels_first", ((GlobalAveragePooling2D)FromConfig("GlobalAveragePooling2D", """{"name": "g", "trainable": true, "dim_ordering": "th"}""")).DataFormat);
        Assert.Equal("channels_last", ((GlobalMaxPooling2D)FromConfig("GlobalMaxPooling2D", """{"name": "g", "trainable": true, "dim_ordering": "tf"}""")).DataFormat);
        Assert.False(((GlobalMaxPooling1D)FromConfig("GlobalMaxPooling1D", """{"name": "g", "trainable": true}""")).Keepdims);
        // Keras 3: a DTypePolicy object, ints or lists, keepdims always written.
        const string policy = """{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}""";
        var k3 = (MaxPooling1D)FromConfig("MaxPooling1D", $$"""{"name": "max_pooling1d", "trainable": true, "dtype": {{policy}}, "pool_size": [4], "padding": "same", "strides": [2], "data_format": "channels_last"}""");
        Assert.Equal((4, 2, "same"), (k3.PoolSize, k3.Strides, k3.Padding));
        var k3avg = (AveragePooling1D)FromConfig("AveragePooling1D", $$"""{"name": "a", "trainable": true, "dtype": {{policy}}, "pool_size": 3, "padding": "valid", "strides": null, "data_format": "channels_last"}""");
        Assert.Equal((3, 3), (k3avg.PoolSize, k3avg.Strides));
        var gap = (GlobalAveragePooling1D)FromConfig("GlobalAveragePooling1D", $$"""{"name": "g", "trainable": true, "dtype": {{policy}}, "data_format": "channels_first", "keepdims": false}""");
        Assert.Equal(("channels_first", false), (gap.DataFormat, gap.Keepdims));
        Assert.True(((GlobalMaxPooling2D)FromConfig("GlobalMaxPooling2D", $$"""{"name": "g", "trainable": true, "dtype": {{policy}}, "data_format": "channels_last", "keepdims": true}""")).Keepdims);
    }

    [Fact]
    public void ConstructorsRoundTripAndHaveKerasDefaults()
    {
        var mp = new MaxPooling1D();
        Assert.Equal((2, 2, "valid", "channels_last"), (mp.PoolSize, mp.Strides, mp.Padding, mp.DataFormat));
        Assert.Equal(3, new AveragePooling1D(3).Strides);
        Assert.Equal("same", new MaxPooling1D(padding: "SAME").Padding); // case-insensitive, as Keras's normalize_padding
        foreach (var layer in new Layer[]
        {
            new MaxPooling1D(3, 1, "same", "channels_first"), new AveragePooling1D(4, 2), new GlobalAveragePooling1D(keepdims: true),
            new GlobalMaxPooling1D("channels_first"), new GlobalAveragePooling2D(), new GlobalMaxPooling2D(keepdims: true),
        })
            RoundTrip(layer);
        Assert.True(new GlobalAveragePooling1D().SupportsMasking);   // tf.keras 2.4 and Keras 3 set supports_masking
        Assert.False(new GlobalMaxPooling1D().SupportsMasking);      // neither does for the max
        Assert.False(new GlobalAveragePooling2D().SupportsMasking);
        Assert.False(new MaxPooling1D().SupportsMasking);
    }

    [Fact]
    public void OutputShapesFollowKeras()
    {
        Assert.Equal([4, 3], new MaxPooling1D(3, 2, "same").ComputeOutputShape([7, 3]));     // ceil(7 / 2)
        Assert.Equal([3, 3], new MaxPooling1D(3, 2).ComputeOutputShape([7, 3]));             // (7 - 3) / 2 + 1
        Assert.Equal([3, 3], new AveragePooling1D(3, 2, dataFormat: "channels_first").ComputeOutputShape([3, 7]));
        Assert.Equal([5], new GlobalAveragePooling2D().ComputeOutputShape([4, 3, 5]));
        Assert.Equal([1, 1, 5], new GlobalAveragePooling2D(keepdims: true).ComputeOutputShape([4, 3, 5]));
        Assert.Equal([5, 1, 1], new GlobalMaxPooling2D("channels_first", true).ComputeOutputShape([5, 4, 3]));
        Assert.Equal([4, 1], new GlobalMaxPooling1D("channels_first", true).ComputeOutputShape([4, 9]));
        Assert.Equal([1, 4], new GlobalMaxPooling1D(keepdims: true).ComputeOutputShape([9, 4]));
    }

    [Fact]
    public void BadArgumentsAndShapesNameTheLayerAndArgument()
    {
        Refused(() => new MaxPooling1D(0), "MaxPooling1D", "pool_size");
        Refused(() => new AveragePooling1D(2, 0), "AveragePooling1D", "strides");
        Refused(() => new MaxPooling1D(padding: "causal"), "MaxPooling1D", "padding");
        Refused(() => new GlobalAveragePooling2D("channels_middle"), "GlobalAveragePooling2D", "data_format");
        Refused(() => new MaxPooling1D(name: "mp").Build([7, 3, 2]), "'mp' (MaxPooling1D)", "expected ndim=3, found ndim=4");
        Refused(() => new GlobalMaxPooling2D(name: "g").Build([7, 3]), "'g' (GlobalMaxPooling2D)", "expected ndim=4, found ndim=3");
        Refused(() => new MaxPooling1D(5, name: "big").Build([3, 2]), "'big' (MaxPooling1D)", "pool_size=5", "empty");
        var e = Assert.Throws<ModelConfigException>(() => FromConfig("MaxPooling1D", """{"name": "m", "pool_size": [2, 2]}"""));
        Assert.Contains("test.json: layer 'm' (MaxPooling1D): field 'pool_size' should have 1 value", e.Message);
    }

    // ---- summaries ----

    /// <summary>
    /// Source: the Keras functional API guide, the "encoder" of its autoencoder example (keras-io guides/md/functional_api.md,
    /// the same guide as FunctionalSummaryTests' toy ResNet); a tf.keras 2.4 print: "global_max_pooling2d (Global" cut at
    /// its column. The text below is copied from the guide.
    /// </summary>
    [Fact]
    public void EncoderOfTheFunctionalApiGuidePrintsAsKeras()
    {
        KerasBackend.ClearSession();
        var encoderInput = Keras.Input(shape: (28, 28, 1), name: "img");
        var x = new Conv2D(16, 3, activation: "relu").Apply(encoderInput);
        x = new Conv2D(32, 3, activation: "relu").Apply(x);
        x = new MaxPooling2D(3).Apply(x);
        x = new Conv2D(32, 3, activation: "relu").Apply(x);
        x = new Conv2D(16, 3, activation: "relu").Apply(x);
        var encoderOutput = new GlobalMaxPooling2D().Apply(x);
        var encoder = new Model(encoderInput, encoderOutput, name: "encoder");
        Assert.Equal(string.Join("\n",
            "Model: \"encoder\"",
            "_________________________________________________________________",
            "Layer (type)                 Output Shape              Param #   ",
            "=================================================================",
            "img (InputLayer)             [(None, 28, 28, 1)]       0         ",
            "_________________________________________________________________",
            "conv2d (Conv2D)              (None, 26, 26, 16)        160       ",
            "_________________________________________________________________",
            "conv2d_1 (Conv2D)            (None, 24, 24, 32)        4640      ",
            "_________________________________________________________________",
            "max_pooling2d (MaxPooling2D) (None, 8, 8, 32)          0         ",
            "_________________________________________________________________",
            "conv2d_2 (Conv2D)            (None, 6, 6, 32)          9248      ",
            "_________________________________________________________________",
            "conv2d_3 (Conv2D)            (None, 4, 4, 16)          4624      ",
            "_________________________________________________________________",
            "global_max_pooling2d (Global (None, 16)                0         ",
            "=================================================================",
            "Total params: 18,672",
            "Trainable params: 18,672",
            "Non-trainable params: 0",
            "_________________________________________________________________") + "\n", encoder.SummaryText());
    }

    /// <summary>Rows of the 1-D layers, written by print_summary's rules (name (class) cut at 28 + space, shape, params).</summary>
    [Fact]
    public void SequenceLayersHaveKerasSummaryRows()
    {
        KerasBackend.ClearSession();
        var m = new Sequential();
        m.Add(new MaxPooling1D(3, 2, "same", inputShape: (7, 4)));
        m.Add(new AveragePooling1D());
        m.Add(new GlobalAveragePooling1D(keepdims: true));
        m.Add(new GlobalMaxPooling1D());
        var rows = m.SummaryText().Split('\n');
        Assert.Equal("max_pooling1d (MaxPooling1D) (None, 4, 4)              0         ", rows[4]);
        Assert.Equal("average_pooling1d (AveragePo (None, 2, 4)              0         ", rows[6]);
        Assert.Equal("global_average_pooling1d (Gl (None, 1, 4)              0         ", rows[8]);
        Assert.Equal("global_max_pooling1d (Global (None, 4)                 0         ", rows[10]);
        Assert.Equal("Total params: 0", rows[12]);
    }

    [Fact]
    public void SaveAndLoadKeepThePredictions()
    {
        KerasBackend.ClearSession();
        var m = new Sequential();
        m.Add(new Dense(6, activation: "tanh", inputShape: (9, 3)));
        m.Add(new MaxPooling1D(3, 2, "same"));
        m.Add(new AveragePooling1D(2, 1, dataFormat: "channels_first"));
        m.Add(new GlobalMaxPooling1D(keepdims: true));
        m.Add(new GlobalAveragePooling1D());
        m.Add(new Dense(2));
        SaveLoad(m, Synthetic.Uniform(new Random(3), -1, 1, 4, 9, 3));
        var img = new Sequential();
        img.Add(new Conv2D(4, 3, inputShape: (8, 7, 2)));
        img.Add(new MaxPooling2D(3, 2, "same"));
        img.Add(new AveragePooling2D(2, 1, "same"));
        img.Add(new GlobalMaxPooling2D());
        SaveLoad(img, Synthetic.Uniform(new Random(4), -1, 1, 3, 8, 7, 2));
        var gap = new Sequential();
        gap.Add(new GlobalAveragePooling2D("channels_first", inputShape: (3, 4, 5)));
        SaveLoad(gap, Synthetic.Uniform(new Random(5), -1, 1, 2, 3, 4, 5));
    }
}
