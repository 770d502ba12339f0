#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>Every real Keras file in the fixtures folder loads and predicts its recorded outputs.</summary>
public class FixtureTests
{
    public static IEnumerable<object[]> Models()
    {
        var dir = Oracle.FixturesDir;
        var manifest = dir == null ? null : Path.Combine(dir, "manifest.json");
        if (manifest == null || !File.Exists(manifest)) { yield return ["(fixtures missing)"]; yield break; }
        foreach (var f in JsonNode.Parse(File.ReadAllText(manifest))!["files"]!.AsArray())
            yield return [f!["model"]!.GetValue<string>()];
    }

    private static JsonObject Entry(string dir, string model) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")))!["files"]!.AsArray()
            .Select(f => f!.AsObject()).Single(f => f["model"]!.GetValue<string>() == model);

    /// <summary>Loads a fixture as its author would: load_model, or model_from_json + load_weights.</summary>
    internal static Model Load(string dir, JsonObject entry)
    {
        string path = Path.Combine(dir, entry["model"]!.GetValue<string>());
        if (entry["config"] is JsonValue config)
        {
            var model = Keras.ModelFromJson(SavingTestUtil.ReadConfig(Path.Combine(dir, config.GetValue<string>())));
            model.LoadWeights(path);
            return model;
        }
        return Keras.LoadModel(path);
    }

    [SkippableTheory]
    [MemberData(nameof(Models))]
    public void FixturePredictsRecordedOutputs(string model)
    {
        var dir = Oracle.RequireFixtures();
        var entry = Entry(dir, model);
        var warnings = new List<string>();
        var saved = Keras.Warning;
        Keras.Warning = warnings.Add;
        Model m;
        try { m = Load(dir, entry); }
        finally { Keras.Warning = saved; }
        Assert.Empty(warnings); // every fixture's training config and optimizer state are understood
        var x = Npy.Load(Path.Combine(dir, entry["input"]!.GetValue<string>()));
        var expected = Npy.Load(Path.Combine(dir, entry["expected"]!.GetValue<string>()));
        var y = m.Predict(x);
        SavingTestUtil.AssertClose(expected, y, 1e-4, model);
        Assert.Equal(entry["layers"]!.AsArray().Count, m.Layers.Count);
    }

    [SkippableFact]
    public void Keras24FileComesBackCompiledWithAdamState()
    {
        var dir = Oracle.RequireFixtures();
        Oracle.RequirePython("h5py");
        string path = Path.Combine(dir, "binhgo_Learn-AI__mnist_cnn.h5");
        // h5py reads the stored state independently of PureHDF.
        var py = Oracle.RunPythonCode(
            "import h5py,sys; g=h5py.File(sys.argv[1],'r')['optimizer_weights'];" +
            "print(int(g['Adam/iter:0'][()])); print(repr(float(g['Adam/dense/kernel/v:0'][5,3])))", path).Split('\n');
        var m = Keras.LoadModel(path);
        var adam = Assert.IsType<Adam>(m.Optimizer);
        Assert.Equal(long.Parse(py[0]), adam.Iterations);
        Assert.Equal(0.001, adam.LearningRate, 6);
        var kernel = m.GetLayer("dense").Weights[0];
        Assert.Equal(float.Parse(py[1], System.Globalization.CultureInfo.InvariantCulture), adam.SlotsOf(kernel)[1][5 * 10 + 3]);
        Assert.Equal("categorical_crossentropy", m.Loss!.Name);
        Assert.Equal(["accuracy"], m.MetricNames);
    }

    [SkippableFact]
    public void Keras3ArchiveRestoresOptimizerVariables()
    {
        var dir = Oracle.RequireFixtures();
        var m = Keras.LoadModel(Path.Combine(dir, "CypherHK_MLS_A11__mnist_cnn_model.keras"));
        var adam = Assert.IsType<Adam>(m.Optimizer);
        Assert.Equal(9375, adam.Iterations);
        Assert.Contains(m.TrainableWeights, v => adam.HasSlots(v) && adam.SlotsOf(v)[1].Any(s => s != 0));
    }
}
