#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Optimizers;

/// <summary>
/// Training resumed from a file is bit-identical to training that never stopped, for every optimizer: train N steps,
/// save (.h5 with tf.keras 2.4's optimizer_weights, .keras with Keras 3's optimizer vars), load, train M more; against
/// N + M steps of one run. The optimizer comes back from training_config / compile_config, its state from the file.
/// </summary>
public class OptimizerResumeTests
{
    private const int N = 3, M = 3;

    // (label, Keras class name, config)
    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        (string, string, string)[] cases =
        [
            ("sgd", "SGD", "{}"),
            ("sgd-nesterov-schedule", "SGD", """{"learning_rate":{"class_name":"ExponentialDecay","config":{"initial_learning_rate":0.1,"decay_steps":2,"decay_rate":0.5,"staircase":true,"name":null}},"momentum":0.9,"nesterov":true}"""),
            ("rmsprop", "RMSprop", "{}"),
            ("rmsprop-centered-momentum", "RMSprop", """{"momentum":0.5,"centered":true,"clipvalue":0.1}"""),
            ("adam", "Adam", "{}"),
            ("adam-amsgrad-clipnorm", "Adam", """{"amsgrad":true,"clipnorm":0.1}"""),
            ("adamw-cosine", "AdamW", """{"learning_rate":{"class_name":"CosineDecay","config":{"initial_learning_rate":0.001,"decay_steps":4,"alpha":0.0,"warmup_target":0.01,"warmup_steps":2,"name":null}}}"""),
            ("adamax", "Adamax", "{}"),
            ("nadam", "Nadam", "{}"),
            ("adagrad-global-clipnorm", "Adagrad", """{"learning_rate":0.05,"global_clipnorm":0.5}"""),
            ("adadelta", "Adadelta", """{"learning_rate":1.0}"""),
            ("ftrl", "Ftrl", """{"learning_rate":0.05,"l1_regularization_strength":0.001,"l2_shrinkage_regularization_strength":0.01}"""),
            ("sgd-weight-decay-polynomial", "SGD", """{"learning_rate":{"class_name":"PolynomialDecay","config":{"initial_learning_rate":0.1,"decay_steps":3,"end_learning_rate":0.01,"power":2.0,"cycle":true,"name":null}},"weight_decay":0.01}"""),
        ];
        foreach (var (label, cls, cfg) in cases)
            foreach (var file in new[] { "m.h5", "m.keras" })
                data.Add($"{label}:{file}", cls, cfg);
        return data;
    }

    internal static Optimizer Make(string cls, string cfg) =>
        OptimizerConfig.Read(new JsonObject { ["class_name"] = cls, ["config"] = JsonNode.Parse(cfg) }, "test");

    /// <summary>A small CNN whose Dense layers take the fused update path, compiled with the given optimizer.</summary>
    internal static Sequential BuildModel(Optimizer opt)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(4321);
        var m = new Sequential();
        m.Add(new Conv2D(3, (3, 3), inputShape: (8, 8, 1), activation: "relu"));
        m.Add(new Flatten());
        m.Add(new Dense(9, activation: "relu"));
        m.Add(new Dense(3, activation: "softmax"));
        m.Compile(opt, "categorical_crossentropy", ["accuracy"]);
        return m;
    }

    private static void Train(Model m, int from, int count)
    {
        for (int s = from; s < from + count; s++)
        {
            var (x, y) = SavingTestUtil.Data(5, seed: 100 + s);
            m.TrainStep(new Batch(x, y));
        }
    }

    private static float[] Slots(Model m) => m.TrainableWeights.SelectMany(v => m.Optimizer!.SlotsOf(v).SelectMany(a => a)).ToArray();

    [Theory]
    [MemberData(nameof(Cases))]
    public void ResumedTrainingIsBitIdenticalToUninterrupted(string label, string cls, string cfg)
    {
        string file = label[(label.IndexOf(':') + 1)..];
        var straight = BuildModel(Make(cls, cfg));
        Train(straight, 0, N + M);

        var first = BuildModel(Make(cls, cfg));
        Train(first, 0, N);
        var path = Path.Combine(Oracle.TempDir(), file);
        first.Save(path);
        var resumed = Keras.LoadModel(path);
        var atSave = SavingTestUtil.AllWeights(resumed);
        Assert.Equal(first.Optimizer!.GetType(), resumed.Optimizer!.GetType());
        Assert.Equal(N, resumed.Optimizer.Iterations);
        Assert.Equal(OptimizerConfig.Write(first.Optimizer).ToJsonString(), OptimizerConfig.Write(resumed.Optimizer).ToJsonString());
        Assert.Equal(first.Optimizer.CurrentLearningRate, resumed.Optimizer.CurrentLearningRate);
        Train(resumed, N, M);

        Assert.Equal(N + M, resumed.Optimizer.Iterations);
        SavingTestUtil.AssertBitEqual(SavingTestUtil.AllWeights(straight), SavingTestUtil.AllWeights(resumed), $"{label} weights");
        SavingTestUtil.AssertBitEqual(Slots(straight), Slots(resumed), $"{label} optimizer slots");
        // The M steps after loading moved the weights, so the equality above is not vacuous.
        Assert.NotEqual(atSave, SavingTestUtil.AllWeights(resumed));
    }

    [Fact]
    public void WithoutTheStateTheResumedRunDiffers()
    {
        // The control for the test above: the same config loaded without its slots (a fresh optimizer) drifts.
        var straight = BuildModel(new Adam(0.01));
        Train(straight, 0, N + M);
        var first = BuildModel(new Adam(0.01));
        Train(first, 0, N);
        var fresh = BuildModel(new Adam(0.01));
        for (int i = 0; i < first.Weights.Count; i++) fresh.Weights[i].Assign(first.Weights[i].Value.Span);
        fresh.Optimizer!.Iterations = N;
        Train(fresh, N, M);
        Assert.NotEqual(SavingTestUtil.AllWeights(straight), SavingTestUtil.AllWeights(fresh));
    }
}
