#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Data;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Optimizers;

/// <summary>
/// Optimizer names and defaults at Compile, configs in training_config / compile_config exactly as tf.keras 2.4 writes
/// them (hand-written from its get_config, hyperparameters widened from float32), Keras 3 configs read, and
/// optimizer_weights laid out in tf.keras 2.4's names and order (read back with h5py).
/// </summary>
public class OptimizerConfigTests
{
    // (Keras name, the optimizer_config tf.keras 2.4 saves for it after training)
    public static TheoryData<string, string> Defaults => new()
    {
        { "sgd", """{"class_name":"SGD","config":{"name":"SGD","learning_rate":0.009999999776482582,"decay":0.0,"momentum":0.0,"nesterov":false}}""" },
        { "rmsprop", """{"class_name":"RMSprop","config":{"name":"RMSprop","learning_rate":0.0010000000474974513,"decay":0.0,"rho":0.8999999761581421,"momentum":0.0,"epsilon":1e-07,"centered":false}}""" },
        { "adam", """{"class_name":"Adam","config":{"name":"Adam","learning_rate":0.0010000000474974513,"decay":0.0,"beta_1":0.8999999761581421,"beta_2":0.9990000128746033,"epsilon":1e-07,"amsgrad":false}}""" },
        { "adamax", """{"class_name":"Adamax","config":{"name":"Adamax","learning_rate":0.0010000000474974513,"decay":0.0,"beta_1":0.8999999761581421,"beta_2":0.9990000128746033,"epsilon":1e-07}}""" },
        { "nadam", """{"class_name":"Nadam","config":{"name":"Nadam","learning_rate":0.0010000000474974513,"decay":0.004,"beta_1":0.8999999761581421,"beta_2":0.9990000128746033,"epsilon":1e-07}}""" },
        { "adagrad", """{"class_name":"Adagrad","config":{"name":"Adagrad","learning_rate":0.0010000000474974513,"decay":0.0,"initial_accumulator_value":0.1,"epsilon":1e-07}}""" },
        { "adadelta", """{"class_name":"Adadelta","config":{"name":"Adadelta","learning_rate":0.0010000000474974513,"decay":0.0,"rho":0.949999988079071,"epsilon":1e-07}}""" },
        { "ftrl", """{"class_name":"Ftrl","config":{"name":"Ftrl","learning_rate":0.0010000000474974513,"decay":0.0,"initial_accumulator_value":0.1,"learning_rate_power":-0.5,"l1_regularization_strength":0.0,"l2_regularization_strength":0.0,"beta":0.0,"l2_shrinkage_regularization_strength":0.0}}""" },
        // Keras 3's AdamW (tf.keras 2.4 has none).
        { "adamw", """{"class_name":"AdamW","config":{"name":"adamw","learning_rate":0.0010000000474974513,"weight_decay":0.004,"clipnorm":null,"global_clipnorm":null,"clipvalue":null,"use_ema":false,"ema_momentum":0.99,"ema_overwrite_frequency":null,"loss_scale_factor":null,"gradient_accumulation_steps":null,"beta_1":0.9,"beta_2":0.999,"epsilon":1e-07,"amsgrad":false}}""" },
    };

    private static Sequential Trained(Optimizer opt)
    {
        var m = OptimizerResumeTests.BuildModel(opt);
        var (x, y) = SavingTestUtil.Data(4);
        m.TrainStep(new Batch(x, y));
        return m;
    }

    [SkippableTheory]
    [MemberData(nameof(Defaults))]
    public void TrainingConfigHoldsTfKeras24sOptimizerConfig(string name, string expected)
    {
        Oracle.RequirePython("h5py");
        var m = Trained(Optimizer.Get(name));
        var dir = Oracle.TempDir();
        m.Save(Path.Combine(dir, "m.h5"));
        var walk = JsonNode.Parse(Oracle.RunPythonScript("saving_h5_walk.py", Path.Combine(dir, "m.h5"), "legacy"))!;
        AssertSameJson(JsonNode.Parse(expected), walk["training_config"]!["optimizer_config"], name);

        // compile_config in a .keras archive holds the same class and config (Keras 3 wraps it with module/registered_name).
        m.Save(Path.Combine(dir, "m.keras"));
        var config = JsonNode.Parse(SavingTestUtil.ReadEntry(Path.Combine(dir, "m.keras"), "config.json"))!;
        var opt = config["compile_config"]!["optimizer"]!;
        Assert.Equal("keras.optimizers", opt["module"]!.GetValue<string>());
        AssertSameJson(JsonNode.Parse(expected)!["config"], opt["config"], name + " compile_config");

        // Both come back as the same optimizer.
        foreach (var file in new[] { "m.h5", "m.keras" })
        {
            var back = Keras.LoadModel(Path.Combine(dir, file)).Optimizer!;
            Assert.Equal(m.Optimizer!.GetType(), back.GetType());
            Assert.Equal(OptimizerConfig.Write(m.Optimizer).ToJsonString(), OptimizerConfig.Write(back).ToJsonString());
        }
    }

