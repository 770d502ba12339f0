using System.Text;
using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using KerasNet.Tests.Models;
using KerasNet.Tests.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Layers;

/// <summary>
/// Configs of the activation and noise layers: tf.keras 2.4's text, round trips, Keras 1 and Keras 3 spellings, the
/// file version deciding what hard_sigmoid means, and argument errors naming layer and argument.
/// </summary>
public class ActivationConfigTests
{
    private static Layer FromConfig(string className, string json) =>
        LayerRegistry.Create(new LayerConfigReader(JsonNode.Parse(json)!.AsObject(), className, "test"));

    /// <summary>GetConfig writes tf.keras 2.4's to_json text (float arguments through float32, as K.cast_to_floatx).</summary>
    [Theory]
    [InlineData("ReLU", """{"name": "re_lu", "trainable": true, "dtype": "float32", "max_value": null, "negative_slope": 0.0, "threshold": 0.0}""")]
    [InlineData("ReLU", """{"name": "re_lu_1", "trainable": true, "dtype": "float32", "max_value": 6.0, "negative_slope": 0.10000000149011612, "threshold": 0.5}""")]
    [InlineData("LeakyReLU", """{"name": "leaky_re_lu", "trainable": true, "dtype": "float32", "alpha": 0.30000001192092896}""")]
    [InlineData("ELU", """{"name": "elu", "trainable": true, "dtype": "float32", "alpha": 1.0}""")]
    [InlineData("ThresholdedReLU", """{"name": "thresholded_re_lu", "trainable": true, "dtype": "float32", "theta": 1.0}""")]
    [InlineData("Softmax", """{"name": "softmax", "trainable": true, "dtype": "float32", "axis": -1}""")]
    [InlineData("Softmax", """{"name": "softmax_1", "trainable": true, "dtype": "float32", "axis": [1, 2]}""")]
    [InlineData("PReLU", """{"name": "p_re_lu", "trainable": true, "dtype": "float32", "alpha_initializer": {"class_name": "Zeros", "config": {}}, "alpha_regularizer": null, "alpha_constraint": null, "shared_axes": null}""")]
    [InlineData("PReLU", """{"name": "p_re_lu_1", "trainable": false, "dtype": "float32", "alpha_initializer": {"class_name": "Constant", "config": {"value": 0.25}}, "alpha_regularizer": {"class_name": "L2", "config": {"l2": 0.009999999776482582}}, "alpha_constraint": {"class_name": "NonNeg", "config": {}}, "shared_axes": [1, 2]}""")]
    [InlineData("GaussianNoise", """{"name": "gaussian_noise", "trainable": true, "dtype": "float32", "stddev": 0.1}""")]
    [InlineData("GaussianDropout", """{"name": "gaussian_dropout", "trainable": true, "dtype": "float32", "rate": 0.2}""")]
    [InlineData("AlphaDropout", """{"name": "alpha_dropout", "trainable": true, "dtype": "float32", "rate": 0.1}""")]
    [InlineData("SpatialDropout1D", """{"name": "spatial_dropout1d", "trainable": true, "dtype": "float32", "rate": 0.3, "noise_shape": null, "seed": null}""")]
    [InlineData("SpatialDropout2D", """{"name": "spatial_dropout2d", "trainable": true, "dtype": "float32", "rate": 0.2, "noise_shape": null, "seed": 4}""")]
    [InlineData("SpatialDropout3D", """{"name": "spatial_dropout3d", "trainable": true, "dtype": "float32", "rate": 0.2, "noise_shape": null, "seed": null, "data_format": "channels_first"}""")]
    [InlineData("Dropout", """{"name": "dropout", "trainable": true, "dtype": "float32", "rate": 0.5, "noise_shape": [null, 1, 8], "seed": null}""")]
    [InlineData("Activation", """{"name": "activation", "trainable": true, "dtype": "float32", "activation": "gelu"}""")]
    public void Tf24ConfigRoundTripsToTheSameText(string className, string json)
    {
        var layer = FromConfig(className, json);
        Assert.Equal(className, layer.ClassName);
        Assert.Equal(json, PyJson.Dumps(layer.GetConfig()));
        var again = LayerRegistry.Create(new LayerConfigReader(layer.GetConfig(), className, "test"));
        Assert.True(JsonNode.DeepEquals(layer.GetConfig(), again.GetConfig()));
    }

