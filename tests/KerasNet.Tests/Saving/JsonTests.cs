#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>to_json output equals tf.keras 2.4's; model_from_json reads Keras 1, 2 and 3 configs.</summary>
public class JsonTests
{
    // Field order and defaults copied from the model_config tf.keras 2.4.0 wrote into
    // binhgo_Learn-AI__mnist_cnn.h5 (see the reference, section 4.1), parameterised per layer.
    private const string Init = "\"kernel_initializer\": {\"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}}, \"bias_initializer\": {\"class_name\": \"Zeros\", \"config\": {}}, \"kernel_regularizer\": null, \"bias_regularizer\": null, \"activity_regularizer\": null, \"kernel_constraint\": null, \"bias_constraint\": null";

    private static string Conv(string name, int filters, string input = "") =>
        $"{{\"class_name\": \"Conv2D\", \"config\": {{\"name\": \"{name}\", \"trainable\": true, {input}\"dtype\": \"float32\", \"filters\": {filters}, \"kernel_size\": [3, 3], \"strides\": [1, 1], \"padding\": \"valid\", \"data_format\": \"channels_last\", \"dilation_rate\": [1, 1], \"groups\": 1, \"activation\": \"relu\", \"use_bias\": true, {Init}}}}}";

    private static string Pool(string name) =>
        $"{{\"class_name\": \"MaxPooling2D\", \"config\": {{\"name\": \"{name}\", \"trainable\": true, \"dtype\": \"float32\", \"pool_size\": [2, 2], \"padding\": \"valid\", \"strides\": [2, 2], \"data_format\": \"channels_last\"}}}}";

    private static string Dense(string name, int units, string activation) =>
        $"{{\"class_name\": \"Dense\", \"config\": {{\"name\": \"{name}\", \"trainable\": true, \"dtype\": \"float32\", \"units\": {units}, \"activation\": \"{activation}\", \"use_bias\": true, {Init}}}}}";

    private static readonly string TutorialJson =
        "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"sequential\", \"layers\": [" +
        "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 64, 64, 3], \"dtype\": \"float32\", \"sparse\": false, \"ragged\": false, \"name\": \"conv2d_input\"}}, " +
        Conv("conv2d", 32, "\"batch_input_shape\": [null, 64, 64, 3], ") + ", " + Pool("max_pooling2d") + ", " +
        Conv("conv2d_1", 32) + ", " + Pool("max_pooling2d_1") + ", " +
        Conv("conv2d_2", 32) + ", " + Pool("max_pooling2d_2") + ", " +
        "{\"class_name\": \"Flatten\", \"config\": {\"name\": \"flatten\", \"trainable\": true, \"dtype\": \"float32\", \"data_format\": \"channels_last\"}}, " +
        Dense("dense", 3137, "relu") + ", " + Dense("dense_1", 3137, "relu") + ", " + Dense("dense_2", 2, "softmax") +
        "]}, \"keras_version\": \"2.4.0\", \"backend\": \"tensorflow\"}";

