#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>
/// Models whose layers use initializers, regularizers and constraints other than the defaults, custom ones
/// included, load from tf.keras 2.4, Keras 3 and Keras 1 configs, predict, and write those fields back exactly.
/// </summary>
public class WeightConfigTests
{
    private const string Rest = "\"trainable\": true, \"dtype\": \"float32\"";

    // tf.keras 2.4's to_json of the model (field order of JsonTests), with the values 2.4 writes: float32 factors,
    // Python ints kept (RandomUniform(-1, 1), MaxNorm(3, axis=[0, 1, 2])), a registered custom initializer and regularizer.
    internal const string Keras2Json =
        "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": [" +
        "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 6, 6, 1], \"dtype\": \"float32\", \"sparse\": false, \"ragged\": false, \"name\": \"conv2d_input\"}}, " +
        "{\"class_name\": \"Conv2D\", \"config\": {\"name\": \"conv2d\", \"trainable\": true, \"batch_input_shape\": [null, 6, 6, 1], \"dtype\": \"float32\", \"filters\": 2, " +
        "\"kernel_size\": [3, 3], \"strides\": [1, 1], \"padding\": \"valid\", \"data_format\": \"channels_last\", \"dilation_rate\": [1, 1], \"groups\": 1, \"activation\": \"relu\", \"use_bias\": true, " +
        "\"kernel_initializer\": {\"class_name\": \"RandomNormal\", \"config\": {\"mean\": 0.0, \"stddev\": 0.01, \"seed\": 42}}, " +
        "\"bias_initializer\": {\"class_name\": \"Constant\", \"config\": {\"value\": 0.1}}, " +
        "\"kernel_regularizer\": {\"class_name\": \"L2\", \"config\": {\"l2\": 0.0010000000474974513}}, \"bias_regularizer\": null, " +
        "\"activity_regularizer\": {\"class_name\": \"L1L2\", \"config\": {\"l1\": 0.0, \"l2\": 0.009999999776482582}}, " +
        "\"kernel_constraint\": {\"class_name\": \"MaxNorm\", \"config\": {\"max_value\": 3, \"axis\": [0, 1, 2]}}, \"bias_constraint\": null}}, " +
        "{\"class_name\": \"Flatten\", \"config\": {\"name\": \"flatten\", " + Rest + ", \"data_format\": \"channels_last\"}}, " +
        "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", " + Rest + ", \"units\": 4, \"activation\": \"relu\", \"use_bias\": true, " +
        "\"kernel_initializer\": {\"class_name\": \"RandomUniform\", \"config\": {\"minval\": -1, \"maxval\": 1, \"seed\": null}}, " +
        "\"bias_initializer\": {\"class_name\": \"TruncatedNormal\", \"config\": {\"mean\": 0.0, \"stddev\": 0.05, \"seed\": 7}}, " +
        "\"kernel_regularizer\": null, \"bias_regularizer\": null, \"activity_regularizer\": null, \"kernel_constraint\": null, " +
        "\"bias_constraint\": {\"class_name\": \"NonNeg\", \"config\": {}}}}, " +
        "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense_1\", " + Rest + ", \"units\": 3, \"activation\": \"softmax\", \"use_bias\": true, " +
        "\"kernel_initializer\": {\"class_name\": \"Custom>MyInit\", \"config\": {\"scale\": 3, \"tags\": [\"a\", \"b\"]}}, " +
        "\"bias_initializer\": {\"class_name\": \"VarianceScaling\", \"config\": {\"scale\": 2, \"mode\": \"fan_avg\", \"distribution\": \"untruncated_normal\", \"seed\": null}}, " +
        "\"kernel_regularizer\": {\"class_name\": \"Custom>Smooth\", \"config\": {\"weight\": 0.5}}, \"bias_regularizer\": null, \"activity_regularizer\": null, " +
        "\"kernel_constraint\": {\"class_name\": \"UnitNorm\", \"config\": {\"axis\": 0}}, \"bias_constraint\": null}}" +
        "]}, \"keras_version\": \"2.4.0\", \"backend\": \"tensorflow\"}";

    private static JsonObject K3(string module, string cls, string config, string? registered = null) =>
        new() { ["module"] = module, ["class_name"] = cls, ["config"] = JsonNode.Parse(config), ["registered_name"] = registered };

    private static JsonObject Policy() => K3("keras", "DTypePolicy", """{"name": "float32"}""");

    // Keras 3.11's serialize_keras_object of the same kind of model: seed first in random initializers, a set
    // activity_regularizer right after dtype, Dense without an unset one, a custom initializer with its module.
    private static JsonObject Keras3Conv() => new()
    {
        ["name"] = "conv2d", ["trainable"] = true, ["dtype"] = Policy(),
        ["activity_regularizer"] = K3("keras.regularizers", "L1", """{"l1": 0.001}"""),
        ["filters"] = 2, ["kernel_size"] = new JsonArray(3, 3), ["strides"] = new JsonArray(1, 1), ["padding"] = "valid",
        ["data_format"] = "channels_last", ["dilation_rate"] = new JsonArray(1, 1), ["groups"] = 1, ["activation"] = "relu", ["use_bias"] = true,
        ["kernel_initializer"] = K3("keras.initializers", "TruncatedNormal", """{"seed": 1, "mean": 0.0, "stddev": 0.02}"""),
        ["bias_initializer"] = K3("keras.initializers", "Zeros", "{}"),
        ["kernel_regularizer"] = K3("keras.regularizers", "L2", """{"l2": 0.01}"""),
        ["bias_regularizer"] = null,
        ["kernel_constraint"] = K3("keras.constraints", "MaxNorm", """{"max_value": 2, "axis": 0}"""),
        ["bias_constraint"] = null,
    };

    private static JsonObject Keras3Dense() => new()
    {
        ["name"] = "dense", ["trainable"] = true, ["dtype"] = Policy(), ["units"] = 3, ["activation"] = "softmax", ["use_bias"] = true,
        ["kernel_initializer"] = K3("my_models.inits", "MyInit", """{"scale": 3}""", "Custom>MyInit"),
        ["bias_initializer"] = K3("keras.initializers", "RandomUniform", """{"seed": null, "minval": -0.1, "maxval": 0.1}"""),
        ["kernel_regularizer"] = null,
        ["bias_regularizer"] = K3("keras.regularizers", "L1L2", """{"l1": 0.0, "l2": 0.001}"""),
        ["kernel_constraint"] = null,
        ["bias_constraint"] = K3("keras.constraints", "NonNeg", "{}"),
    };

    internal static string Keras3Json()
    {
        JsonObject Layer(string cls, JsonObject config, JsonArray? built = null)
        {
            var o = new JsonObject { ["module"] = "keras.layers", ["class_name"] = cls, ["config"] = config, ["registered_name"] = null };
            if (built != null) o["build_config"] = new JsonObject { ["input_shape"] = built };
            return o;
        }
        var input = Layer("InputLayer", new JsonObject
        {
            ["batch_shape"] = new JsonArray(null, 6, 6, 1), ["dtype"] = "float32", ["sparse"] = false, ["ragged"] = false, ["name"] = "input_layer",
        });
        var flatten = Layer("Flatten", new JsonObject { ["name"] = "flatten", ["trainable"] = true, ["dtype"] = Policy(), ["data_format"] = "channels_last" },
            new JsonArray(null, 4, 4, 2));
        var model = new JsonObject
        {
            ["module"] = "keras", ["class_name"] = "Sequential",
            ["config"] = new JsonObject
            {
                ["name"] = "sequential", ["trainable"] = true, ["dtype"] = Policy(),
                ["layers"] = new JsonArray(input, Layer("Conv2D", Keras3Conv(), new JsonArray(null, 6, 6, 1)), flatten,
                    Layer("Dense", Keras3Dense(), new JsonArray(null, 32))),
            },
            ["registered_name"] = null, ["build_config"] = new JsonObject { ["input_shape"] = new JsonArray(null, 6, 6, 1) },
        };
        return model.ToJsonString();
    }

    private static Tensor Input(int n = 2)
    {
        var x = new Tensor(n, 6, 6, 1);
        for (int i = 0; i < x.Length; i++) x[i] = (i % 7) / 7f;
        return x;
    }

    private static void AssertPredicts(Model m, int classes)
    {
        var y = m.Predict(Input());
        Assert.Equal(new[] { 2, classes }, y.Shape);
        for (int r = 0; r < 2; r++)
        {
            double sum = 0;
            for (int c = 0; c < classes; c++) { Assert.True(float.IsFinite(y[r * classes + c])); sum += y[r * classes + c]; }
            Assert.Equal(1, sum, 5);
        }
    }

    [Fact]
    public void TfKeras24ConfigLoadsPredictsAndWritesTheSameJson()
    {
        KerasBackend.ClearSession();
        var m = Keras.ModelFromJson(Keras2Json);
        var conv = Assert.IsType<Conv2D>(m.Layers[0]);
        var rn = Assert.IsType<RandomNormal>(conv.KernelInitializer);
        Assert.Equal((0.0, 0.01, (int?)42), (rn.Mean, rn.Stddev, rn.Seed));
        Assert.Equal(0.1, Assert.IsType<Constant>(conv.BiasInitializer).Value);
        Assert.Equal(0.001, Assert.IsType<L2>(conv.KernelRegularizer).Factor, 9);
        Assert.IsType<L1L2>(conv.ActivityRegularizer);
        Assert.Equal(new[] { 0, 1, 2 }, Assert.IsType<MaxNorm>(conv.KernelConstraint).Axis);
        var dense = Assert.IsType<Dense>(m.Layers[2]);
        Assert.Equal((-1.0, 1.0), (Assert.IsType<RandomUniform>(dense.KernelInitializer).Minval, ((RandomUniform)dense.KernelInitializer).Maxval));
        Assert.IsType<TruncatedNormal>(dense.BiasInitializer);
        Assert.IsType<NonNeg>(dense.BiasConstraint);
        var last = Assert.IsType<Dense>(m.Layers[3]);
        Assert.Equal("Custom>MyInit", Assert.IsType<UnknownInitializer>(last.KernelInitializer).ClassName);
        Assert.Equal("untruncated_normal", Assert.IsType<VarianceScaling>(last.BiasInitializer).Distribution);
        Assert.Equal("Custom>Smooth", Assert.IsType<UnknownRegularizer>(last.KernelRegularizer).ClassName);
        Assert.IsType<UnitNorm>(last.KernelConstraint);
        // The seeded RandomNormal kernel is drawn: N(0, 0.01).
        Assert.True(conv.Kernel!.Value.ToArray().All(v => Math.Abs(v) < 0.06) && conv.Kernel.Value.ToArray().Any(v => v != 0));
        Assert.True(conv.Bias!.Value.ToArray().All(v => v == 0.1f));

        AssertPredicts(m, 3);
        Assert.Equal(Keras2Json, m.ToJson());
        Assert.Equal(Keras2Json, Keras.ModelFromJson(m.ToJson()).ToJson());
    }

    [Fact]
    public void Keras3ConfigLoadsPredictsAndWritesTheSameKeras3Fields()
    {
        KerasBackend.ClearSession();
        var m = Keras.ModelFromJson(Keras3Json());
        var conv = Assert.IsType<Conv2D>(m.Layers[0]);
        Assert.Equal(0.02, Assert.IsType<TruncatedNormal>(conv.KernelInitializer).Stddev);
        Assert.Equal(0.01, Assert.IsType<L2>(conv.KernelRegularizer).Factor);
        Assert.Equal(0.001, Assert.IsType<L1>(conv.ActivityRegularizer).Factor);
        Assert.Equal(2, Assert.IsType<MaxNorm>(conv.KernelConstraint).MaxValue);
        var dense = Assert.IsType<Dense>(m.Layers[2]);
        Assert.Equal("Custom>MyInit", Assert.IsType<UnknownInitializer>(dense.KernelInitializer).ClassName);
        Assert.Equal("Custom>MyInit", dense.Kernel!.UninitializedBy);
        AssertPredicts(m, 3);

        // Keras 3's form comes back field for field and in Keras 3's order.
        var written = KerasNet.Saving.ModelConfigWriter.Keras3(m, null)["config"]!["layers"]!.AsArray();
        Assert.Equal(Keras3Conv().ToJsonString(), written[1]!["config"]!.ToJsonString());
        Assert.Equal(Keras3Dense().ToJsonString(), written[3]!["config"]!.ToJsonString());

        // tf.keras 2.4's form: the same objects as Keras 2 writes them; the custom one under its registered name.
        var k2 = JsonNode.Parse(m.ToJson())!["config"]!["layers"]!.AsArray();
        string Field(int layer, string key) => KerasNet.Saving.PyJson.Dumps(k2[layer]!["config"]![key]);
        Assert.Equal("""{"class_name": "TruncatedNormal", "config": {"mean": 0.0, "stddev": 0.02, "seed": 1}}""", Field(1, "kernel_initializer"));
        Assert.Equal("""{"class_name": "L1", "config": {"l1": 0.001}}""", Field(1, "activity_regularizer"));
        Assert.Equal("""{"class_name": "MaxNorm", "config": {"max_value": 2, "axis": 0}}""", Field(1, "kernel_constraint"));
        Assert.Equal("""{"class_name": "Custom>MyInit", "config": {"scale": 3}}""", Field(3, "kernel_initializer"));
        Assert.Equal("""{"class_name": "RandomUniform", "config": {"minval": -0.1, "maxval": 0.1, "seed": null}}""", Field(3, "bias_initializer"));
        Assert.Equal("null", Field(3, "activity_regularizer"));
    }

    [Fact]
    public void ASavedKerasArchiveKeepsTheFieldsAndReloads()
    {
        KerasBackend.ClearSession();
        var m = Keras.ModelFromJson(Keras3Json());
        var path = Path.Combine(Oracle.TempDir(), "weights.keras");
        m.Save(path);
        var reread = JsonNode.Parse(SavingTestUtil.ReadConfig(path))!["config"]!["layers"]!.AsArray();
        Assert.Equal(Keras3Dense().ToJsonString(), reread[3]!["config"]!.ToJsonString());
        var back = Keras.LoadModel(path);
        // Loaded weights are real values: the custom initializer no longer blocks training.
        Assert.Null(back.Layers[2].Weights[0].UninitializedBy);
        Initializer.CheckTrainable(back.Weights);
        Assert.Equal(m.Predict(Input()).ToArray(), back.Predict(Input()).ToArray());
        // Its L2, L1 activity regularizer and MaxNorm are applied in training; the loaded variables carry them.
        var conv = Assert.IsType<Conv2D>(back.Layers[0]);
        Assert.Null(conv.TrainingRefusal());
        Assert.IsType<L2>(conv.Kernel!.Regularizer);
        Assert.IsType<MaxNorm>(conv.Kernel.Constraint);
    }

    [Fact]
    public void NamesAndKeras1ObjectsAreRead()
    {
        KerasBackend.ClearSession();
        string json = Keras2Json
            .Replace("{\"class_name\": \"RandomUniform\", \"config\": {\"minval\": -1, \"maxval\": 1, \"seed\": null}}", "\"random_uniform\"")
            .Replace("{\"class_name\": \"NonNeg\", \"config\": {}}", "\"non_neg\"")
            .Replace("{\"class_name\": \"L2\", \"config\": {\"l2\": 0.0010000000474974513}}", "\"l2\"")
            .Replace("{\"class_name\": \"Custom>MyInit\", \"config\": {\"scale\": 3, \"tags\": [\"a\", \"b\"]}}", "\"my_init\"");
        var m = Keras.ModelFromJson(json);
        Assert.IsType<RandomUniform>(((Dense)m.Layers[2]).KernelInitializer);
        AssertPredicts(m, 3);
        string written = m.ToJson();
        // A known name is written as the object with its defaults, as tf.keras 2.4 does; an unknown name as it was.
        Assert.Contains("\"kernel_initializer\": {\"class_name\": \"RandomUniform\", \"config\": {\"minval\": -0.05, \"maxval\": 0.05, \"seed\": null}}", written);
        Assert.Contains("\"bias_constraint\": {\"class_name\": \"NonNeg\", \"config\": {}}", written);
        Assert.Contains("\"kernel_regularizer\": {\"class_name\": \"L2\", \"config\": {\"l2\": 0.009999999776482582}}", written);
        Assert.Contains("\"kernel_initializer\": \"my_init\"", written);

        // Keras 1: W_regularizer / W_constraint / b_constraint, {"name": ...} objects.
        var k1 = Keras.ModelFromJson(JsonTests.Keras1Json
            .Replace("\"W_regularizer\": null, \"activation\": \"softmax\"", "\"W_regularizer\": {\"name\": \"L1L2Regularizer\", \"l1\": 0.0, \"l2\": 0.01}, \"activation\": \"softmax\"")
            .Replace("\"W_constraint\": null, \"b_constraint\": null, \"name\": \"dense_1\"", "\"W_constraint\": {\"name\": \"MaxNorm\", \"m\": 2, \"axis\": 0}, \"b_constraint\": {\"name\": \"Clip\", \"c\": 1}, \"name\": \"dense_1\""));
        var d = Assert.IsType<Dense>(k1.Layers[4]);
        Assert.Equal(0.01, Assert.IsType<L1L2>(d.KernelRegularizer).L2Factor);
        Assert.Equal(2, Assert.IsType<MaxNorm>(d.KernelConstraint).MaxValue);
        Assert.Equal("Clip", Assert.IsType<UnknownConstraint>(d.BiasConstraint).ClassName);
        Assert.Contains("\"bias_constraint\": {\"class_name\": \"Clip\", \"config\": {\"c\": 1}}", k1.ToJson());
    }

    [Fact]
    public void ABadFieldNamesTheLayerAndField()
    {
        var e = Assert.Throws<ModelConfigException>(() => Keras.ModelFromJson(Keras2Json.Replace("\"stddev\": 0.01", "\"stddev\": \"x\"")));
        Assert.Equal("model JSON: layer 'conv2d' (Conv2D): field 'kernel_initializer': RandomNormal: field 'stddev' should be a finite number, got \"x\".", e.Message);
        var f = Assert.Throws<ModelConfigException>(() => Keras.ModelFromJson(Keras2Json.Replace("\"bias_constraint\": null}}, {\"class_name\": \"Flatten\"", "\"bias_constraint\": 5}}, {\"class_name\": \"Flatten\"")));
        Assert.Contains("layer 'conv2d' (Conv2D): field 'bias_constraint': should be a constraint", f.Message);
    }

    /// <summary>
    /// Keras 2.3.1 wrote Glorot as VarianceScaling: the real file's model_config fields come back unchanged
    /// (KerasNet used to rename them GlorotUniform).
    /// </summary>
    [SkippableFact]
    public void Keras231VarianceScalingFieldsRoundTripFromTheRealFile()
    {
        var path = Path.Combine(Oracle.RequireFixtures(), "ikukang_DeepLearningWithPythonKeras__mnist_cnn.h5");
        string stored;
        using (var r = KerasNet.Saving.H5Reader.Open(path)) stored = r.StringAttribute(r.Root, "model_config")!;
        var source = JsonNode.Parse(stored)!["config"]!["layers"]!.AsArray().Where(l => l!["config"]!["kernel_initializer"] != null).ToList();
        var model = Keras.LoadModel(path);
        var ours = JsonNode.Parse(model.ToJson())!["config"]!["layers"]!.AsArray().Where(l => l!["config"]!["kernel_initializer"] != null).ToList();
        Assert.Equal(5, source.Count);
        Assert.Equal(source.Count, ours.Count);
        string[] fields = ["kernel_initializer", "bias_initializer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint"];
        for (int i = 0; i < source.Count; i++)
            foreach (var f in fields)
                Assert.Equal(KerasNet.Saving.PyJson.Dumps(source[i]!["config"]![f]), KerasNet.Saving.PyJson.Dumps(ours[i]!["config"]![f]));
        var vs = Assert.IsType<VarianceScaling>(((Conv2D)model.Layers[0]).KernelInitializer);
        Assert.Equal((1.0, "fan_avg", "uniform"), (vs.Scale, vs.Mode, vs.Distribution));
        Initializer.CheckTrainable(model.Weights);
        KernelLayer.CheckTrainable(model.Layers);
    }
}