    [Fact]
    public void CSharpDefaultsWriteTf24Configs()
    {
        KerasBackend.ClearSession();
        Assert.Equal(0.30000001192092896, new LeakyReLU().GetConfig()["alpha"]!.GetValue<double>());
        Assert.Equal(-1, new Softmax().GetConfig()["axis"]!.GetValue<int>());
        Assert.Null(new ReLU().GetConfig()["max_value"]);
        Assert.False(new GaussianNoise(0.1).GetConfig().ContainsKey("seed")); // tf.keras 2.4's GaussianNoise has no seed
        Assert.Equal(5, new GaussianNoise(0.1, seed: 5).GetConfig()["seed"]!.GetValue<int>());
        Assert.False(new SpatialDropout2D(0.1).GetConfig().ContainsKey("data_format"));
    }

    [Fact]
    public void Keras3SpellingsAreRead()
    {
        const string policy = """{"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}""";
        var leaky = (LeakyReLU)FromConfig("LeakyReLU", $$"""{"name": "l", "trainable": true, "dtype": {{policy}}, "negative_slope": 0.2}""");
        Assert.Equal(0.2, leaky.Alpha);
        var relu = (ReLU)FromConfig("ReLU", $$"""{"name": "r", "trainable": true, "dtype": {{policy}}, "max_value": 6.0, "negative_slope": 0.0, "threshold": 0.0}""");
        Assert.Equal(6.0, relu.MaxValue);
        var prelu = (PReLU)FromConfig("PReLU", $$"""{"name": "p", "trainable": true, "dtype": {{policy}}, "alpha_initializer": {"module": "keras.initializers", "class_name": "Constant", "config": {"value": 0.5}, "registered_name": null}, "alpha_regularizer": null, "alpha_constraint": null, "shared_axes": [1, 2]}""");
        Assert.Equal([1, 2], prelu.SharedAxes!);
        Assert.Equal(0.5, ((Constant)prelu.AlphaInitializer).Value);
        var sm = (Softmax)FromConfig("Softmax", $$"""{"name": "s", "trainable": true, "dtype": {{policy}}, "axis": [1, 2]}""");
        Assert.True(sm.IsList);
        var elu = (ELU)FromConfig("ELU", $$"""{"name": "e", "trainable": true, "dtype": {{policy}}}"""); // Keras 3's ELU writes no alpha
        Assert.Equal(1.0, elu.Alpha);
        var sd = (SpatialDropout2D)FromConfig("SpatialDropout2D", $$"""{"rate": 0.25, "seed": 5, "name": "sd", "dtype": {{policy}}, "data_format": "channels_first"}""");
        Assert.Equal(("channels_first", 5, 0.25), (sd.DataFormat, sd.Seed!.Value, sd.Rate));
        var gn = (GaussianNoise)FromConfig("GaussianNoise", $$"""{"name": "g", "trainable": true, "dtype": {{policy}}, "stddev": 0.1, "seed": 7}""");
        Assert.Equal(7, gn.Seed);
        var ad = (AlphaDropout)FromConfig("AlphaDropout", $$"""{"name": "a", "trainable": true, "dtype": {{policy}}, "rate": 0.1, "seed": null, "noise_shape": [null, 1, 4]}""");
        Assert.Equal(new int?[] { null, 1, 4 }, ad.NoiseShape!);
        var act = (Activation)FromConfig("Activation", $$"""{"name": "a", "trainable": true, "dtype": {{policy}}, "activation": {"module": "keras.activations", "class_name": "function", "config": "hard_silu", "registered_name": "function"} }""");
        Assert.Equal(ActivationKind.HardSwish, act.Kind);
    }

    [Fact]
    public void Keras1SpellingsAreRead()
    {
        Assert.Equal(0.3, ((LeakyReLU)FromConfig("LeakyReLU", """{"alpha": 0.3, "name": "leakyrelu_1", "trainable": true}""")).Alpha);
        Assert.IsType<Zeros>(((PReLU)FromConfig("PReLU", """{"init": "zero", "name": "prelu_1", "trainable": true}""")).AlphaInitializer);
        Assert.Equal(0.5, ((GaussianNoise)FromConfig("GaussianNoise", """{"sigma": 0.5, "name": "gaussiannoise_1"}""")).Stddev);
        Assert.Equal(0.3, ((GaussianDropout)FromConfig("GaussianDropout", """{"p": 0.3, "name": "gaussiandropout_1"}""")).Rate);
        var sd = (SpatialDropout2D)FromConfig("SpatialDropout2D", """{"p": 0.25, "dim_ordering": "th", "name": "spatialdropout2d_1"}""");
        Assert.Equal(("channels_first", 0.25), (sd.DataFormat, sd.Rate));
        Assert.Equal(ActivationKind.HardSigmoid, ((Activation)FromConfig("Activation", """{"activation": "hard_sigmoid", "name": "a"}""")).Kind);
    }

