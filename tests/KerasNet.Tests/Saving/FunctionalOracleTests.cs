#nullable enable
using System.Globalization;
using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>
/// Independent readers of what KerasNet writes for graph models: h5py walking the files as tf.keras 2.4's and Keras
/// 3's loaders do (saving_h5_walk.py, saving_h5_nested_load.py), and tfjs-layers building our to_json and predicting.
/// </summary>
public class FunctionalOracleTests
{
    private static JsonObject Run(string script, params string[] args) =>
        JsonNode.Parse(Oracle.RunPythonScript(script, args))!.AsObject();

    private static float[] Values(JsonNode? stored) =>
        stored!["values"]!.AsArray().Select(v => (float)double.Parse(v!.GetValue<string>(), CultureInfo.InvariantCulture)).ToArray();

    private static void AssertArray(JsonNode? stored, Variable v, string what)
    {
        Assert.Equal(v.Shape, stored!["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray());
        Assert.Equal("float32", stored["dtype"]!.GetValue<string>());
        SavingTestUtil.AssertBitEqual(v.Value.ToArray(), Values(stored), what);
    }

    /// <summary>Every plain (non-model) layer inside a model, nested models expanded, each once.</summary>
    private static IEnumerable<Layer> Leaves(Model m) =>
        m.Layers.SelectMany(l => l is Model sub ? Leaves(sub) : [l]).Distinct();

    [SkippableFact]
    public void FunctionalH5PassesKerasLoaderWalk()
    {
        Oracle.RequirePython("h5py");
        var m = GraphModels.TwoTowers(dropout: 0);
        m.Compile("adam", ["categorical_crossentropy", "mean_squared_error"]);
        m.TrainStep(new Batch(GraphModels.Inputs(m, 4), GraphModels.Targets(m, 4)));
        var path = Path.Combine(Oracle.TempDir(), "two.h5");
        m.Save(path);
        var walk = Run("saving_h5_walk.py", path, "legacy");

        Assert.Equal("Functional", walk["model_config"]!["class_name"]!.GetValue<string>());
        Assert.Equal(m.ToJson().Replace(", \"keras_version\": \"2.4.0\", \"backend\": \"tensorflow\"", ""), walk["attrs"]!["model_config"]!.GetValue<string>());
        // layer_names lists model.layers, InputLayers included (with Keras's empty weight_names).
        var layers = walk["layers"]!.AsArray();
        Assert.Equal(["img", "conv", "act", "flat", "drop", "proj", "vec", "shared", "out_a", "out_b"], layers.Select(l => l!["name"]!.GetValue<string>()));
        for (int i = 0; i < m.Layers.Count; i++)
        {
            var l = m.Layers[i];
            Assert.Equal(l.Weights.Select(w => w.FullName), layers[i]!["weight_names"]!.AsArray().Select(n => n!.GetValue<string>()));
            for (int j = 0; j < l.Weights.Count; j++) AssertArray(layers[i]!["weights"]![j], l.Weights[j], l.Weights[j].FullName);
        }
        var tc = walk["training_config"]!;
        Assert.Equal("""["categorical_crossentropy","mean_squared_error"]""", tc["loss"]!.ToJsonString());
        var opt = walk["optimizer"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()).ToList();
        Assert.Equal("Adam/iter:0", opt[0]);
        Assert.Contains("Adam/shared/kernel/m:0", opt);
        Assert.Equal(1 + 2 * m.TrainableWeights.Count, opt.Count);
    }

    [SkippableTheory]
    [MemberData(nameof(FunctionalJsonTests.Models), MemberType = typeof(FunctionalJsonTests))]
    [InlineData("frozen_encoder")]
    public void NestedH5WeightsGoWhereKerasLoaderPutsThem(string name)
    {
        Oracle.RequirePython("h5py");
        var m = name == "frozen_encoder" ? GraphModels.SequentialInFunctional() : FunctionalJsonTests.Build(name);
        // A frozen first layer puts its weights after the trainable ones in the nested model's group.
        if (name == "frozen_encoder") ((Model)m.GetLayer("encoder")).GetLayer("enc_dense").Trainable = false;
        var path = Path.Combine(Oracle.TempDir(), "nested.h5");
        m.Save(path);
        var assigned = Run("saving_h5_nested_load.py", path);
        var withWeights = Leaves(m).Where(l => l.Weights.Count > 0).ToList();
        Assert.Equal(withWeights.Select(l => l.Name).Order(), assigned.Select(p => p.Key).Order());
        foreach (var leaf in withWeights)
        {
            var stored = assigned[leaf.Name]!.AsArray();
            // The loader hands a layer its trainable weights first; ours are all one kind per layer.
            Assert.Equal(leaf.Weights.Count, stored.Count);
            for (int j = 0; j < leaf.Weights.Count; j++) AssertArray(stored[j], leaf.Weights[j], $"{name}: {leaf.Weights[j].FullName}");
        }
    }

    [SkippableFact]
    public void NestedH5GroupHoldsTheNestedModelsWeights()
    {
        Oracle.RequirePython("h5py");
        var m = GraphModels.SequentialInFunctional();
        var path = Path.Combine(Oracle.TempDir(), "w.h5");
        m.SaveWeights(path);
        var walk = Run("saving_h5_walk.py", path, "legacy");
        var encoder = walk["layers"]!.AsArray().Single(l => l!["name"]!.GetValue<string>() == "encoder")!;
        Assert.Equal(["enc_dense/kernel:0", "enc_dense/bias:0", "enc_out/kernel:0", "enc_out/bias:0"],
            encoder["weight_names"]!.AsArray().Select(n => n!.GetValue<string>()));
        var inner = (Model)m.GetLayer("encoder");
        var vars = inner.Weights;
        for (int j = 0; j < vars.Count; j++) AssertArray(encoder["weights"]![j], vars[j], vars[j].FullName);
    }

    [SkippableFact]
    public void Keras3StoreNestsModelContainers()
    {
        Oracle.RequirePython("h5py");
        var m = GraphModels.TeachableMachineLike();
        var dir = Oracle.TempDir();
        m.SaveWeights(Path.Combine(dir, "tm.weights.h5"));
        m.Save(Path.Combine(dir, "tm.keras"));
        foreach (var file in new[] { "tm.weights.h5", "tm.keras" })
        {
            var walk = Run("saving_h5_walk.py", Path.Combine(dir, file), "keras3");
            var layers = walk["layers"]!.AsArray().ToDictionary(l => l!["key"]!.GetValue<string>(), l => l!.AsObject());
            string[] keys = ["functional", "functional/layers/input_layer", "functional/layers/conv2d", "functional/layers/max_pooling2d",
                "functional/layers/flatten", "sequential", "sequential/layers/dense", "sequential/layers/dense_1"];
            Assert.Equal(keys.Order(), layers.Keys.Order());
            Assert.Equal("model1", layers["functional"]["name"]!.GetValue<string>());
            Assert.Equal("input_1", layers["functional/layers/input_layer"]["name"]!.GetValue<string>());
            var conv = m.Layers[0] is Model b ? b.GetLayer("Conv1") : throw new InvalidOperationException();
            AssertArray(layers["functional/layers/conv2d"]["weights"]![0], conv.Weights[0], "Conv1 kernel");
            var dense = ((Model)m.Layers[1]).Layers[1];
            AssertArray(layers["sequential/layers/dense_1"]["weights"]![1], dense.Weights[1], "dense_Dense2 bias");
            Assert.Equal("sequential_4", walk["model_vars_name"]!.GetValue<string>());
        }
    }

    [SkippableTheory]
    [MemberData(nameof(FunctionalJsonTests.Models), MemberType = typeof(FunctionalJsonTests))]
    public void TfjsBuildsOurJsonAndPredictsTheSame(string name)
    {
        var m = FunctionalJsonTests.Build(name);
        var x = GraphModels.Inputs(m, 4);
        var result = TfjsGraphOracle.Run(m.ToJson(),
            m.Weights.Select(w => (w.Shape, w.Value.ToArray())).ToList(),
            x.Select(t => (t.Shape, t.ToArray())).ToList());
        var ours = m.PredictOnBatch(x);
        Assert.Equal(ours.Length, result.Outputs.Count);
        for (int i = 0; i < ours.Length; i++)
        {
            Assert.Equal(ours[i].Shape, result.Outputs[i].Shape);
            SavingTestUtil.AssertClose(new KerasNet.Engine.Tensor(result.Outputs[i].Values, result.Outputs[i].Shape), ours[i], 1e-5, $"{name} output {i}");
        }
        // tfjs names the weights as tf.keras does (layer/weight), nested models' ones without the model's name.
        Assert.Equal(m.Weights.Select(w => $"{w.LayerName}/{w.Name}"), result.WeightNames);
    }
}
