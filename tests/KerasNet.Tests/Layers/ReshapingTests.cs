using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.Models;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;
using static KerasNet.Tests.Layers.ShapeLayerTestKit;

namespace KerasNet.Tests.Layers;

/// <summary>The reshaping cases: every layer, several ranks, margins, factors and both data formats.</summary>
internal static class ReshapingCases
{
    private static LayerCase Case(string label, Func<Layer> make, int[] shape, JsonObject spec) => new(label, make, shape, spec, false);

    private static JsonObject Margins2(string kind, Margins2D m, string format) =>
        Spec(kind, ("top", m.Top), ("bottom", m.Bottom), ("left", m.Left), ("right", m.Right), ("data_format", format));

    public static IEnumerable<LayerCase> All()
    {
        foreach (var (shape, target) in new (int[], int[])[] { ([2, 12], [3, 4]), ([2, 3, 4], [-1, 2]), ([2, 2, 3, 2], [3, -1]), ([2, 4, 3], [12]) })
            yield return Case($"reshape {ShapeUtil.Format(shape)} to {ShapeUtil.Format(target)}", () => new Reshape(target), shape, Spec("reshape", ("target", Ints(target))));
        foreach (var (shape, dims) in new (int[], int[])[] { ([2, 3, 4], [2, 1]), ([2, 2, 3, 4], [3, 1, 2]), ([2, 2, 3, 4], [1, 3, 2]), ([2, 2, 3, 4], [2, 3, 1]),
                     ([2, 2, 3, 4, 5], [4, 1, 3, 2]), ([2, 1, 3, 4], [3, 1, 2]), ([2, 3, 4], [1, 2]) })
            yield return Case($"permute {ShapeUtil.Format(shape)} dims {ShapeUtil.Format(dims)}", () => new Permute(dims), shape, Spec("permute", ("dims", Ints(dims))));
        foreach (var n in new[] { 3, 1 })
            yield return Case($"repeat_vector n={n}", () => new RepeatVector(n), [2, 5], Spec("repeat_vector", ("n", n)));
        foreach (var format in new[] { "channels_last", "channels_first" })
            foreach (var shape in new[] { new[] { 2, 7 }, [2, 4, 3], [2, 3, 4, 5], [2, 2, 3, 4, 2] })
                yield return Case($"flatten {ShapeUtil.Format(shape)} {format}", () => new Flatten(format), shape, Spec("flatten", ("data_format", format)));
        foreach (var (b, e) in new[] { (1, 1), (0, 2), (3, 0) })
        {
            yield return Case($"zero_padding1d ({b}, {e})", () => new ZeroPadding1D((b, e)), [2, 5, 3], Spec("zero_padding1d", ("begin", b), ("end", e)));
            yield return Case($"cropping1d ({b}, {e})", () => new Cropping1D((b, e)), [2, 7, 3], Spec("cropping1d", ("begin", b), ("end", e)));
        }
        foreach (var (m, format) in new (Margins2D, string)[] { (((1, 2), (0, 3)), "channels_last"), (1, "channels_last"), ((2, 1), "channels_last"), (((1, 0), (2, 1)), "channels_first") })
        {
            int[] pad = format == "channels_last" ? [2, 4, 5, 3] : [2, 3, 4, 5], crop = format == "channels_last" ? [2, 7, 6, 3] : [2, 3, 7, 6];
            yield return Case($"zero_padding2d {m} {format}", () => new ZeroPadding2D(m, format), pad, Margins2("zero_padding2d", m, format));
            yield return Case($"cropping2d {m} {format}", () => new Cropping2D(m, format), crop, Margins2("cropping2d", m, format));
        }
        foreach (var size in new[] { 2, 3, 1 })
            yield return Case($"up_sampling1d size={size}", () => new UpSampling1D(size), [2, 4, 3], Spec("up_sampling1d", ("size", size)));
        // 17 channels: a vector of 16 plus a scalar tail in the bilinear blend; 1-channel planes for channels_first.
        foreach (var interpolation in new[] { "nearest", "bilinear" })
            foreach (var (size, format, shape) in new (Size2, string, int[])[] {
                ((2, 2), "channels_last", [2, 3, 4, 17]), ((3, 2), "channels_last", [2, 3, 4, 3]), ((1, 4), "channels_last", [2, 3, 2, 3]),
                ((2, 3), "channels_first", [2, 3, 3, 4]), ((3, 3), "channels_last", [1, 2, 3, 2]) })
                yield return Case($"up_sampling2d {size} {interpolation} {format} {ShapeUtil.Format(shape)}", () => new UpSampling2D(size, format, interpolation), shape,
                    Spec("up_sampling2d", ("size", Ints(size.Height, size.Width)), ("interpolation", interpolation), ("data_format", format)));
    }
}