    // ---- hard_sigmoid by the file's keras_version ----

    private static readonly float[] Xs = [-4f, -2.8f, -1.2f, -0.4f, 0.6f, 1.3f, 2.7f, 3.4f];

    private static Sequential HardSigmoidModel(string activation)
    {
        var m = new Sequential();
        m.Add(new Activation(activation, inputShape: Xs.Length));
        return m;
    }

    private static void AssertFormula(Model m, bool keras3, string what)
    {
        var y = m.Predict(new Tensor(Xs, 1, Xs.Length)).ToArray();
        for (int i = 0; i < Xs.Length; i++)
            Assert.True(Math.Abs((keras3 ? Math.Clamp(Xs[i] + 3.0, 0, 6) / 6 : Math.Clamp(0.2 * Xs[i] + 0.5, 0, 1)) - y[i]) < 1e-6,
                $"{what}: x = {Xs[i]} gives {y[i]}, not the {(keras3 ? "Keras 3" : "tf.keras 2")} hard sigmoid");
    }

    [Fact]
    public void HardSigmoidInJsonFollowsItsKerasVersion()
    {
        KerasBackend.ClearSession();
        string tf24 = HardSigmoidModel("hard_sigmoid").ToJson();
        Assert.Contains("\"keras_version\": \"2.4.0\"", tf24);
        AssertFormula(Keras.ModelFromJson(tf24), keras3: false, "tf.keras 2.4 JSON");
        AssertFormula(Keras.ModelFromJson(tf24.Replace("\"2.4.0\"", "\"3.5.0\"")), keras3: true, "JSON with keras_version 3.5.0");
        AssertFormula(Keras.ModelFromJson(tf24.Replace("\"2.4.0\"", "\"2.15.0\"")), keras3: false, "JSON with keras_version 2.15.0");
        // Keras 3's to_json writes no keras_version; its serialization (a "module" at the root) says Keras 3.
        var keras3 = ModelConfigWriter.Keras3(HardSigmoidModel(Activations.HardSigmoidKeras3), null).ToJsonString();
        Assert.Contains("\"activation\":\"hard_sigmoid\"", keras3);
        AssertFormula(Keras.ModelFromJson(keras3), keras3: true, "Keras 3 serialization");
        // KerasNet's tf.keras 2.4 JSON names Keras 3's function so that tf.keras refuses it instead of misreading it.
        string k3in24 = HardSigmoidModel(Activations.HardSigmoidKeras3).ToJson();
        Assert.Contains("\"hard_sigmoid_keras3\"", k3in24);
        AssertFormula(Keras.ModelFromJson(k3in24), keras3: true, "hard_sigmoid_keras3 in tf.keras 2.4 JSON");
    }

    /// <summary>Functional configs (and a Sequential nested in one) read hard_sigmoid by the same file version.</summary>
    [Fact]
    public void HardSigmoidInAFunctionalConfigFollowsItsKerasVersion()
    {
        KerasBackend.ClearSession();
        var inner = GraphTestKit.SequentialLayer("Sequential", GraphTestKit.SequentialConfig("inner",
            [GraphTestKit.SequentialLayer("Activation", """{"name": "inner_act", "trainable": true, "batch_input_shape": [null, 8], "dtype": "float32", "activation": "hard_sigmoid"}""")]));
        string config = GraphTestKit.FunctionalConfig("f", [
            GraphTestKit.InputEntry("in", Xs.Length),
            GraphTestKit.FunctionalLayer("Activation", "act", """{"name": "act", "trainable": true, "dtype": "float32", "activation": "hard_sigmoid"}""", GraphTestKit.Call("in")),
            inner[..^1] + """, "name": "inner", "inbound_nodes": [[["act", 0, 0, {}]]]}"""],
            """["in", 0, 0]""", """["inner", 1, 0]""");
        string json = GraphTestKit.ModelJson("Functional", config);
        var tf24 = Keras.ModelFromJson(json);
        Assert.Equal(ActivationKind.HardSigmoid, ((Activation)tf24.GetLayer("act")).Kind);
        var k3 = Keras.ModelFromJson(json.Replace("\"2.4.0\"", "\"3.2.1\""));
        Assert.Equal(ActivationKind.HardSigmoidKeras3, ((Activation)k3.GetLayer("act")).Kind);
        Assert.Equal(ActivationKind.HardSigmoidKeras3, ((Activation)((Sequential)k3.GetLayer("inner")).Layers[0]).Kind);
        // hard_sigmoid twice: 0.2 (0.2 x + 0.5) + 0.5 against relu6(relu6(x + 3) / 6 + 3) / 6.
        var y2 = tf24.Predict(new Tensor(Xs, 1, Xs.Length)).ToArray();
        var y3 = k3.Predict(new Tensor(Xs, 1, Xs.Length)).ToArray();
        for (int i = 0; i < Xs.Length; i++)
        {
            Assert.Equal(Math.Clamp(0.2 * Math.Clamp(0.2 * Xs[i] + 0.5, 0, 1) + 0.5, 0, 1), y2[i], 1e-6);
            Assert.Equal(Math.Clamp(Math.Clamp(Xs[i] + 3.0, 0, 6) / 6 + 3, 0, 6) / 6, y3[i], 1e-6);
        }
    }