    [Fact]
    public void ClippingArgumentsFollowTheName()
    {
        var c = OptimizerConfig.Write(new SGD(0.1) { Clipnorm = 1.0, Clipvalue = 0.5 })["config"]!;
        Assert.Equal(["name", "clipnorm", "clipvalue", "learning_rate", "decay", "momentum", "nesterov"], c.AsObject().Select(p => p.Key));
        var g = OptimizerConfig.Write(new Adam() { GlobalClipnorm = 2.0 })["config"]!;
        Assert.Equal(2.0, g["global_clipnorm"]!.GetValue<double>());
        Assert.Throws<KerasNetException>(() => new Adam() { Clipnorm = 1, GlobalClipnorm = 1 });
        Assert.Throws<KerasNetException>(() => new SGD() { Clipvalue = -1 });
    }

    [Theory]
    [InlineData("SGD", typeof(SGD))]
    [InlineData("rmsprop", typeof(RMSprop))]
    [InlineData("Adam", typeof(Adam))]
    [InlineData("adamw", typeof(AdamW))]
    [InlineData("ADAMAX", typeof(Adamax))]
    [InlineData("nadam", typeof(Nadam))]
    [InlineData("Adagrad", typeof(Adagrad))]
    [InlineData("adadelta", typeof(Adadelta))]
    [InlineData("ftrl", typeof(Ftrl))]
    public void CompileTakesEveryKerasName(string name, Type type)
    {
        var m = OptimizerResumeTests.BuildModel(new SGD());
        m.Compile(optimizer: name, loss: "categorical_crossentropy");
        Assert.IsType(type, m.Optimizer);
    }

    [Fact]
    public void UnknownNamesAndKeras3OnlyOptionsAreRefused()
    {
        var m = OptimizerResumeTests.BuildModel(new SGD());
        var e = Assert.Throws<KerasNetException>(() => m.Compile(optimizer: "lion", loss: "categorical_crossentropy"));
        foreach (var known in Optimizer.KnownNames) Assert.Contains(known, e.Message);
        e = Assert.Throws<KerasNetException>(() => OptimizerConfig.Read(JsonNode.Parse("""{"class_name":"Adam","config":{"use_ema":true}}""")!.AsObject(), "f"));
        Assert.Contains("use_ema", e.Message);
        e = Assert.Throws<KerasNetException>(() => OptimizerConfig.Read(JsonNode.Parse("""{"class_name":"SGD","config":{"gradient_accumulation_steps":4}}""")!.AsObject(), "f"));
        Assert.Contains("gradient_accumulation_steps", e.Message);
        e = Assert.Throws<KerasNetException>(() => OptimizerConfig.Read(JsonNode.Parse("""{"class_name":"Lion","config":{}}""")!.AsObject(), "f"));
        Assert.Contains("Ftrl", e.Message);
    }

    [Fact]
    public void Keras3ConfigsAreRead()
    {
        // Keras 3 writes every base argument (null when unset) and its own names; KerasNet keeps what it runs.
        var k3 = JsonNode.Parse("""{"class_name":"RMSprop","config":{"name":"rmsprop","learning_rate":0.01,"weight_decay":0.001,"clipnorm":null,"global_clipnorm":1.5,"clipvalue":null,"use_ema":false,"ema_momentum":0.99,"ema_overwrite_frequency":null,"loss_scale_factor":null,"gradient_accumulation_steps":null,"rho":0.8,"momentum":0.1,"epsilon":1e-07,"centered":true}}""")!.AsObject();
        var r = Assert.IsType<RMSprop>(OptimizerConfig.Read(k3, "f"));
        Assert.Equal((0.01, 0.8, 0.1, true, 1.5, 0.001), (r.LearningRate, r.Rho, r.Momentum, r.Centered, r.GlobalClipnorm!.Value, r.WeightDecay!.Value));
        Assert.Null(r.Clipnorm);
        var f = Assert.IsType<Ftrl>(OptimizerConfig.Read(JsonNode.Parse("""{"class_name":"Custom>Ftrl","config":{"learning_rate":0.1,"learning_rate_power":-0.6,"initial_accumulator_value":0.2,"l1_regularization_strength":0.3,"l2_regularization_strength":0.4,"l2_shrinkage_regularization_strength":0.5,"beta":0.6}}""")!.AsObject(), "f"));
        Assert.Equal((-0.6, 0.2, 0.3, 0.4, 0.5, 0.6), (f.LearningRatePower, f.InitialAccumulatorValue, f.L1RegularizationStrength, f.L2RegularizationStrength, f.L2ShrinkageRegularizationStrength, f.Beta));
    }

