using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Losses;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Losses;

/// <summary>Loss names and aliases at Compile, and the losses in training_config (.h5) and compile_config (.keras).</summary>
public class LossConfigTests
{
    [Theory]
    [InlineData("mse", typeof(MeanSquaredError))]
    [InlineData("MSE", typeof(MeanSquaredError))]
    [InlineData("mae", typeof(MeanAbsoluteError))]
    [InlineData("mape", typeof(MeanAbsolutePercentageError))]
    [InlineData("msle", typeof(MeanSquaredLogarithmicError))]
    [InlineData("huber", typeof(Huber))]
    [InlineData("huber_loss", typeof(Huber))]
    [InlineData("logcosh", typeof(LogCosh))]
    [InlineData("log_cosh", typeof(LogCosh))]
    [InlineData("hinge", typeof(Hinge))]
    [InlineData("squared_hinge", typeof(SquaredHinge))]
    [InlineData("categorical_hinge", typeof(CategoricalHinge))]
    [InlineData("kld", typeof(KLDivergence))]
    [InlineData("kullback_leibler_divergence", typeof(KLDivergence))]
    [InlineData("KLDivergence", typeof(KLDivergence))]
    [InlineData("poisson", typeof(Poisson))]
    [InlineData("cosine_similarity", typeof(CosineSimilarity))]
    [InlineData("binary_crossentropy", typeof(BinaryCrossentropy))]
    [InlineData("sparse_categorical_crossentropy", typeof(SparseCategoricalCrossentropy))]
    public void NamesAndAliasesResolveAndAreSavedAsGiven(string name, Type type)
    {
        var m = Small();
        m.Compile("sgd", name);
        Assert.IsType(type, m.Loss);
        Assert.Equal(name, TrainingConfig.Keras2(m)!["loss"]!.GetValue<string>());
        Assert.Equal(name, TrainingConfig.Keras3(m)!["loss"]!.GetValue<string>());
    }

    [Fact]
    public void AnUnknownNameIsRefusedListingTheKnownOnes()
    {
        var ex = Assert.Throws<KerasNetException>(() => Small().Compile("sgd", "hinge2"));
        Assert.Contains("huber", ex.Message);
        Assert.Contains("kullback_leibler_divergence", ex.Message);
    }

    [Fact]
    public void LossObjectsAreSavedAsKeras2AndKeras3WriteThem()
    {
        var m = Small();
        m.Compile(new SGD(), new CategoricalCrossentropy(fromLogits: true, labelSmoothing: 0.1));
        // tf.keras 2.4: {class_name, config}; its CategoricalCrossentropy has no axis argument.
        Assert.Equal("""{"class_name":"CategoricalCrossentropy","config":{"reduction":"sum_over_batch_size","name":"categorical_crossentropy","from_logits":true,"label_smoothing":0.1}}""",
            TrainingConfig.Keras2(m)!["loss"]!.ToJsonString());
        Assert.Equal("""{"module":"keras.losses","class_name":"CategoricalCrossentropy","config":{"reduction":"sum_over_batch_size","name":"categorical_crossentropy","from_logits":true,"label_smoothing":0.1,"axis":-1},"registered_name":null}""",
            TrainingConfig.Keras3(m)!["loss"]!.ToJsonString());
        m.Compile(new SGD(), new Huber(2.5, name: "h"));
        Assert.Equal("""{"class_name":"Huber","config":{"reduction":"sum_over_batch_size","name":"h","delta":2.5}}""", TrainingConfig.Keras2(m)!["loss"]!.ToJsonString());
    }

    [Theory]
    [InlineData("model.h5")]
    [InlineData("model.keras")]
    public void LossObjectsSurviveSaveAndLoad(string file)
    {
        var m = Small();
        m.Compile(new SGD(), new Huber(0.25, reduction: "sum"));
        m.TrainStep(new KerasNet.Data.Batch(new KerasNet.Engine.Tensor(2, 3), new KerasNet.Engine.Tensor(2, 2)));
        var path = Path.Combine(Oracle.TempDir(), file);
        m.Save(path);
        var back = Keras.LoadModel(path);
        var h = Assert.IsType<Huber>(back.Loss);
        Assert.Equal(0.25, h.Delta);
        Assert.Equal("sum", h.Reduction);
    }

    [Fact]
    public void KerasWrittenConfigsAreRead()
    {
        JsonObject Config(JsonNode loss) => new()
        {
            ["optimizer_config"] = new JsonObject { ["class_name"] = "SGD", ["config"] = new JsonObject { ["learning_rate"] = 0.01 } },
            ["loss"] = loss,
        };
        var m = Small();
        // Keras 3's serialize_keras_object of a loss object.
        Assert.True(TrainingConfig.Apply(m, Config(JsonNode.Parse("""{"module":"keras.losses","class_name":"BinaryCrossentropy","config":{"name":"bce","reduction":"sum","from_logits":true,"label_smoothing":0.2,"axis":-1},"registered_name":null}""")!), "test"));
        var bce = Assert.IsType<BinaryCrossentropy>(m.Loss);
        Assert.True(bce.FromLogits);
        Assert.Equal(0.2, bce.LabelSmoothing);
        Assert.Equal(("bce", "sum"), (bce.Name, bce.Reduction));
        // tf.keras 2.4's object form with reduction "auto", and Keras 3's function form.
        Assert.True(TrainingConfig.Apply(m, Config(JsonNode.Parse("""{"class_name":"CosineSimilarity","config":{"reduction":"auto","name":"cosine_similarity","axis":-1}}""")!), "test"));
        Assert.IsType<CosineSimilarity>(m.Loss);
        Assert.True(TrainingConfig.Apply(m, Config(JsonNode.Parse("""{"module":"keras.losses","class_name":"function","config":"log_cosh","registered_name":"function"}""")!), "test"));
        Assert.IsType<LogCosh>(m.Loss);
        // Reduction "none" cannot train: the model loads uncompiled, with a warning.
        var fresh = Small();
        Assert.False(TrainingConfig.Apply(fresh, Config(JsonNode.Parse("""{"class_name":"MeanSquaredError","config":{"reduction":"none","name":"mse"}}""")!), "test"));
        Assert.False(fresh.IsCompiled);
    }

    [Fact]
    public void ArgumentsAreChecked()
    {
        Assert.Throws<KerasNetException>(() => new Huber(0));
        Assert.Throws<KerasNetException>(() => new CategoricalCrossentropy(labelSmoothing: 1.5));
        Assert.Contains("axis", Assert.Throws<KerasNetException>(() => new CosineSimilarity(axis: 0)).Message);
        Assert.Contains("label_smoothing", Assert.Throws<KerasNetException>(() => new CategoricalCrossentropy(labelSmoothing: 0.1, axis: 1)).Message);
        Assert.Throws<KerasNetException>(() => Loss.FromConfig("SparseCategoricalCrossentropy", JsonNode.Parse("""{"ignore_class":0}""")!.AsObject()));
    }

    private static Sequential Small()
    {
        var m = new Sequential();
        m.Add(new Dense(2, inputShape: 3));
        return m;
    }
}