    [Fact]
    public void HardSigmoidInFilesFollowsTheFileVersion()
    {
        KerasBackend.ClearSession();
        var dir = Oracle.TempDir();
        string h5 = Path.Combine(dir, "tf24.h5"), keras = Path.Combine(dir, "k3.keras");
        HardSigmoidModel("hard_sigmoid").Save(h5);
        AssertFormula(Keras.LoadModel(h5), keras3: false, "a tf.keras 2.4 .h5");
        HardSigmoidModel(Activations.HardSigmoidKeras3).Save(keras);
        Assert.Contains("\"activation\": \"hard_sigmoid\"", Encoding.UTF8.GetString(SavingTestUtil.ReadEntry(keras, "config.json")));
        AssertFormula(Keras.LoadModel(keras), keras3: true, "a Keras 3 .keras");
        // tf.keras 2.13-2.15 also write .keras files, with their own version in metadata.json: tf.keras 2's function.
        string tf213 = SavingTestUtil.WriteArchive(Path.Combine(dir, "tf213.keras"),
            ("metadata.json", Encoding.UTF8.GetBytes("""{"keras_version": "2.13.1", "date_saved": "2023-08-01@10:00:00"}""")),
            ("config.json", SavingTestUtil.ReadEntry(keras, "config.json")),
            ("model.weights.h5", SavingTestUtil.ReadEntry(keras, "model.weights.h5")));
        AssertFormula(Keras.LoadModel(tf213), keras3: false, "a tf.keras 2.13 .keras");
        // A .keras file cannot hold tf.keras 2's function: Keras 3 would read it as its own.
        var e = Assert.Throws<KerasNetException>(() => HardSigmoidModel("hard_sigmoid").Save(Path.Combine(dir, "bad.keras")));
        Assert.Contains("hard_sigmoid", e.Message);
        Assert.Contains("activation", e.Message);
    }

    /// <summary>A legacy .h5 written by Keras 3 (keras_version 3.x) means Keras 3's function by "hard_sigmoid".</summary>
    [SkippableFact]
    public void HardSigmoidInAKeras3LegacyH5IsKeras3s()
    {
        Oracle.RequirePython("h5py");
        KerasBackend.ClearSession();
        var path = Path.Combine(Oracle.TempDir(), "k3legacy.h5");
        HardSigmoidModel("hard_sigmoid").Save(path);
        Oracle.RunPythonCode("import sys, h5py\nwith h5py.File(sys.argv[1], 'r+') as f: f.attrs['keras_version'] = '3.5.0'", path);
        AssertFormula(Keras.LoadModel(path), keras3: true, "a .h5 with keras_version 3.5.0");
    }

    [Fact]
    public void Keras3FilesGetKeras3sFieldsForSpatialDropoutAndPReLU()
    {
        KerasBackend.ClearSession();
        var m = new Sequential();
        m.Add(new Dense(4, inputShape: (3, 5)));
        m.Add(new SpatialDropout1D(0.2, seed: 1));
        m.Add(new PReLU(alphaInitializer: new Constant(0.1), sharedAxes: [1]));
        var config = ModelConfigWriter.Keras3(m, null);
        var layers = config["config"]!["layers"]!.AsArray();
        var sd = layers[2]!["config"]!.AsObject();
        Assert.Equal(["rate", "seed", "name", "dtype"], sd.Select(p => p.Key));
        Assert.Equal("keras.initializers", layers[3]!["config"]!["alpha_initializer"]!["module"]!.GetValue<string>());
        var back = Keras.ModelFromJson(config.ToJsonString());
        Assert.Equal(m.ToJson(), back.ToJson());
    }

