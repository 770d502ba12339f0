using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Optimizers;

/// <summary>
/// A second, independent oracle where PyTorch's torch.optim has tf.keras 2.4's formula with epsilon in the same place
/// (Adagrad, Adadelta, RMSprop without momentum, plain and centered). torch orders the float32 operations differently and computes
/// some coefficients in doubles, so 100 steps agree within a tolerance. Not compared: Adam/AdamW (torch adds epsilon to
/// the bias-corrected sqrt(v)), Adamax (torch adds epsilon inside the max), momentum SGD/RMSprop (torch keeps lr out of
/// the buffer), Ftrl (no torch counterpart), NAdam (the same schedule, but torch 1.13 multiplies mu into
/// mu_product_next twice, a bug later fixed).
/// </summary>
public class OptimizerTorchTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<string, string, string> Cases => new()
    {
        { "adagrad", "Adagrad", """{"learning_rate":0.05,"initial_accumulator_value":0.2}""" },
        { "adadelta", "Adadelta", """{"learning_rate":1.0,"rho":0.9,"epsilon":1e-6}""" },
        { "rmsprop", "RMSprop", """{"learning_rate":0.01}""" },
        { "rmsprop-centered", "RMSprop", """{"learning_rate":0.01,"centered":true}""" },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void HundredStepsMatchTorchOptim(string label, string className, string config)
    {
        Oracle.RequirePython("torch", "numpy");
        var layer = new Dense(7, name: "t_" + label.Replace('-', '_'));
        layer.Build([13]);
        var vars = layer.TrainableWeights.ToList();
        var cfg = JsonNode.Parse(config)!.AsObject();
        var opt = OptimizerConfig.Read(new JsonObject { ["class_name"] = className, ["config"] = cfg.DeepClone() }, label);
        var (w0, grads) = OptimizerOracleTests.RandomProblem(vars.Sum(v => v.Size), 7);
        var torchCfg = cfg.DeepClone().AsObject();
        torchCfg["name"] = className.ToLowerInvariant();
        torchCfg["sizes"] = new JsonArray(vars.Select(v => (JsonNode?)v.Size).ToArray());
        var dir = Oracle.TempDir();
        Npy.Save(Path.Combine(dir, "w0.npy"), w0);
        Npy.Save(Path.Combine(dir, "grads.npy"), grads);
        Oracle.RunPythonScript("optimizers_torch.py", dir, torchCfg.ToJsonString());
        var expected = Npy.Load(Path.Combine(dir, "out.npy"));

        OptimizerOracleTests.Load(vars, w0.Span);
        int n = w0.Length;
        double worst = 0;
        for (int s = 0; s < OptimizerOracleTests.Steps; s++)
        {
            int off = 0;
            foreach (var v in vars) { grads.Span.Slice(s * n + off, v.Size).CopyTo(v.Grad.Span); off += v.Size; }
            opt.Apply(vars);
            off = 0;
            foreach (var v in vars)
            {
                for (int i = 0; i < v.Size; i++)
                {
                    float e = expected[s * n + off + i], a = v.Value[i];
                    // Relative to the weight's scale: torch's rounding differs in the last bits of every step.
                    double err = Math.Abs(a - e) / Math.Max(0.01, Math.Abs(e));
                    worst = Math.Max(worst, err);
                    Assert.True(err <= 1e-5, $"{label} step {s + 1}, {v.FullName}[{i}]: {a:R} vs torch {e:R} (relative {err:G3})");
                }
                off += v.Size;
            }
        }
        output.WriteLine($"{label}: worst relative difference to torch.optim {worst:G3}");
    }
}
