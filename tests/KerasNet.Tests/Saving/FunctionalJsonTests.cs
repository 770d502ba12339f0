#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;

namespace KerasNet.Tests.Saving;

/// <summary>
/// to_json of Functional and nested models equals tf.keras 2.4's text byte for byte, and model_from_json reads it
/// back, as well as Keras 3's node form, tf.keras 2.x "Model" configs and Keras 1 graph configs.
/// </summary>
public class FunctionalJsonTests
{
    internal static readonly string[] ModelNames = ["two_towers", "seq_in_functional", "functional_in_seq", "shared_encoder", "teachable_machine", "merges"];

    public static TheoryData<string> Models() => new(ModelNames);

    internal static Model Build(string name) => name switch
    {
        "two_towers" => GraphModels.TwoTowers(),
        "seq_in_functional" => GraphModels.SequentialInFunctional(),
        "functional_in_seq" => GraphModels.FunctionalInSequential(),
        "shared_encoder" => GraphModels.SharedEncoder(),
        "teachable_machine" => GraphModels.TeachableMachineLike(),
        "merges" => GraphModels.Merges(),
        _ => throw new ArgumentException(name),
    };

    /// <summary>A model from the text, with the weights of <paramref name="like"/>.</summary>
    private static Model Load(string json, Model like)
    {
        var m = Keras.ModelFromJson(json);
        m.SetWeights(like.GetWeights());
        return m;
    }

    [Fact]
    public void TwoTowersToJsonIsKeras24Text()
    {
        var m = GraphModels.TwoTowers();
        Assert.Equal(Keras24Text.TwoTowers(), m.ToJson());
        var back = Keras.ModelFromJson(m.ToJson());
        Assert.Equal(m.ToJson(), back.ToJson());
        Assert.Equal(["img", "vec"], back.InputNames);
        Assert.Equal(["out_a", "out_b"], back.OutputNames);
        // The shared Dense is one layer called twice, so it keeps one set of weights.
        Assert.Equal(2, back.GetLayer("shared").InboundNodesList.Count);
        Assert.Equal(m.Weights.Count, back.Weights.Count);
    }