/// <summary>
/// Reshape, Permute, RepeatVector, Flatten, ZeroPadding1D/2D, Cropping1D/2D, UpSampling1D/2D: forward and input
/// gradients against PyTorch (Oracles/reshape_torch.py) and finite differences; predictions and one SGD step against
/// tfjs-layers; tf.keras 2.4, Keras 1 and Keras 3 configs; bad arguments (models of them: ReshapingModelTests).
/// </summary>
public class ReshapingTests(ITestOutputHelper output)
{
    public static TheoryData<string> Labels()
    {
        var d = new TheoryData<string>();
        foreach (var c in ReshapingCases.All()) d.Add(c.Label);
        return d;
    }

    [Theory]
    [MemberData(nameof(Labels))]
    public void GradientsMatchFiniteDifferences(string label) => GradientCheck.Check(ReshapingCases.All().Single(c => c.Label == label));

    [SkippableFact]
    public void ForwardAndGradientsMatchPyTorch() => MatchTorch(ReshapingCases.All().ToList(), "reshape_torch.py", output);

    [Fact]
    public void KerasDocstringExamples()
    {
        // tf.keras 2.4 UpSampling1D: [[0 1 2] [3 4 5]] -> each step twice.
        var x = new Tensor([0f, 1, 2, 3, 4, 5], 1, 2, 3);
        Assert.Equal([0f, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5], new UpSampling1D(2).Call(x).ToArray());
        // Cropping1D(1) of (3, 2) keeps the middle step.
        Assert.Equal([2f, 3], new Cropping1D(1).Call(new Tensor([0f, 1, 2, 3, 4, 5], 1, 3, 2)).ToArray());
        // ZeroPadding2D(1) of a 1x1x2x2 input: 3x4 with [0 1] [2 3] in the middle row.
        var z = new ZeroPadding2D(1).Call(new Tensor([0f, 1, 2, 3], 1, 1, 2, 2));
        Assert.Equal([1, 3, 4, 2], z.Shape);
        Assert.Equal([0f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], z.ToArray());
        // Permute((2, 1)) of (10, 64) is (64, 10); Reshape((-1, 2, 2)) of (12) is (3, 2, 2).
        Assert.Equal([64, 10], new Permute([2, 1]).ComputeOutputShape([10, 64]));
        Assert.Equal([3, 2, 2], new Reshape((-1, 2, 2)).ComputeOutputShape([12]));
        Assert.Equal([3, 32], new RepeatVector(3).ComputeOutputShape([32]));
        Assert.Equal([24, 20, 3], new Cropping2D(((2, 2), (4, 4))).ComputeOutputShape([28, 28, 3]));
    }

    [Fact]
    public void BilinearUpsamplingIsTensorFlowsHalfPixelResize()
    {
        // tf.image.resize([[1, 2]], (1, 4), bilinear): sources x = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25,
        // clamped to [0, 1]: 1, 1.25, 1.75, 2 (TF1's resize_bilinear and tfjs's default sample at i / 2 instead: 1, 1.5, 2, 2).
        var y = new UpSampling2D((1, 2), interpolation: "bilinear").Call(new Tensor([1f, 2f], 1, 1, 2, 1));
        Assert.Equal([1f, 1.25f, 1.75f, 2f], y.ToArray());
    }

    // ---- tfjs-layers ----