    // (optimizer, the weight_names tf.keras 2.4 writes for a model of one conv2d and two dense layers, in its order)
    public static TheoryData<string, string[]> Layouts => new()
    {
        { "nadam", ["Nadam/iter:0", "Nadam/momentum_cache:0", "*/m", "*/v"] },
        { "ftrl", ["Ftrl/iter:0", "*/accumulator+linear"] },
        { "adadelta", ["Adadelta/iter:0", "*/accum_grad", "*/accum_var"] },
        { "adamax", ["Adamax/iter:0", "*/m", "*/v"] },
        { "adagrad", ["Adagrad/iter:0", "*/accumulator"] },
    };

    [SkippableTheory]
    [MemberData(nameof(Layouts))]
    public void OptimizerWeightsFollowTfKeras24sNamesAndOrder(string name, string[] pattern)
    {
        Oracle.RequirePython("h5py");
        var m = Trained(Optimizer.Get(name));
        var path = Path.Combine(Oracle.TempDir(), "m.h5");
        m.Save(path);
        var walk = JsonNode.Parse(Oracle.RunPythonScript("saving_h5_walk.py", path, "legacy"))!;
        var names = walk["optimizer"]!.AsArray().Select(o => o!["name"]!.GetValue<string>()).ToList();
        string cls = m.Optimizer!.ClassName;
        var expected = new List<string>();
        foreach (var p in pattern)
        {
            if (!p.StartsWith("*/", StringComparison.Ordinal)) { expected.Add(p); continue; }
            var slots = p[2..].Split('+');
            foreach (var v in m.TrainableWeights)
                foreach (var s in slots) expected.Add($"{cls}/{v.LayerName}/{v.Name}/{s}:0");
        }
        Assert.Equal(expected, names);
        Assert.Equal("int64", walk["optimizer"]![0]!["dtype"]!.GetValue<string>());
        if (name == "nadam")
        {
            // momentum_cache after one step: b1 (1 - 0.5 * 0.96^0.004), a float32 scalar.
            var cache = walk["optimizer"]![1]!;
            Assert.Equal("float32", cache["dtype"]!.GetValue<string>());
            float expectedCache = 0.9f * (1f - 0.5f * MathF.Pow(0.96f, 0.004f));
            Assert.Equal(expectedCache, float.Parse(cache["values"]![0]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    internal static void AssertSameJson(JsonNode? expected, JsonNode? actual, string what)
    {
        switch (expected)
        {
            case JsonObject eo:
                var ao = Assert.IsType<JsonObject>(actual);
                Assert.True(eo.Select(p => p.Key).SequenceEqual(ao.Select(p => p.Key)),
                    $"{what}: keys {string.Join(",", ao.Select(p => p.Key))}, expected {string.Join(",", eo.Select(p => p.Key))}");
                foreach (var (k, v) in eo) AssertSameJson(v, ao[k], $"{what}.{k}");
                break;
            case JsonArray ea:
                var aa = Assert.IsType<JsonArray>(actual);
                Assert.Equal(ea.Count, aa.Count);
                for (int i = 0; i < ea.Count; i++) AssertSameJson(ea[i], aa[i], $"{what}[{i}]");
                break;
            case null:
                Assert.True(actual is null, $"{what}: {actual?.ToJsonString()} instead of null");
                break;
            case JsonValue ev when ev.GetValueKind() == JsonValueKind.Number:
                Assert.True(actual is JsonValue av && av.GetValueKind() == JsonValueKind.Number && av.GetValue<double>() == ev.GetValue<double>(),
                    $"{what}: {actual?.ToJsonString()} instead of {ev.ToJsonString()}");
                break;
            default:
                Assert.True(JsonNode.DeepEquals(expected, actual), $"{what}: {actual?.ToJsonString()} instead of {expected.ToJsonString()}");
                break;
        }
    }
}
