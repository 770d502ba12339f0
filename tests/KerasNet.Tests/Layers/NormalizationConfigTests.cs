using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;

namespace KerasNet.Tests.Layers;

/// <summary>
/// The normalization layers' configs: tf.keras 2.4's fields and order (written by hand here from tf.keras 2.4's
/// get_config), Keras 3's and Keras 1's read, round trips, refusals of what KerasNet does not implement.
/// </summary>
public class NormalizationConfigTests
{
    private static Layer Create(string className, string config, string source = "test") =>
        LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse(config)!.AsObject(), className, source));

    private const string Zeros = """{"class_name": "Zeros", "config": {}}""", Ones = """{"class_name": "Ones", "config": {}}""";

    [Fact]
    public void BatchNormalizationWritesTfKeras24sConfigAndResolvesTheAxisWhenBuilt()
    {
        var bn = new BatchNormalization(name: "batch_normalization");
        string Tail(string axis) => $$"""{"name": "batch_normalization", "trainable": true, "dtype": "float32", "axis": {{axis}}, "momentum": 0.99, "epsilon": 0.001, "center": true, "scale": true, "beta_initializer": {{Zeros}}, "gamma_initializer": {{Ones}}, "moving_mean_initializer": {{Zeros}}, "moving_variance_initializer": {{Ones}}, "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null}""";
        Assert.Equal(Tail("-1"), PyJson.Dumps(bn.GetConfig()));
        bn.Build([6, 6, 8]);
        Assert.Equal(Tail("[3]"), PyJson.Dumps(bn.GetConfig()));
        var cf = new BatchNormalization(axis: -3);
        cf.Build([8, 6, 6]);
        Assert.Equal("[1]", cf.GetConfig()["axis"]!.ToJsonString());
        var multi = new BatchNormalization(axis: new[] { -1, 1 });
        multi.Build([4, 5, 6]);
        Assert.Equal("[3,1]", multi.GetConfig()["axis"]!.ToJsonString()); // resolved, in the order given
        Assert.Equal([1, 4, 1, 6], multi.Gamma!.Shape); // tf.keras: the input's rank with 1 on the other axes
    }

    [Fact]
    public void LayerAndUnitNormalizationWriteTfKerasConfigs()
    {
        var ln = new LayerNormalization(name: "layer_normalization");
        ln.Build([4, 5]);
        Assert.Equal($$"""{"name": "layer_normalization", "trainable": true, "dtype": "float32", "axis": [2], "epsilon": 0.001, "center": true, "scale": true, "beta_initializer": {{Zeros}}, "gamma_initializer": {{Ones}}, "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null}""",
            PyJson.Dumps(ln.GetConfig()));
        var ln2 = new LayerNormalization(axis: new[] { 3, -3 });
        ln2.Build([2, 3, 4]);
        Assert.Equal([4, 2], ln2.Gamma!.Shape); // [input_shape[a] for a in axis], in the order given
        Assert.Equal("[3,1]", ln2.GetConfig()["axis"]!.ToJsonString());
        var unit = new UnitNormalization(name: "unit_normalization");
        Assert.Equal("""{"name": "unit_normalization", "trainable": true, "dtype": "float32", "axis": -1}""", PyJson.Dumps(unit.GetConfig()));
        unit.Build([3, 4]);
        Assert.Equal("[2]", unit.GetConfig()["axis"]!.ToJsonString());
        Assert.Empty(unit.Weights);
    }

    public static TheoryData<string, string> TfKerasConfigs() => new()
    {
        { "BatchNormalization", $$"""{"name": "batch_normalization_3", "trainable": true, "dtype": "float32", "axis": [3], "momentum": 0.99, "epsilon": 0.001, "center": true, "scale": true, "beta_initializer": {{Zeros}}, "gamma_initializer": {{Ones}}, "moving_mean_initializer": {{Zeros}}, "moving_variance_initializer": {{Ones}}, "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null}""" },
        { "BatchNormalization", """{"name": "bn", "trainable": false, "dtype": "float32", "axis": [1, 3], "momentum": 0.9, "epsilon": 1e-05, "center": false, "scale": true, "beta_initializer": {"class_name": "Zeros", "config": {}}, "gamma_initializer": {"class_name": "RandomNormal", "config": {"mean": 0.0, "stddev": 0.05, "seed": null}}, "moving_mean_initializer": {"class_name": "Zeros", "config": {}}, "moving_variance_initializer": {"class_name": "Ones", "config": {}}, "beta_regularizer": null, "gamma_regularizer": {"class_name": "L2", "config": {"l2": 9.999999747378752e-05}}, "beta_constraint": null, "gamma_constraint": {"class_name": "NonNeg", "config": {}}}""" },
        { "LayerNormalization", $$"""{"name": "layer_normalization_1", "trainable": true, "dtype": "float32", "axis": [1, 2], "epsilon": 1e-06, "center": true, "scale": false, "beta_initializer": {{Zeros}}, "gamma_initializer": {{Ones}}, "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null}""" },
        { "UnitNormalization", """{"name": "unit_normalization_2", "trainable": true, "dtype": "float32", "axis": [1, 2]}""" },
        { "UnitNormalization", """{"name": "unit_normalization_3", "trainable": true, "dtype": "float32", "axis": -1}""" },
    };

    [Theory]
    [MemberData(nameof(TfKerasConfigs))]
    public void TheRegistryRebuildsEachLayerFromItsTfKerasConfig(string className, string config)
    {
        var layer = Create(className, config);
        Assert.Equal(className, layer.ClassName);
        Assert.Equal(config, PyJson.Dumps(layer.GetConfig()));
    }

    [Fact]
    public void Keras3ConfigsAreRead()
    {
        const string policy = """{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}""";
        static string Init(string cls, string cfg = "{}") => $$"""{"module": "keras.initializers", "class_name": "{{cls}}", "config": {{cfg}}, "registered_name": null}""";
        var bn = (BatchNormalization)Create("BatchNormalization", $$"""{"name": "batch_normalization", "trainable": true, "dtype": {{policy}}, "axis": -1, "momentum": 0.9, "epsilon": 0.001, "center": true, "scale": false, "beta_initializer": {{Init("Zeros")}}, "gamma_initializer": {{Init("Ones")}}, "moving_mean_initializer": {{Init("Zeros")}}, "moving_variance_initializer": {{Init("Constant", """{"value": 2.0}""")}}, "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null, "synchronized": false}""");
        Assert.False(bn.Scale);
        Assert.Equal(0.9, bn.Momentum);
        bn.Build([3]);
        Assert.Equal(["beta", "moving_mean", "moving_variance"], bn.Weights.Select(w => w.Name));
        Assert.Equal([2f, 2f, 2f], bn.MovingVariance!.Value.ToArray());
        var ln = (LayerNormalization)Create("LayerNormalization", $$"""{"name": "ln", "trainable": true, "dtype": {{policy}}, "axis": [-1], "epsilon": 0.001, "center": true, "scale": true, "rms_scaling": false, "beta_initializer": {{Init("Zeros")}}, "gamma_initializer": {{Init("Ones")}}, "beta_regularizer": null, "gamma_regularizer": null, "beta_constraint": null, "gamma_constraint": null}""");
        Assert.Equal([-1], ln.Axis.Values);
        Assert.True(ln.Axis.IsList);
    }

    [Fact]
    public void TheKeras3WriterUsesKeras3sSpellings()
    {
        var m = new Sequential([new Dense(4, inputShape: (3, 2)), new BatchNormalization(), new LayerNormalization(), new UnitNormalization()]);
        var layers = ModelConfigWriter.Keras3(m, null)["config"]!["layers"]!.AsArray();
        var bn = layers[2]!["config"]!.AsObject();
        Assert.Equal(-1, bn["axis"]!.GetValue<int>());
        Assert.Equal("synchronized", bn.Last().Key);
        Assert.Equal("keras.initializers", bn["moving_variance_initializer"]!["module"]!.GetValue<string>());
        var ln = layers[3]!["config"]!.AsObject();
        Assert.Equal("[-1]", ln["axis"]!.ToJsonString());
        var keys = ln.Select(p => p.Key).ToList();
        Assert.Equal(keys.IndexOf("scale") + 1, keys.IndexOf("rms_scaling"));
        Assert.Equal("-1", layers[4]!["config"]!["axis"]!.ToJsonString());
        var multi = new Sequential([new Dense(4, inputShape: (3, 2)), new BatchNormalization(axis: new[] { 1, 2 }, name: "bn_multi")]);
        var e = Assert.ThrowsAny<KerasNetException>(() => ModelConfigWriter.Keras3(multi, null));
        Assert.Contains("Layer 'bn_multi' (BatchNormalization) normalises over the axes [1, 2]", e.Message);
    }

    [Fact]
    public void Keras1BatchNormalizationModeZeroIsReadAndTheOthersAreRefused()
    {
        var bn = (BatchNormalization)Create("BatchNormalization", """{"name": "batchnormalization_1", "trainable": true, "epsilon": 0.0001, "mode": 0, "axis": 1, "gamma_regularizer": null, "momentum": 0.9, "beta_regularizer": null}""");
        Assert.Equal(1, bn.Axis.Values.Single());
        Assert.Equal(1e-4, bn.Epsilon);
        Assert.Equal(0.9, bn.Momentum);
        foreach (int mode in new[] { 1, 2 })
        {
            var e = Assert.Throws<ModelConfigException>(() => Create("BatchNormalization", $$"""{"name": "bn1", "mode": {{mode}}, "axis": -1}""", "k1.json"));
            Assert.StartsWith($"k1.json: layer 'bn1' (BatchNormalization): mode={mode}", e.Message);
        }
    }

    [Theory]
    [InlineData("BatchNormalization", """{"name": "b", "renorm": true}""", "renorm=True")]
    [InlineData("BatchNormalization", """{"name": "b", "virtual_batch_size": 4}""", "virtual_batch_size")]
    [InlineData("BatchNormalization", """{"name": "b", "axis": "x"}""", "field 'axis' should be an integer or a list of integers")]
    [InlineData("BatchNormalization", """{"name": "b", "axis": [1.5]}""", "field 'axis'")]
    [InlineData("LayerNormalization", """{"name": "b", "rms_scaling": true}""", "rms_scaling=True")]
    [InlineData("UnitNormalization", """{"name": "b", "axis": [[1]]}""", "field 'axis'")]
    public void UnsupportedOrMalformedConfigsAreRefusedNamingTheLayer(string className, string config, string expected)
    {
        var e = Assert.Throws<ModelConfigException>(() => Create(className, config, "m.json"));
        Assert.StartsWith($"m.json: layer 'b' ({className}): ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void AModelJsonRoundTripKeepsEveryLayer()
    {
        var m = new Sequential([new Dense(4, inputShape: (3, 2), name: "d"), new BatchNormalization(axis: 1, momentum: 0.5, center: false, name: "bn"),
            new LayerNormalization(axis: new[] { 1, 2 }, epsilon: 1e-5, name: "ln"), new UnitNormalization(name: "u")]);
        var json = m.ToJson();
        var again = Keras.ModelFromJson(json);
        Assert.Equal(json, again.ToJson());
        Assert.Equal(m.Weights.Select(w => w.FullName + string.Join(",", w.Shape)), again.Weights.Select(w => w.FullName + string.Join(",", w.Shape)));
    }
}