    private static Sequential Image(Layer layer)
    {
        var m = new Sequential(name: "img_" + layer.ClassName.ToLowerInvariant());
        m.Add(new Conv2D(3, (2, 2), activation: "tanh", inputShape: (7, 6, 2)));
        m.Add(layer);
        m.Add(new Flatten());
        m.Add(new Dense(2));
        return m;
    }

    private static Sequential Chain(string name, Shape input, params Layer[] layers)
    {
        var m = new Sequential(name: name);
        m.Add(new Dense(layers[0] is Reshape ? 6 : 5, activation: "tanh", inputShape: input));
        foreach (var l in layers) m.Add(l);
        return m;
    }

    private static Sequential TfjsModel(string what) => what switch
    {
        // tfjs 4.22 leaves a -1 of target_shape unknown in its static shapes (the next Dense gets no kernel size), so the
        // tfjs model gives the full shape; -1 is checked against PyTorch.
        "Reshape" => Chain("reshape_model", 12, new Reshape((2, 3)), new Dense(3, activation: "tanh"), new Flatten(), new Dense(2)),
        "Permute" => Chain("permute_model", (3, 4), new Permute([2, 1]), new Dense(3, activation: "tanh"), new Flatten(), new Dense(2)),
        "Permute rank 3" => Chain("permute3_model", (2, 3, 4), new Permute([3, 1, 2]), new Dense(2, activation: "tanh"), new Flatten(), new Dense(2)),
        "RepeatVector" => Chain("repeat_model", 4, new RepeatVector(3), new Dense(2, activation: "tanh"), new Flatten(), new Dense(2)),
        "Flatten rank 3" => Chain("flatten_model", (2, 3, 4), new Flatten(), new Dense(2)),
        "ZeroPadding2D" => Image(new ZeroPadding2D(((1, 2), (0, 1)))),
        "Cropping2D" => Image(new Cropping2D(((1, 0), (2, 1)))),
        "UpSampling2D" => Image(new UpSampling2D((2, 3))),
        _ => throw new ArgumentException(what),
    };

    [SkippableTheory]
    [InlineData("Reshape")]
    [InlineData("Permute")]
    [InlineData("Permute rank 3")]
    [InlineData("RepeatVector")]
    [InlineData("Flatten rank 3")]
    [InlineData("ZeroPadding2D")]
    [InlineData("Cropping2D")]
    [InlineData("UpSampling2D")]
    public void PredictionsAndOneSgdStepMatchTfjs(string what)
    {
        // tfjs-layers has no ZeroPadding1D, Cropping1D or UpSampling1D, and its UpSampling2D 'bilinear' calls
        // resizeBilinear without half-pixel centres (TF1's sampling, not tf.keras 2.4's): those are checked against
        // PyTorch above.
        Oracle.RequireNodeTfjs();
        KerasBackend.ClearSession();
        var m = TfjsModel(what);
        var rng = new Random(what.Length * 7);
        foreach (var w in m.Weights)
            for (int i = 0; i < w.Size; i++) w.Value[i] = (float)(rng.NextDouble() - 0.5);
        // tfjs 4.22's CPU ResizeNearestNeighborGrad reads dy at the input's batch stride (batchOffset is computed from
        // the images' strides), so every sample after the first gets another sample's gradient: UpSampling2D trains
        // on one sample, where that offset is 0.
        int n = what == "UpSampling2D" ? 1 : 5;
        var x = Synthetic.Uniform(rng, -1, 1, [n, .. m.InputShape!]);
        var y = Synthetic.Uniform(rng, -1, 1, n, 2);
        MatchTfjs(m, x, y, log: output);
    }

    // ---- configs ----

