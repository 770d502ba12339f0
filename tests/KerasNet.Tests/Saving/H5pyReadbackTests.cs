#nullable enable
using System.Globalization;
using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>What KerasNet writes is read back by h5py with the walk Keras's loaders perform.</summary>
public class H5pyReadbackTests
{
    private static Sequential Trained()
    {
        var m = SavingTestUtil.SmallCnn();
        var (x, y) = SavingTestUtil.Data(6);
        m.TrainStep(new Batch(x, y));
        m.TrainStep(new Batch(x, y));
        return m;
    }

    private static JsonObject Walk(string path, string kind) =>
        JsonNode.Parse(Oracle.RunPythonScript("saving_h5_walk.py", path, kind))!.AsObject();

    private static void AssertArray(JsonNode? stored, float[] expected, int[] shape, string what)
    {
        Assert.Equal(shape, stored!["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray());
        Assert.Equal("float32", stored["dtype"]!.GetValue<string>());
        var values = stored["values"]!.AsArray().Select(v => (float)double.Parse(v!.GetValue<string>(), CultureInfo.InvariantCulture)).ToArray();
        SavingTestUtil.AssertBitEqual(expected, values, what);
    }

    private static void AssertLegacyLayers(JsonObject walk, Sequential m)
    {
        var layers = walk["layers"]!.AsArray();
        Assert.Equal(m.Layers.Select(l => l.Name), layers.Select(l => l!["name"]!.GetValue<string>()));
        for (int i = 0; i < m.Layers.Count; i++)
        {
            var l = m.Layers[i];
            Assert.Equal(l.Weights.Select(w => w.FullName), layers[i]!["weight_names"]!.AsArray().Select(n => n!.GetValue<string>()));
            for (int j = 0; j < l.Weights.Count; j++)
                AssertArray(layers[i]!["weights"]![j], l.Weights[j].Value.ToArray(), l.Weights[j].Shape, l.Weights[j].FullName);
        }
    }

    [SkippableFact]
    public void FullModelH5PassesKerasLoaderWalk()
    {
        Oracle.RequirePython("h5py");
        var m = Trained();
        var path = Path.Combine(Oracle.TempDir(), "model.h5");
        m.Save(path);
        var walk = Walk(path, "legacy");

        Assert.Equal("2.4.0", walk["attrs"]!["keras_version"]!.GetValue<string>());
        Assert.Equal("tensorflow", walk["attrs"]!["backend"]!.GetValue<string>());
        Assert.Equal("2.4.0", walk["weights_keras_version"]!.GetValue<string>());
        var config = walk["model_config"]!;
        Assert.Equal("Sequential", config["class_name"]!.GetValue<string>());
        Assert.Equal(["InputLayer", "Conv2D", "MaxPooling2D", "Conv2D", "Activation", "Flatten", "Dropout", "Dense", "Dense"],
            config["config"]!["layers"]!.AsArray().Select(l => l!["class_name"]!.GetValue<string>()));
        var tc = walk["training_config"]!;
        Assert.Equal("categorical_crossentropy", tc["loss"]!.GetValue<string>());
        Assert.Equal("Adam", tc["optimizer_config"]!["class_name"]!.GetValue<string>());
        AssertLegacyLayers(walk, m);

        // Adam/iter:0 (int64 scalar), then every variable's m, then every v, as tf.keras 2.4.
        var opt = walk["optimizer"]!.AsArray();
        var vars = m.TrainableWeights;
        Assert.Equal(1 + 2 * vars.Count, opt.Count);
        Assert.Equal("Adam/iter:0", opt[0]!["name"]!.GetValue<string>());
        Assert.Equal("int64", opt[0]!["dtype"]!.GetValue<string>());
        Assert.Equal(2.0, double.Parse(opt[0]!["values"]![0]!.GetValue<string>(), CultureInfo.InvariantCulture));
        for (int s = 0; s < 2; s++)
            for (int i = 0; i < vars.Count; i++)
            {
                var entry = opt[1 + s * vars.Count + i]!;
                Assert.Equal($"Adam/{vars[i].LayerName}/{vars[i].Name}/{(s == 0 ? "m" : "v")}:0", entry["name"]!.GetValue<string>());
                AssertArray(entry, m.Optimizer!.SlotsOf(vars[i])[s], vars[i].Shape, entry["name"]!.GetValue<string>());
            }

        // The model_config h5py read back rebuilds the same model.
        var rebuilt = Keras.ModelFromJson(walk["attrs"]!["model_config"]!.GetValue<string>());
        Assert.Equal(m.SummaryText(), rebuilt.SummaryText());
    }

    [SkippableFact]
    public void WeightsOnlyH5PassesKerasLoaderWalk()
    {
        Oracle.RequirePython("h5py");
        var m = Trained();
        var path = Path.Combine(Oracle.TempDir(), "w.h5");
        m.SaveWeights(path);
        var walk = Walk(path, "legacy");
        Assert.Null(walk["model_config"]);
        Assert.Null(walk["optimizer"]);
        Assert.Equal("tensorflow", walk["weights_backend"]!.GetValue<string>());
        AssertLegacyLayers(walk, m);
    }

    [SkippableFact]
    public void Keras3WeightsAndArchivePassStoreWalk()
    {
        Oracle.RequirePython("h5py");
        var m = Trained();
        var dir = Oracle.TempDir();
        m.SaveWeights(Path.Combine(dir, "m.weights.h5"));
        m.Save(Path.Combine(dir, "m.keras"));
        foreach (var path in new[] { Path.Combine(dir, "m.weights.h5"), Path.Combine(dir, "m.keras") })
        {
            var walk = Walk(path, "keras3");
            var layers = walk["layers"]!.AsArray().ToDictionary(l => l!["key"]!.GetValue<string>(), l => l!.AsObject());
            string[] keys = ["conv2d", "max_pooling2d", "conv2d_1", "activation", "flatten", "dropout", "dense", "dense_1"];
            Assert.Equal(keys.Order(), layers.Keys.Order());
            for (int i = 0; i < keys.Length; i++)
            {
                var l = m.Layers[i];
                Assert.Equal(l.Name, layers[keys[i]]["name"]!.GetValue<string>());
                Assert.Equal(l.Weights.Count, layers[keys[i]]["weights"]!.AsArray().Count);
                for (int j = 0; j < l.Weights.Count; j++)
                    AssertArray(layers[keys[i]]["weights"]![j], l.Weights[j].Value.ToArray(), l.Weights[j].Shape, $"{path} {l.Name}/{j}");
            }
            Assert.Equal("adam", walk["optimizer_name"]!.GetValue<string>());
            Assert.Equal(2 + 2 * m.TrainableWeights.Count, walk["optimizer"]!.AsArray().Count);
            if (path.EndsWith(".keras"))
            {
                Assert.Equal(["metadata.json", "config.json", "model.weights.h5"], walk["entries"]!.AsArray().Select(e => e![0]!.GetValue<string>()));
                Assert.All(walk["entries"]!.AsArray(), e => Assert.Equal(0, e![1]!.GetValue<int>())); // ZIP_STORED
                var layersCfg = walk["config"]!["config"]!["layers"]!.AsArray();
                Assert.Equal("InputLayer", layersCfg[0]!["class_name"]!.GetValue<string>());
                Assert.Equal("[null,8,8,1]", layersCfg[0]!["config"]!["batch_shape"]!.ToJsonString());
                Assert.Equal("keras.layers", layersCfg[1]!["module"]!.GetValue<string>());
            }
        }
    }
}
