#nullable enable
using KerasNet.Data;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>Functional and nested models through .h5, .keras and .weights.h5: same config, weights, predictions, training.</summary>
public class FunctionalFileTests
{
    public static TheoryData<string, string> ModelsAndFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var m in FunctionalJsonTests.ModelNames)
            foreach (var f in new[] { "m.h5", "m.keras" })
                data.Add(m, f);
        return data;
    }

    [Theory]
    [MemberData(nameof(ModelsAndFiles))]
    public void SaveLoadModelKeepsConfigWeightsAndPredictions(string name, string file)
    {
        var m = FunctionalJsonTests.Build(name);
        var path = Path.Combine(Oracle.TempDir(), file);
        m.Save(path);
        var loaded = Keras.LoadModel(path);
        Assert.Equal(m.ClassName, loaded.ClassName);
        // Keras 3's form keeps no input_shape argument: a Sequential's "<first>_input" InputLayer reads back as the
        // first layer's input_shape, which the head built by its first call never had.
        var expected = name == "shared_encoder" && file.EndsWith(".keras")
            ? m.ToJson().Replace("{\"name\": \"head_dense\", \"trainable\": true, ", "{\"name\": \"head_dense\", \"trainable\": true, \"batch_input_shape\": [null, 3], ")
            : m.ToJson();
        Assert.Equal(expected, loaded.ToJson());
        SavingTestUtil.AssertBitEqual(GraphModels.AllWeights(m), GraphModels.AllWeights(loaded), "weights");
        var x = GraphModels.Inputs(m, 3);
        SavingTestUtil.AssertBitEqual(GraphModels.Predictions(m, x), GraphModels.Predictions(loaded, x), "predictions");
    }

    [Theory]
    [InlineData("two_towers", "w.h5", false)]
    [InlineData("two_towers", "w.h5", true)]
    [InlineData("two_towers", "w.weights.h5", false)]
    [InlineData("seq_in_functional", "w.h5", false)]
    [InlineData("seq_in_functional", "w.h5", true)]
    [InlineData("seq_in_functional", "w.weights.h5", false)]
    [InlineData("functional_in_seq", "w.h5", false)]
    [InlineData("functional_in_seq", "w.weights.h5", false)]
    [InlineData("shared_encoder", "w.h5", true)]
    [InlineData("shared_encoder", "w.weights.h5", false)]
    [InlineData("teachable_machine", "w.h5", false)]
    [InlineData("teachable_machine", "w.weights.h5", false)]
    public void SaveWeightsLoadWeightsRestoresEveryWeight(string name, string file, bool byName)
    {
        var m = FunctionalJsonTests.Build(name);
        var path = Path.Combine(Oracle.TempDir(), file);
        m.SaveWeights(path);
        KerasRandom.SetRandomSeed(55);
        var other = Keras.ModelFromJson(m.ToJson());
        Assert.NotEqual(GraphModels.AllWeights(m), GraphModels.AllWeights(other));
        other.LoadWeights(path, byName);
        SavingTestUtil.AssertBitEqual(GraphModels.AllWeights(m), GraphModels.AllWeights(other), "weights");
    }

    [Fact]
    public void LoadWeightsFromKerasArchiveOfNestedModel()
    {
        var m = GraphModels.TeachableMachineLike();
        var path = Path.Combine(Oracle.TempDir(), "tm.keras");
        m.Save(path);
        KerasRandom.SetRandomSeed(77);
        var other = Keras.ModelFromJson(m.ToJson());
        other.LoadWeights(path);
        SavingTestUtil.AssertBitEqual(GraphModels.AllWeights(m), GraphModels.AllWeights(other), "weights");
    }

    [Theory]
    [InlineData("two_towers", "m.h5", "adam")]
    [InlineData("two_towers", "m.keras", "rmsprop")]
    [InlineData("seq_in_functional", "m.h5", "sgd")]
    [InlineData("functional_in_seq", "m.keras", "adam")]
    [InlineData("teachable_machine", "m.h5", "adam")]
    public void TrainingResumesBitEqualAfterSaveAndLoad(string name, string file, string optimizer)
    {
        var m = name == "two_towers" ? GraphModels.TwoTowers(dropout: 0) : FunctionalJsonTests.Build(name);
        var loss = m.Outputs.Count > 1 ? new[] { "categorical_crossentropy", "mean_squared_error" } : ["categorical_crossentropy"];
        m.Compile(optimizer, loss, metrics: ["accuracy"]);
        var batch = Batch(m, seed: 1);
        m.TrainStep(batch);
        m.TrainStep(batch);
        var path = Path.Combine(Oracle.TempDir(), file);
        m.Save(path);
        var loaded = Keras.LoadModel(path);
        Assert.Equal(m.Optimizer!.GetType(), loaded.Optimizer!.GetType());
        Assert.Equal(2, loaded.Optimizer.Iterations);
        Assert.Equal(m.LossSpec.Select(l => l.Name), loaded.LossSpec.Select(l => l.Name));
        foreach (var model in new[] { m, loaded })
        {
            model.TrainStep(Batch(m, seed: 2));
            model.TrainStep(batch);
        }
        SavingTestUtil.AssertBitEqual(GraphModels.AllWeights(m), GraphModels.AllWeights(loaded), "weights after 2 more steps");
        Assert.NotEqual(GraphModels.AllWeights(Keras.LoadModel(path)), GraphModels.AllWeights(loaded));
    }

    private static Batch Batch(Model m, int seed)
    {
        var x = GraphModels.Inputs(m, 6, seed);
        var y = GraphModels.Targets(m, 6, seed + 100);
        return new Batch(x, y);
    }

    [Fact]
    public void FrozenNestedModelKeepsItsFlagAndWeightOrder()
    {
        var m = GraphModels.SequentialInFunctional();
        m.GetLayer("encoder").Trainable = false;
        var path = Path.Combine(Oracle.TempDir(), "frozen.h5");
        m.Save(path);
        var loaded = Keras.LoadModel(path);
        Assert.DoesNotContain(((Model)loaded.GetLayer("encoder")).Layers, l => l.Trainable);
        Assert.Equal(2, loaded.TrainableWeights.Count); // only the head
        SavingTestUtil.AssertBitEqual(GraphModels.AllWeights(m), GraphModels.AllWeights(loaded), "weights");
    }

    [Fact]
    public void EveryMarkedLayerClassIsRegisteredAndRegisterStillAdds()
    {
        var marked = typeof(Layer).Assembly.GetTypes()
            .SelectMany(t => (t.GetCustomAttributes(typeof(KerasLayerAttribute), false).SingleOrDefault() as KerasLayerAttribute)?.ClassNames ?? [])
            .ToList();
        Assert.Superset(new HashSet<string> { "Conv2D", "Convolution2D", "Dense", "Dropout", "Activation", "Flatten", "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D" }, marked.ToHashSet());
        Assert.Superset(marked.ToHashSet(), LayerRegistry.ClassNames.ToHashSet());
        LayerRegistry.Register("IdentityForTest", c => new Activation("linear", name: c.Name));
        var json = Keras24Text.SequentialInFunctional().Replace("\"class_name\": \"Dense\", \"config\": {\"name\": \"head\"", "\"class_name\": \"IdentityForTest\", \"config\": {\"name\": \"head\"");
        Assert.IsType<Activation>(Keras.ModelFromJson(json).GetLayer("head"));
    }

    [Fact]
    public void ConfigDeclaringMoreWeightsThanTheFileIsRefused()
    {
        var m = GraphModels.SequentialInFunctional();
        var path = Path.Combine(Oracle.TempDir(), "m.keras");
        m.Save(path);
        // A config alone may declare up to 2^29 weights; a file's config no more than the file can hold.
        var archive = SavingTestUtil.WriteArchive(Path.Combine(Oracle.TempDir(), "big.keras"),
            ("metadata.json", SavingTestUtil.ReadEntry(path, "metadata.json")),
            ("config.json", System.Text.Encoding.UTF8.GetBytes(SavingTestUtil.ReadConfig(path).Replace("\"units\": 4,", "\"units\": 400000,"))),
            ("model.weights.h5", SavingTestUtil.ReadEntry(path, "model.weights.h5")));
        var e = Assert.ThrowsAny<ModelConfigException>(() => Keras.LoadModel(archive));
        Assert.Contains("'enc_dense'", e.Message);
        Assert.Contains("weights than the file", e.Message);
    }
}