    public static TheoryData<string, string> Configs() => new()
    {
        // tf.keras 2.4 get_config, as to_json writes it.
        { "Reshape", """{"name": "reshape", "trainable": true, "dtype": "float32", "target_shape": [3, -1]}""" },
        { "Permute", """{"name": "permute", "trainable": true, "dtype": "float32", "dims": [2, 1]}""" },
        { "RepeatVector", """{"name": "repeat_vector", "trainable": true, "dtype": "float32", "n": 3}""" },
        { "Flatten", """{"name": "flatten", "trainable": true, "dtype": "float32", "data_format": "channels_first"}""" },
        { "ZeroPadding1D", """{"name": "zero_padding1d", "trainable": true, "dtype": "float32", "padding": [1, 2]}""" },
        { "ZeroPadding2D", """{"name": "zero_padding2d", "trainable": true, "dtype": "float32", "padding": [[1, 2], [0, 1]], "data_format": "channels_last"}""" },
        { "Cropping1D", """{"name": "cropping1d", "trainable": true, "dtype": "float32", "cropping": [1, 1]}""" },
        { "Cropping2D", """{"name": "cropping2d", "trainable": true, "dtype": "float32", "cropping": [[1, 0], [2, 1]], "data_format": "channels_first"}""" },
        { "UpSampling1D", """{"name": "up_sampling1d", "trainable": true, "dtype": "float32", "size": 2}""" },
        { "UpSampling2D", """{"name": "up_sampling2d", "trainable": true, "dtype": "float32", "size": [2, 3], "data_format": "channels_last", "interpolation": "bilinear"}""" },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void TfKeras24ConfigsAreReadAndWrittenBackTheSame(string className, string config)
    {
        var layer = FromConfig(className, config);
        Assert.Equal(className, layer.ClassName);
        Assert.Equal(JsonNode.Parse(config)!.ToJsonString(), layer.GetConfig().ToJsonString());
        RoundTrip(layer);
    }

    [Fact]
    public void Keras1AndKeras3ConfigsAreRead()
    {
        Assert.Equal([3, 4], ((Reshape)FromConfig("Reshape", """{"name": "reshape_1", "trainable": true, "target_shape": [3, 4]}""")).TargetShape);
        Assert.Equal([2, 1], ((Permute)FromConfig("Permute", """{"name": "permute_1", "trainable": true, "dims": [2, 1]}""")).Dims);
        Assert.Equal(4, ((RepeatVector)FromConfig("RepeatVector", """{"name": "repeatvector_1", "trainable": true, "n": 4}""")).N);
        // Keras 1 ZeroPadding1D: an int, a pair, or {"left_pad", "right_pad"}.
        Assert.Equal(new Margins1D(2, 2), ((ZeroPadding1D)FromConfig("ZeroPadding1D", """{"name": "z", "trainable": true, "padding": 2}""")).Padding);
        Assert.Equal(new Margins1D(1, 3), ((ZeroPadding1D)FromConfig("ZeroPadding1D", """{"name": "z", "trainable": true, "padding": {"left_pad": 1, "right_pad": 3}}""")).Padding);
        Assert.Equal(new Margins1D(1, 1), ((ZeroPadding1D)FromConfig("ZeroPadding1D", """{"name": "z", "trainable": true}""")).Padding);
        // Keras 1 ZeroPadding2D: (h, w) symmetric, (t, b, l, r), or a dict; dim_ordering.
        var z2 = (ZeroPadding2D)FromConfig("ZeroPadding2D", """{"name": "z", "trainable": true, "padding": [1, 2], "dim_ordering": "tf"}""");
        Assert.Equal((new Margins2D(1, 1, 2, 2), "channels_last"), (z2.Padding, z2.DataFormat));
        var z4 = (ZeroPadding2D)FromConfig("ZeroPadding2D", """{"name": "z", "trainable": true, "padding": [1, 2, 3, 4], "dim_ordering": "th"}""");
        Assert.Equal((new Margins2D(1, 2, 3, 4), "channels_first"), (z4.Padding, z4.DataFormat));
        Assert.Equal(new Margins2D(1, 0, 2, 0), ((ZeroPadding2D)FromConfig("ZeroPadding2D", """{"name": "z", "trainable": true, "padding": {"top_pad": 1, "left_pad": 2}}""")).Padding);
        Assert.Equal(new Margins2D(1, 1, 1, 1), ((ZeroPadding2D)FromConfig("ZeroPadding2D", """{"name": "z", "trainable": true}""")).Padding);
        Assert.Equal(new Margins1D(1, 2), ((Cropping1D)FromConfig("Cropping1D", """{"name": "c", "trainable": true, "cropping": [1, 2]}""")).Cropping);
        var c2 = (Cropping2D)FromConfig("Cropping2D", """{"name": "c", "trainable": true, "cropping": [[1, 1], [2, 2]], "dim_ordering": "th"}""");
        Assert.Equal((new Margins2D(1, 1, 2, 2), "channels_first"), (c2.Cropping, c2.DataFormat));
        Assert.Equal(new Margins2D(0, 0, 0, 0), ((Cropping2D)FromConfig("Cropping2D", """{"name": "c", "trainable": true}""")).Cropping);
        Assert.Equal(new Margins2D(3, 1, 2, 2), ((Cropping2D)FromConfig("Cropping2D", """{"name": "c", "cropping": [[3, 1], 2]}""")).Cropping);
        Assert.Equal(3, ((UpSampling1D)FromConfig("UpSampling1D", """{"name": "u", "trainable": true, "length": 3}""")).Size);
        var u2 = (UpSampling2D)FromConfig("UpSampling2D", """{"name": "u", "trainable": true, "size": [2, 2], "dim_ordering": "th"}""");
        Assert.Equal((new Size2(2, 2), "channels_first", "nearest"), (u2.Size, u2.DataFormat, u2.Interpolation));
        // Keras 3: DTypePolicy objects; the same fields otherwise.
        const string policy = """{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}""";
        var k3 = (UpSampling2D)FromConfig("UpSampling2D", $$"""{"name": "up_sampling2d", "trainable": true, "dtype": {{policy}}, "size": [3, 2], "data_format": "channels_last", "interpolation": "bilinear"}""");
        Assert.Equal((new Size2(3, 2), "bilinear"), (k3.Size, k3.Interpolation));
        Assert.Equal(new Margins2D(1, 1, 2, 2), ((ZeroPadding2D)FromConfig("ZeroPadding2D", $$"""{"name": "z", "trainable": true, "dtype": {{policy}}, "padding": [[1, 1], [2, 2]], "data_format": "channels_last"}""")).Padding);
        Assert.Equal([4, -1], ((Reshape)FromConfig("Reshape", $$"""{"name": "r", "trainable": true, "dtype": {{policy}}, "target_shape": [4, -1]}""")).TargetShape);
        var e = Assert.Throws<ModelConfigException>(() => FromConfig("UpSampling2D", $$"""{"name": "u3", "dtype": {{policy}}, "size": [2, 2], "interpolation": "bicubic"}"""));
        Assert.Contains("test.json: layer 'u3' (UpSampling2D): UpSampling2D: interpolation 'bicubic' is not supported", e.Message);
        e = Assert.Throws<ModelConfigException>(() => FromConfig("ZeroPadding2D", """{"name": "z5", "padding": [1, 2, 3]}"""));
        Assert.Contains("layer 'z5' (ZeroPadding2D): field 'padding' should be an int, 2 values or 2 pairs", e.Message);
        e = Assert.Throws<ModelConfigException>(() => FromConfig("Reshape", """{"name": "r0"}"""));
        Assert.Contains("missing field 'target_shape'", e.Message);
    }

    [Fact]
    public void ConstructorsRoundTripAndHaveKerasDefaults()
    {
        Assert.Equal(new Margins1D(1, 1), new ZeroPadding1D().Padding);
        Assert.Equal(new Margins1D(1, 1), new Cropping1D().Cropping);
        Assert.Equal(new Margins2D(1, 1, 1, 1), new ZeroPadding2D().Padding);
        Assert.Equal(new Margins2D(0, 0, 0, 0), new Cropping2D().Cropping);
        Assert.Equal(2, new UpSampling1D().Size);
        Assert.Equal((new Size2(2, 2), "nearest", "channels_last"), (new UpSampling2D().Size, new UpSampling2D().Interpolation, new UpSampling2D().DataFormat));
        Assert.Equal(new Margins2D(1, 1, 2, 2), new ZeroPadding2D((1, 2)).Padding); // (h, w): symmetric per axis, as Keras
        Assert.Equal("""{"name":"r","trainable":true,"batch_input_shape":[null,12],"dtype":"float32","target_shape":[3,4]}""",
            new Reshape((3, 4), inputShape: 12, name: "r").GetConfig().ToJsonString());
        foreach (var layer in new Layer[]
        {
            new Reshape((2, -1)), new Permute([3, 1, 2]), new RepeatVector(2), new Flatten("channels_first"), new ZeroPadding1D((0, 3)),
            new Cropping1D(2), new ZeroPadding2D(((1, 2), (3, 4)), "channels_first"), new Cropping2D(1), new UpSampling1D(3),
            new UpSampling2D((1, 2), "channels_first", "bilinear"),
        })
            RoundTrip(layer);
        Assert.Equal("up_sampling2d", new UpSampling2D().Name[..13]);
        Assert.StartsWith("zero_padding1d", new ZeroPadding1D().Name);
        Assert.StartsWith("repeat_vector", new RepeatVector(2).Name);
        foreach (var layer in new Layer[] { new Reshape(4), new Permute([1]), new RepeatVector(2), new Flatten(), new ZeroPadding2D(), new UpSampling1D() })
            Assert.False(layer.SupportsMasking); // none of them sets supports_masking in tf.keras 2.4 or Keras 3
    }

    [Fact]
    public void BadArgumentsAndShapesNameTheLayerAndArgument()
    {
        Refused(() => new Reshape((-1, -1)), "Reshape", "target_shape", "more than one -1");
        Refused(() => new Reshape((0, 3)), "Reshape", "target_shape");
        Refused(() => new Reshape((5, -1), name: "r").Build([12]), "Layer 'r' (Reshape): total size of new array must be unchanged, input_shape = [12], output_shape = [5, -1]");
        Refused(() => new Reshape((5, 2), name: "r2").Build([12]), "'r2' (Reshape)", "total size");
        Refused(() => new Permute([1, 3]), "Permute", "dims=(1, 3)", "consecutive and start from 1");
        Refused(() => new Permute([0, 1]), "Permute", "dims");
        Refused(() => new Permute([2, 1], name: "p").Build([2, 3, 4]), "'p' (Permute)", "expected ndim=3, found ndim=4");
        Refused(() => new RepeatVector(0), "RepeatVector", "n");
        Refused(() => new RepeatVector(2, name: "rv").Build([2, 3]), "'rv' (RepeatVector)", "expected ndim=2, found ndim=3");
        Refused(() => new UpSampling1D(0), "UpSampling1D", "size");
        Refused(() => new UpSampling2D((2, 0)), "UpSampling2D", "size");
        Refused(() => new UpSampling2D(interpolation: "lanczos3"), "UpSampling2D", "interpolation 'lanczos3' is not supported");
        Refused(() => new UpSampling2D(interpolation: "cubic"), "UpSampling2D", "interpolation must be 'nearest' or 'bilinear'");
        Refused(() => new UpSampling2D(dataFormat: "nhwc"), "UpSampling2D", "data_format");
        Refused(() => new ZeroPadding1D((-1, 1)), "ZeroPadding1D", "padding", "negative");
        Refused(() => new Cropping2D(((0, -2), (0, 0))), "Cropping2D", "cropping", "negative");
        Refused(() => new Cropping1D((2, 2), name: "c1").Build([4, 3]), "'c1' (Cropping1D)", "cropping (2, 2)", "empty");
        Refused(() => new Cropping2D(((1, 1), (3, 3)), name: "c2").Build([5, 6, 3]), "'c2' (Cropping2D)", "cropping ((1, 1), (3, 3))", "(None, 3, 0, 3)");
        Refused(() => new ZeroPadding2D(name: "z").Build([5, 6]), "'z' (ZeroPadding2D)", "expected ndim=4, found ndim=3");
        Refused(() => new UpSampling2D(name: "u").Build([5, 6]), "'u' (UpSampling2D)", "expected ndim=4");
    }
}