    [Fact]
    public void NestedModelsToJsonIsKeras24Text()
    {
        var inner = GraphModels.SequentialInFunctional();
        Assert.Equal(Keras24Text.SequentialInFunctional(), inner.ToJson());
        Assert.Equal(inner.ToJson(), Keras.ModelFromJson(inner.ToJson()).ToJson());
        var outer = GraphModels.FunctionalInSequential();
        Assert.Equal(Keras24Text.FunctionalInSequential(), outer.ToJson());
        var back = Assert.IsType<Sequential>(Keras.ModelFromJson(outer.ToJson()));
        Assert.Equal(outer.ToJson(), back.ToJson());
        Assert.Equal("Functional", back.Layers[0].ClassName);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ToJsonModelFromJsonToJsonIsByteEqualAndPredictsTheSame(string name)
    {
        var m = Build(name);
        var json = m.ToJson();
        var back = Load(json, m);
        Assert.Equal(json, back.ToJson());
        var x = GraphModels.Inputs(m, 3);
        SavingTestUtil.AssertBitEqual(GraphModels.Predictions(m, x), GraphModels.Predictions(back, x), name);
    }

    [Fact]
    public void SharedNestedModelCallsAreNodesOneAndTwo()
    {
        var cfg = JsonNode.Parse(GraphModels.SharedEncoder().ToJson())!["config"]!;
        var layers = cfg["layers"]!.AsArray().ToDictionary(l => l!["name"]!.GetValue<string>());
        Assert.Equal("""[[["a",0,0,{}]],[["b",0,0,{}]]]""", layers["encoder"]!["inbound_nodes"]!.ToJsonString());
        Assert.Equal("""[[["encoder",1,0,{}]]]""", layers["head"]!["inbound_nodes"]!.ToJsonString());
        Assert.Equal("""[["encoder",1,0],["encoder",2,0],["head",1,0]]""", cfg["output_layers"]!.ToJsonString());
        // The head was built by its first call; nested, it is written with that InputLayer (so its call is node 1).
        var head = layers["head"]!["config"]!;
        Assert.Equal("InputLayer", head["layers"]![0]!["class_name"]!.GetValue<string>());
        Assert.Null(head["build_input_shape"]);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Keras3ConfigReadsBackToTheSameModel(string name)
    {
        var m = Build(name);
        var k3 = PyJson.Dumps(ModelConfigWriter.Keras3(m, null));
        var back = Load(k3, m);
        Assert.Equal(m.Layers.Select(l => (l.Name, l.ClassName)), back.Layers.Select(l => (l.Name, l.ClassName)));
        var x = GraphModels.Inputs(m, 3);
        SavingTestUtil.AssertBitEqual(GraphModels.Predictions(m, x), GraphModels.Predictions(back, x), name);
    }

    [Fact]
    public void Keras3NumbersArgumentsFromZeroAndNestedOutputsFromOne()
    {
        var k3 = ModelConfigWriter.Keras3(GraphModels.SharedEncoder(), null)["config"]!;
        var head = k3["layers"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "head")!;
        Assert.Equal("""["encoder",0,0]""", head["inbound_nodes"]![0]!["args"]![0]!["config"]!["keras_history"]!.ToJsonString());
        Assert.Equal("""[["encoder",1,0],["encoder",2,0],["head",0,0]]""", k3["output_layers"]!.ToJsonString());
    }

    // Written by hand in Keras 3's form: the encoder's call is keras_history 0, and output_layers name it as node 1.
    private const string Keras3Nested = """
        {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "k3", "trainable": true, "layers": [
         {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "float32", "sparse": false, "name": "input_layer"}, "registered_name": null, "name": "input_layer", "inbound_nodes": []},
         {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "encoder", "trainable": true, "layers": [
           {"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_shape": [null, 4], "dtype": "float32", "sparse": false, "name": "input_layer_1"}, "registered_name": null, "name": "input_layer_1", "inbound_nodes": []},
           {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true, "dtype": {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": null}, "units": 3, "activation": "relu", "use_bias": true}, "registered_name": null, "build_config": {"input_shape": [null, 4]}, "name": "dense",
            "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["input_layer_1", 0, 0]}}], "kwargs": {}}]}],
           "input_layers": [["input_layer_1", 0, 0]], "output_layers": [["dense", 0, 0]]}, "registered_name": "Functional", "build_config": {"input_shape": null}, "name": "encoder",
          "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["input_layer", 0, 0]}}], "kwargs": {"training": false}}]},
         {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense_1", "trainable": false, "dtype": "float32", "units": 2}, "registered_name": null, "name": "dense_1",
          "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"shape": [null, 3], "dtype": "float32", "keras_history": ["encoder", 0, 0]}}], "kwargs": {}}]}],
        "input_layers": ["input_layer", 0, 0], "output_layers": [["dense_1", 0, 0], ["encoder", 1, 0]]}, "registered_name": "Functional"}
        """;

    [Fact]
    public void ReadsKeras3NestedFunctional()
    {
        var m = Keras.ModelFromJson(Keras3Nested);
        Assert.Equal(["input_layer", "encoder", "dense_1"], m.Layers.Select(l => l.Name));
        Assert.Equal(["dense_1", "encoder"], m.OutputNames);
        Assert.False(m.GetLayer("dense_1").Trainable);
        var x = GraphModels.Inputs(m, 2);
        var y = m.PredictOnBatch(x);
        var encoder = (Model)m.GetLayer("encoder");
        SavingTestUtil.AssertBitEqual(encoder.PredictOnBatch(x)[0].ToArray(), y[1].ToArray(), "encoder output");
        SavingTestUtil.AssertBitEqual(m.GetLayer("dense_1").Call(y[1]).ToArray(), y[0].ToArray(), "head output");
    }

    // Keras 1.2 graph config: class "Model", refs without kwargs, input_dtype, Keras 1 Dense fields.
    private const string Keras1Model = """
        {"class_name": "Model", "keras_version": "1.2.2", "config": {"name": "model_1", "layers": [
         {"class_name": "InputLayer", "config": {"batch_input_shape": [null, 4], "input_dtype": "float32", "sparse": false, "name": "input_1"}, "inbound_nodes": [], "name": "input_1"},
         {"class_name": "Dense", "config": {"W_constraint": null, "b_constraint": null, "name": "dense_1", "activity_regularizer": null, "trainable": true, "init": "glorot_uniform", "bias": true, "input_dim": null, "b_regularizer": null, "W_regularizer": null, "activation": "relu", "output_dim": 3}, "inbound_nodes": [[["input_1", 0, 0]]], "name": "dense_1"},
         {"class_name": "Dense", "config": {"name": "dense_2", "trainable": true, "init": "glorot_uniform", "bias": false, "activation": "softmax", "output_dim": 2}, "inbound_nodes": [[["dense_1", 0, 0]]], "name": "dense_2"}],
         "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_2", 0, 0]]}}
        """;

    [Fact]
    public void ReadsKeras1GraphConfig()
    {
        var m = Keras.ModelFromJson(Keras1Model);
        Assert.Equal(["input_1", "dense_1", "dense_2"], m.Layers.Select(l => l.Name));
        Assert.Equal(3, Assert.IsType<Dense>(m.GetLayer("dense_1")).Units);
        Assert.False(Assert.IsType<Dense>(m.GetLayer("dense_2")).UseBias);
        Assert.Equal(new[] { 2 }, m.Outputs[0].Shape);
    }

    // tf.keras 2.3's "Model": the Dense "a" is called on the input and again on "b"'s output, so its second call can
    // only be made after "b" (listed later), as in Keras's A(B(A(x))) example.
    private static readonly string SharedAtTwoDepths = $$"""
        {"class_name": "Model", "config": {"name": "model", "layers": [
         {{Keras24Text.Node("InputLayer", Keras24Text.InputConfig("x", 3), "x", "[]")}},
         {{Keras24Text.Node("Dense", Keras24Text.DenseConfig("a", 3, "tanh"), "a", "[[[\"x\", 0, 0, {}]], [[\"b\", 0, 0, {}]]]")}},
         {{Keras24Text.Node("Dense", Keras24Text.DenseConfig("b", 3, "relu"), "b", Keras24Text.Call("a"))}}],
         "input_layers": [["x", 0, 0]], "output_layers": [["a", 1, 0]]}, "keras_version": "2.3.0-tf", "backend": "tensorflow"}
        """;

    [Fact]
    public void ReadsALayerSharedAtTwoDepths()
    {
        var m = Keras.ModelFromJson(SharedAtTwoDepths);
        var (a, b) = (m.GetLayer("a"), m.GetLayer("b"));
        var x = GraphModels.Inputs(m, 4);
        var expected = a.Call(b.Call(a.Call(x[0])));
        SavingTestUtil.AssertBitEqual(expected.ToArray(), m.PredictOnBatch(x)[0].ToArray(), "a(b(a(x)))");
        var cfg = JsonNode.Parse(m.ToJson())!["config"]!;
        Assert.Equal("""[["a",1,0]]""", cfg["output_layers"]!.ToJsonString());
    }

    [Theory]
    [InlineData("\"class_name\": \"Dense\", \"config\": {\"name\": \"head\"", "\"class_name\": \"FancyCustomLayer\", \"config\": {\"name\": \"head\"", "unknown layer class 'FancyCustomLayer'")]
    [InlineData("[[\"encoder\", 1, 0, {}]]", "[[\"encoder\", 0, 0, {}]]", "numbered from 1")]
    [InlineData("[[\"encoder\", 1, 0, {}]]", "[[\"encoder\", 2, 0, {}]]", "never makes")]
    [InlineData("[[\"encoder\", 1, 0, {}]]", "[[\"ghost\", 0, 0, {}]]", "'ghost', which is not in the model config")]
    [InlineData("[[\"encoder\", 1, 0, {}]]", "[[\"encoder\", 1, 0, {\"mask\": [\"input_1\", 0, 0]}]]", "keyword argument(s) mask")]
    [InlineData("\"units\": 2,", "\"units\": 2000000000,", "weights than the file")]
    [InlineData("\"output_layers\": [[\"head\", 0, 0]]", "\"output_layers\": [[\"head\", 3, 0]]", "'output_layers' names node 3")]
    public void BadGraphConfigsAreRefusedNamingTheProblem(string from, string to, string message)
    {
        var json = Keras24Text.SequentialInFunctional();
        Assert.Contains(from, json);
        var e = Assert.ThrowsAny<ModelConfigException>(() => Keras.ModelFromJson(json.Replace(from, to)));
        Assert.Contains(message, e.Message);
        Assert.StartsWith("model JSON: ", e.Message);
    }

    [Fact]
    public void CycleIsRefused()
    {
        var json = SharedAtTwoDepths.Replace("[[[\"x\", 0, 0, {}]], [[\"b\", 0, 0, {}]]]", "[[[\"b\", 0, 0, {}]]]");
        Assert.Contains("never makes", Assert.ThrowsAny<ModelConfigException>(() => Keras.ModelFromJson(json)).Message);
    }
}
