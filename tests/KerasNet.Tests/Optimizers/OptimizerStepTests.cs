using System.Text.Json;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Optimizers;

public class OptimizerStepTests
{
    private const int Steps = 12;

    public static TheoryData<string, string> Cases => new()
    {
        { "adam", """{"name":"adam","lr":0.001}""" },
        { "adam-custom", """{"name":"adam","lr":0.01,"beta_1":0.8,"beta_2":0.99,"epsilon":1e-3}""" },
        { "sgd", """{"name":"sgd","lr":0.01}""" },
        { "sgd-momentum", """{"name":"sgd","lr":0.05,"momentum":0.9}""" },
        { "sgd-nesterov", """{"name":"sgd","lr":0.05,"momentum":0.9,"nesterov":true}""" },
        { "rmsprop", """{"name":"rmsprop","lr":0.001}""" },
        { "rmsprop-eps", """{"name":"rmsprop","lr":0.01,"epsilon":0.01}""" },
        { "rmsprop-momentum", """{"name":"rmsprop","lr":0.01,"rho":0.8,"momentum":0.5,"epsilon":0.01}""" },
    };

    private static Optimizer Make(JsonElement c)
    {
        double D(string k, double d) => c.TryGetProperty(k, out var v) ? v.GetDouble() : d;
        double lr = c.GetProperty("lr").GetDouble();
        return c.GetProperty("name").GetString() switch
        {
            "adam" => new Adam(lr, D("beta_1", 0.9), D("beta_2", 0.999), D("epsilon", 1e-7)),
            "sgd" => new SGD(lr, D("momentum", 0), c.TryGetProperty("nesterov", out var n) && n.GetBoolean()),
            _ => new RMSprop(lr, D("rho", 0.9), D("momentum", 0), D("epsilon", 1e-7)),
        };
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void StepsEqualTfKeras24UpdateRules(string label, string config)
    {
        Oracle.RequirePython("numpy");
        // A Dense(10) on 40 inputs: 410 parameters, enough for the SIMD and threaded paths.
        var layer = new Dense(10, name: "opt_" + label.Replace('-', '_'));
        layer.Build([40]);
        var vars = layer.TrainableWeights.ToList();
        int n = vars.Sum(v => v.Size);
        var rng = new Random(label.Length * 31 + 7);
        var w0 = new Tensor(n);
        for (int i = 0; i < n; i++) w0[i] = (float)(rng.NextDouble() * 2 - 1);
        var grads = new Tensor(Steps, n);
        for (int i = 0; i < grads.Length; i++)
            grads[i] = i % 17 == 0 ? 0f : (float)((rng.NextDouble() * 2 - 1) * (i % 5 == 0 ? 10 : 0.1)); // zeros and mixed scales
        var dir = Oracle.TempDir();
        Npy.Save(Path.Combine(dir, "w0.npy"), w0);
        Npy.Save(Path.Combine(dir, "grads.npy"), grads);
        Oracle.RunPythonScript("core_optimizers.py", dir, config);
        var expected = Npy.Load(Path.Combine(dir, "out.npy"));

        int off = 0;
        foreach (var v in vars) { v.Assign(w0.Span.Slice(off, v.Size)); off += v.Size; }
        var opt = Make(JsonDocument.Parse(config).RootElement);
        double worst = 0;
        for (int s = 0; s < Steps; s++)
        {
            off = 0;
            foreach (var v in vars) { grads.Span.Slice(s * n + off, v.Size).CopyTo(v.Grad.Span); off += v.Size; }
            opt.Apply(vars);
            Assert.Equal(s + 1, opt.Iterations);
            off = 0;
            foreach (var v in vars)
            {
                for (int i = 0; i < v.Size; i++)
                {
                    float e = expected[s * n + off + i], a = v.Value[i];
                    double err = Math.Abs(a - e) / Math.Max(1, Math.Abs(e));
                    worst = Math.Max(worst, err);
                    Assert.True(err <= 1e-6, $"{label} step {s + 1}, {v.FullName}[{i}]: {a} vs oracle {e}");
                }
                off += v.Size;
            }
        }
        Assert.True(worst < 1e-6);
    }

    [Fact]
    public void NamesResolveToKeras24Defaults()
    {
        var adam = Assert.IsType<Adam>(Optimizer.Get("Adam"));
        Assert.Equal((0.001, 0.9, 0.999, 1e-7), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon));
        var sgd = Assert.IsType<SGD>(Optimizer.Get("sgd"));
        Assert.Equal((0.01, 0.0, false), (sgd.LearningRate, sgd.Momentum, sgd.Nesterov));
        var rms = Assert.IsType<RMSprop>(Optimizer.Get("RMSprop"));
        Assert.Equal((0.001, 0.9, 0.0, 1e-7), (rms.LearningRate, rms.Rho, rms.Momentum, rms.Epsilon));
        Assert.Throws<KerasNetException>(() => Optimizer.Get("adagradx"));
        Assert.Throws<KerasNetException>(() => new Adam(learningRate: -0.001));
        Assert.Throws<KerasNetException>(() => new Adam(learningRate: double.NaN));
        Assert.Equal(0.0, new SGD(learningRate: 0).LearningRate); // Keras allows 0 (a paused or warming-up schedule)
        Assert.Throws<KerasNetException>(() => new SGD(momentum: 1.5));
    }

    [Fact]
    public void SlotsFollowKerasOrder()
    {
        Assert.Equal(["m", "v"], new Adam().SlotNames);
        Assert.Empty(new SGD().SlotNames);
        Assert.Equal(["momentum"], new SGD(momentum: 0.9).SlotNames);
        Assert.Equal(["rms"], new RMSprop().SlotNames);
        Assert.Equal(["rms", "momentum"], new RMSprop(momentum: 0.5).SlotNames);
    }
}