    [Fact]
    public void TutorialJsonEqualsKeras24FieldByFieldAndByteForByte()
    {
        KerasBackend.ClearSession();
        var json = SummaryTests.Tutorial().ToJson();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(TutorialJson), JsonNode.Parse(json)), "parsed JSON differs:\n" + json);
        Assert.Equal(TutorialJson, json);
    }

    [Fact]
    public void ModelFromJsonRoundTripsTheTutorial()
    {
        var model = Keras.ModelFromJson(TutorialJson);
        Assert.Equal(TutorialJson, model.ToJson());
        Assert.Equal(10, model.Layers.Count);
        Assert.Equal(new[] { 64, 64, 3 }, model.InputShape);
    }

    [SkippableFact]
    public void ModelConfigEqualsTheOneKeras24WroteForTheSameNetwork()
    {
        var dir = Oracle.RequireFixtures();
        Oracle.RequirePython("h5py");
        string stored = Oracle.RunPythonCode("import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs['model_config'])",
            Path.Combine(dir, "binhgo_Learn-AI__mnist_cnn.h5")).TrimEnd('\n');
        KerasBackend.ClearSession();
        var m = new Sequential();
        m.Add(new Conv2D(8, (3, 3), inputShape: (28, 28, 1)));
        m.Add(new MaxPooling2D(poolSize: (2, 2)));
        m.Add(new Flatten());
        m.Add(new Dense(10, activation: "softmax"));
        Assert.Equal(stored, KerasNet.Saving.PyJson.Dumps(KerasNet.Saving.ModelConfigWriter.Keras2(m)));
    }

    [Fact]
    public void BuiltWithoutInputLayerWritesBuildInputShape()
    {
        KerasBackend.ClearSession();
        var m = new Sequential([new Dense(4, activation: "relu"), new Dense(2)]);
        m.Build([3]);
        var cfg = JsonNode.Parse(m.ToJson())!["config"]!;
        Assert.Equal("[null,3]", cfg["build_input_shape"]!.ToJsonString());
        Assert.Equal("Dense", cfg["layers"]![0]!["class_name"]!.GetValue<string>());
        Assert.Equal(m.ToJson(), Keras.ModelFromJson(m.ToJson()).ToJson());
    }

    // A Keras 1.2 to_json: config is a list, Convolution2D/nb_filter/border_mode/subsample/dim_ordering, Dense output_dim.
    internal const string Keras1Json = """
        {"class_name": "Sequential", "keras_version": "1.2.2", "config": [
         {"class_name": "Convolution2D", "config": {"b_regularizer": null, "W_constraint": null, "name": "convolution2d_1", "activity_regularizer": null,
          "trainable": true, "dim_ordering": "th", "nb_col": 3, "subsample": [1, 1], "init": "glorot_uniform", "bias": true, "nb_filter": 4,
          "input_dtype": "float32", "border_mode": "valid", "batch_input_shape": [null, 2, 7, 6], "W_regularizer": null, "activation": "relu",
          "b_constraint": null, "nb_row": 2}},
         {"class_name": "MaxPooling2D", "config": {"name": "maxpooling2d_1", "trainable": true, "dim_ordering": "th", "pool_size": [2, 2], "strides": [2, 2], "border_mode": "valid"}},
         {"class_name": "Dropout", "config": {"p": 0.25, "trainable": true, "name": "dropout_1"}},
         {"class_name": "Flatten", "config": {"trainable": true, "name": "flatten_1"}},
         {"class_name": "Dense", "config": {"W_constraint": null, "b_constraint": null, "name": "dense_1", "activity_regularizer": null, "trainable": true,
          "init": "glorot_uniform", "bias": true, "input_dim": null, "b_regularizer": null, "W_regularizer": null, "activation": "softmax", "output_dim": 3}}]}
        """;

    [Fact]
    public void ReadsKeras1Config()
    {
        var m = Keras.ModelFromJson(Keras1Json);
        var conv = Assert.IsType<Conv2D>(m.Layers[0]);
        Assert.Equal(("convolution2d_1", 4, new Size2(2, 3), "channels_first", "valid"), (conv.Name, conv.Filters, conv.KernelSize, conv.DataFormat, conv.Padding));
        Assert.Equal("channels_first", Assert.IsType<MaxPooling2D>(m.Layers[1]).DataFormat);
        Assert.Equal(0.25, Assert.IsType<Dropout>(m.Layers[2]).Rate);
        Assert.Equal("channels_last", Assert.IsType<Flatten>(m.Layers[3]).DataFormat);
        Assert.Equal(3, Assert.IsType<Dense>(m.Layers[4]).Units);
        Assert.Equal(new[] { 2, 7, 6 }, m.InputShape);
        Assert.Equal(new[] { 4, 3, 2 }, m.Layers[1].OutputShape);
    }

    [SkippableFact]
    public void ReadsKeras3AndKeras21Configs()
    {
        var dir = Oracle.RequireFixtures();
        var k3 = Keras.ModelFromJson(SavingTestUtil.ReadConfig(Path.Combine(dir, "CypherHK_MLS_A11__mnist_cnn_model.keras")));
        Assert.Equal(["conv2d", "max_pooling2d", "flatten", "dense", "dense_1"], k3.Layers.Select(l => l.Name));
        Assert.Equal("input_layer", Assert.IsType<Sequential>(k3).InputLayer!.Name);
        Assert.Equal(new[] { 28, 28, 1 }, k3.InputShape);
        // Keras 2.0/2.1 wrote the layer list directly as config and no dtype on later layers.
        var k21 = Keras.ModelFromJson("""
            {"class_name": "Sequential", "config": [{"class_name": "Dense", "config": {"name": "dense_1", "trainable": true,
             "batch_input_shape": [null, 5], "dtype": "float32", "units": 2, "activation": "linear", "use_bias": true,
             "kernel_initializer": {"class_name": "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}},
             "bias_initializer": {"class_name": "Zeros", "config": {}}}}], "keras_version": "2.1.3", "backend": "tensorflow"}
            """);
        // Kept as the VarianceScaling it was (tf.keras 2.4 writes it back so), not renamed GlorotUniform.
        var init = Assert.IsType<VarianceScaling>(Assert.IsType<Dense>(k21.Layers[0]).KernelInitializer);
        Assert.Equal((1.0, "fan_avg", "uniform"), (init.Scale, init.Mode, init.Distribution));
        Assert.Contains("\"kernel_initializer\": {\"class_name\": \"VarianceScaling\", \"config\": {\"scale\": 1.0, \"mode\": \"fan_avg\", \"distribution\": \"uniform\", \"seed\": null}}", k21.ToJson());
    }
}
