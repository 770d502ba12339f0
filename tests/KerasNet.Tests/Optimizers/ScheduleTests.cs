#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Optimizers;
using KerasNet.Optimizers.Schedules;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Optimizers;

/// <summary>
/// Learning-rate schedules against the numpy transcription of tf.keras 2.4's learning_rate_schedule.py (CosineDecay's
/// warmup as Keras 3), their configs as Keras writes them, and their round trip through a saved optimizer.
/// </summary>
public class ScheduleTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // (label, config as tf.keras writes it, exact): all bit-exact against the transcription (pow/cos/log from libm on both sides).
    public static TheoryData<string, string, bool> Cases => new()
    {
        { "exponential", """{"class_name":"ExponentialDecay","config":{"initial_learning_rate":0.1,"decay_steps":7,"decay_rate":0.9,"staircase":false,"name":null}}""", true },
        { "exponential-staircase", """{"class_name":"ExponentialDecay","config":{"initial_learning_rate":0.1,"decay_steps":7,"decay_rate":0.5,"staircase":true,"name":"ed"}}""", true },
        { "piecewise", """{"class_name":"PiecewiseConstantDecay","config":{"boundaries":[10,25,60],"values":[1.0,0.5,0.1,0.01],"name":null}}""", true },
        { "inverse-time", """{"class_name":"InverseTimeDecay","config":{"initial_learning_rate":0.1,"decay_steps":3,"decay_rate":0.5,"staircase":false,"name":null}}""", true },
        { "inverse-time-staircase", """{"class_name":"InverseTimeDecay","config":{"initial_learning_rate":0.1,"decay_steps":3,"decay_rate":0.5,"staircase":true,"name":null}}""", true },
        { "polynomial", """{"class_name":"PolynomialDecay","config":{"initial_learning_rate":0.1,"decay_steps":40,"end_learning_rate":0.001,"power":1.0,"cycle":false,"name":null}}""", true },
        { "polynomial-cycle", """{"class_name":"PolynomialDecay","config":{"initial_learning_rate":0.1,"decay_steps":30,"end_learning_rate":0.001,"power":2.0,"cycle":true,"name":null}}""", true },
        { "cosine", """{"class_name":"CosineDecay","config":{"initial_learning_rate":0.1,"decay_steps":50,"alpha":0.1,"name":null}}""", true },
        { "cosine-warmup", """{"class_name":"CosineDecay","config":{"initial_learning_rate":0.0,"decay_steps":50,"alpha":0.0,"name":null,"warmup_target":0.1,"warmup_steps":20}}""", true },
        { "cosine-restarts", """{"class_name":"CosineDecayRestarts","config":{"initial_learning_rate":0.1,"first_decay_steps":10,"t_mul":2.0,"m_mul":0.8,"alpha":0.05,"name":null}}""", true },
        { "cosine-restarts-t1", """{"class_name":"CosineDecayRestarts","config":{"initial_learning_rate":0.1,"first_decay_steps":12,"t_mul":1.0,"m_mul":1.0,"alpha":0.0,"name":null}}""", true },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ScheduleMatchesTheNumpyTranscription(string label, string config, bool exact)
    {
        Oracle.RequirePython("numpy");
        var node = JsonNode.Parse(config)!.AsObject();
        var schedule = LearningRateSchedule.FromConfig(node);
        const int steps = 200;
        var (_, lr) = OptimizerOracleTests.RunOracle(new Tensor(1), new Tensor(steps, 1),
            new JsonObject { ["name"] = "sgd", ["learning_rate"] = node.DeepClone(), ["schedule_only"] = true });
        double worst = 0;
        for (int s = 0; s < steps; s++)
            OptimizerOracleTests.AssertClose(lr[s], schedule.Call(s), exact, $"{label} at step {s}", ref worst);
        output.WriteLine($"{label}: worst relative difference {worst:G3}");
        // The config is written back exactly as it was read (Keras's keys, order and number forms).
        Assert.True(JsonNode.DeepEquals(node["config"], schedule.GetConfig()), $"{schedule.GetConfig().ToJsonString()} vs {node["config"]!.ToJsonString()}");
        Assert.Equal(node["class_name"]!.GetValue<string>(), schedule.ClassName);
    }

    [Fact]
    public void OptimizerConfigHoldsTheScheduleAsTfKeras24Writes()
    {
        var opt = new SGD(new ExponentialDecay(0.1, 1000, 0.96, staircase: true), momentum: 0.9);
        var written = OptimizerConfig.Write(opt).ToJsonString();
        // As tf.keras 2.4's SGD(learning_rate=ExponentialDecay(...), momentum=0.9).get_config() serialises.
        Assert.Equal("""{"class_name":"SGD","config":{"name":"SGD","learning_rate":{"class_name":"ExponentialDecay","config":{"initial_learning_rate":0.1,"decay_steps":1000,"decay_rate":0.96,"staircase":true,"name":null}},"decay":0,"momentum":0.8999999761581421,"nesterov":false}}""", written);
        var back = OptimizerConfig.Read(JsonNode.Parse(written)!.AsObject(), "test");
        var s = Assert.IsType<ExponentialDecay>(back.Schedule);
        Assert.Equal((0.1, 1000.0, 0.96, true), (s.InitialLearningRate, s.DecaySteps, s.DecayRate, s.Staircase));
    }

    [Fact]
    public void Keras3ScheduleConfigIsRead()
    {
        // Keras 3 serialises with module and registered_name around the same class_name/config.
        var k3 = JsonNode.Parse("""{"module":"keras.optimizers","class_name":"Adam","config":{"name":"adam","learning_rate":{"module":"keras.optimizers.schedules","class_name":"CosineDecay","config":{"initial_learning_rate":0.0,"decay_steps":100,"alpha":0.0,"name":"CosineDecay","warmup_target":0.01,"warmup_steps":10},"registered_name":null},"weight_decay":null,"clipnorm":null,"global_clipnorm":null,"clipvalue":null,"use_ema":false,"ema_momentum":0.99,"ema_overwrite_frequency":null,"loss_scale_factor":null,"gradient_accumulation_steps":null,"beta_1":0.9,"beta_2":0.999,"epsilon":1e-07,"amsgrad":false},"registered_name":null}""")!.AsObject();
        var opt = Assert.IsType<Adam>(OptimizerConfig.Read(k3, "test"));
        var s = Assert.IsType<CosineDecay>(opt.Schedule);
        Assert.Equal((0.01, 10.0), (s.WarmupTarget!.Value, s.WarmupSteps));
        Assert.Null(opt.Clipnorm);
        Assert.Null(opt.WeightDecay);
        // Warmup: halfway through the 10 warmup steps the rate is halfway to the target.
        Assert.Equal(0.005f, s.Call(5));
    }

    [Fact]
    public void OptimizerEvaluatesTheScheduleAtIterationsBeforeEachStep()
    {
        var opt = new SGD(new PiecewiseConstantDecay([2], [0.5, 0.25]));
        var v = new KerasNet.Layers.Variable("w", [1], trainable: true);
        Assert.Equal(0.5f, opt.CurrentLearningRate);
        // Steps at iterations 0, 1, 2 use 0.5, 0.5, 0.5 (step <= 2), then 0.25: w -= lr * 1 each step.
        float w = v.Value[0];
        foreach (float lr in new[] { 0.5f, 0.5f, 0.5f, 0.25f })
        {
            v.Grad.Span[0] = 1;
            opt.Apply([v]);
            w -= lr;
            Assert.Equal(w, v.Value[0]);
        }
        Assert.Equal(0.25f, opt.CurrentLearningRate);
    }

    [Fact]
    public void BadArgumentsAreRefused()
    {
        Assert.Throws<KerasNetException>(() => new PiecewiseConstantDecay([1, 2], [0.1]));
        Assert.Throws<KerasNetException>(() => new ExponentialDecay(0.1, 0, 0.9));
        Assert.Throws<KerasNetException>(() => new Nadam(new ExponentialDecay(0.1, 10, 0.9)));
        var e = Assert.Throws<KerasNetException>(() => LearningRateSchedule.FromConfig(JsonNode.Parse("""{"class_name":"CyclicalLR","config":{}}""")!.AsObject()));
        Assert.Contains("ExponentialDecay", e.Message);
    }
}