    // ---- arguments ----

    [Fact]
    public void BadArgumentsNameTheLayerAndArgument()
    {
        void Bad(string layer, string argument, Action make)
        {
            var e = Assert.ThrowsAny<KerasNetException>(make);
            Assert.Contains(layer, e.Message);
            Assert.Contains(argument, e.Message);
        }
        Bad("ReLU", "max_value", () => new ReLU(maxValue: -1));
        Bad("ReLU", "negative_slope", () => new ReLU(negativeSlope: -0.1));
        Bad("ReLU", "threshold", () => new ReLU(threshold: double.NaN));
        Bad("LeakyReLU", "alpha", () => new LeakyReLU(double.PositiveInfinity));
        Bad("ELU", "alpha", () => new ELU(double.NaN));
        Bad("ThresholdedReLU", "theta", () => new ThresholdedReLU(double.NaN));
        Bad("Softmax", "axis", () => new Softmax(0).Build([3, 4]));
        Bad("Softmax", "axis", () => new Softmax(3).Build([3, 4]));
        Bad("Softmax", "axes", () => new Softmax([1, 3]).Build([3, 4, 5]));
        Bad("PReLU", "shared_axes", () => new PReLU(sharedAxes: [0]));
        Bad("PReLU", "shared axis", () => new PReLU(sharedAxes: [3]).Build([4, 5]));
        Bad("Dropout", "noise_shape", () => new Dropout(0.5, noiseShape: [null, 0]));
        Bad("GaussianNoise", "stddev", () => new GaussianNoise(-0.1));
        Bad("GaussianDropout", "rate", () => new GaussianDropout(1.0));
        Bad("AlphaDropout", "rate", () => new AlphaDropout(-0.2));
        Bad("SpatialDropout2D", "data_format", () => new SpatialDropout2D(0.1, "nchw"));
        Bad("SpatialDropout2D", "4-D", () => new SpatialDropout2D(0.1).Build([4, 5]));
        Bad("dropout", "noise_shape", () => new Dropout(0.5, noiseShape: [null, 2], name: "dropout").Call(new Tensor(3, 4), training: true));
        var config = Assert.Throws<ModelConfigException>(() => FromConfig("ReLU", """{"name": "bad_relu", "max_value": -2.0}"""));
        Assert.Contains("bad_relu", config.Message);
        Assert.Throws<ModelConfigException>(() => FromConfig("GaussianNoise", """{"name": "g"}"""));
        Assert.Throws<ModelConfigException>(() => FromConfig("Dense", """{"name": "d", "units": 2, "activation": "crelu"}"""));
    }

    /// <summary>PReLU's regularizer and constraint are kept but not applied: training refuses them, inference runs.</summary>
    [Fact]
    public void TrainingRefusesAPReLURegularizerUntilItIsRemoved()
    {
        KerasBackend.ClearSession();
        var prelu = new PReLU(alphaRegularizer: new L2(0.01), name: "slopes");
        var m = new Sequential();
        m.Add(new Dense(3, inputShape: 2));
        m.Add(prelu);
        m.Compile(new KerasNet.Optimizers.SGD(0.1), "mse");
        var x = new Tensor([1f, -2f, 0.5f, 3f], 2, 2);
        var y = new Tensor(new float[6], 2, 3);
        var before = m.Weights.Select(w => w.Value.ToArray()).ToList();
        var e = Assert.Throws<KerasNetException>(() => m.TrainOnBatch(new Batch(x, y)));
        Assert.Contains("slopes", e.Message);
        Assert.Contains("alpha_regularizer", e.Message);
        Assert.Equal(before, m.Weights.Select(w => w.Value.ToArray()).ToList()); // the refused step changed nothing
        Assert.Equal(2, m.Predict(x).BatchSize);
        prelu.AlphaRegularizer = null;
        prelu.AlphaConstraint = new NonNeg();
        Assert.Contains("alpha_constraint", Assert.Throws<KerasNetException>(() => m.TrainOnBatch(new Batch(x, y))).Message);
        prelu.AlphaConstraint = null;
        m.TrainOnBatch(new Batch(x, y));
    }
}
