using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Optimizers;

/// <summary>
/// Every optimizer, clipping mode and schedule over 100 steps on random gradients against the numpy transcription of
/// tf.keras 2.4's formulas (Oracles/optimizers_numpy.py), float32 on both sides with pow/cos/log from the C library
/// and a norm's sum of squares in double: every case agrees bit for bit (the tolerance path, 1e-6 relative, is kept
/// for cases whose order cannot be matched).
/// </summary>
public class OptimizerOracleTests(Xunit.Abstractions.ITestOutputHelper output)
{
    internal const int Steps = 100;

    // (label, Keras class name, config, exact)
    public static TheoryData<string, string, string, bool> Cases => new()
    {
        { "sgd", "SGD", """{"learning_rate":0.05}""", true },
        { "sgd-momentum", "SGD", """{"learning_rate":0.05,"momentum":0.9}""", true },
        { "sgd-nesterov", "SGD", """{"learning_rate":0.05,"momentum":0.9,"nesterov":true}""", true },
        { "sgd-decay", "SGD", """{"learning_rate":0.05,"decay":0.01}""", true },
        { "rmsprop", "RMSprop", """{"learning_rate":0.01}""", true },
        { "rmsprop-centered", "RMSprop", """{"learning_rate":0.01,"centered":true}""", true },
        { "rmsprop-momentum", "RMSprop", """{"learning_rate":0.01,"rho":0.8,"momentum":0.5,"epsilon":0.01}""", true },
        { "rmsprop-momentum-centered", "RMSprop", """{"learning_rate":0.01,"momentum":0.5,"epsilon":0.01,"centered":true}""", true },
        { "adam", "Adam", """{"learning_rate":0.01}""", true },
        { "adam-amsgrad", "Adam", """{"learning_rate":0.01,"beta_1":0.8,"beta_2":0.99,"amsgrad":true}""", true },
        { "adamw", "AdamW", """{"learning_rate":0.01,"weight_decay":0.05}""", true },
        { "adamw-amsgrad", "AdamW", """{"learning_rate":0.01,"amsgrad":true}""", true },
        { "adamax", "Adamax", """{"learning_rate":0.01}""", true },
        { "nadam", "Nadam", """{"learning_rate":0.01}""", true },
        { "adagrad", "Adagrad", """{"learning_rate":0.05}""", true },
        { "adagrad-init", "Adagrad", """{"learning_rate":0.05,"initial_accumulator_value":0.5,"epsilon":0.001}""", true },
        { "adadelta", "Adadelta", """{"learning_rate":1.0}""", true },
        { "ftrl", "Ftrl", """{"learning_rate":0.05}""", true },
        { "ftrl-regularized", "Ftrl", """{"learning_rate":0.05,"l1_regularization_strength":0.01,"l2_regularization_strength":0.02,"l2_shrinkage_regularization_strength":0.03,"beta":0.5}""", true },
        { "ftrl-power", "Ftrl", """{"learning_rate":0.05,"learning_rate_power":-0.7,"initial_accumulator_value":0.2}""", true },
        { "clipvalue", "SGD", """{"learning_rate":0.05,"momentum":0.9,"clipvalue":0.05}""", true },
        { "clipnorm", "Adam", """{"learning_rate":0.01,"clipnorm":0.5}""", true },
        { "global-clipnorm", "RMSprop", """{"learning_rate":0.01,"global_clipnorm":1.0}""", true },
        { "clipvalue-global", "Adagrad", """{"learning_rate":0.05,"clipvalue":0.2,"global_clipnorm":0.5}""", true },
        { "weight-decay", "SGD", """{"learning_rate":0.05,"weight_decay":0.1}""", true },
        { "exponential", "SGD", """{"learning_rate":{"class_name":"ExponentialDecay","config":{"initial_learning_rate":0.1,"decay_steps":10,"decay_rate":0.8,"staircase":true,"name":null}}}""", true },
        { "cosine-warmup", "Adam", """{"learning_rate":{"class_name":"CosineDecay","config":{"initial_learning_rate":0.0,"decay_steps":60,"alpha":0.1,"warmup_target":0.01,"warmup_steps":20,"name":null}}}""", true },
        { "piecewise", "RMSprop", """{"learning_rate":{"class_name":"PiecewiseConstantDecay","config":{"boundaries":[10,50],"values":[0.02,0.01,0.001],"name":null}}}""", true },
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void HundredStepsMatchTheNumpyTranscription(string label, string className, string config, bool exact)
    {
        Oracle.RequirePython("numpy");
        // Dense(7) on 13 inputs: a 91-value kernel and a 7-value bias, neither a multiple of the 16-lane step.
        var layer = new Dense(7, name: "o_" + label.Replace('-', '_'));
        layer.Build([13]);
        var vars = layer.TrainableWeights.ToList();
        var cfg = JsonNode.Parse(config)!.AsObject();
        var opt = OptimizerConfig.Read(new JsonObject { ["class_name"] = className, ["config"] = cfg.DeepClone() }, label);
        var (w0, grads) = RandomProblem(vars.Sum(v => v.Size), label.GetHashCode(StringComparison.Ordinal) & 0xffff);

        var oracleCfg = cfg.DeepClone().AsObject();
        oracleCfg["name"] = className.ToLowerInvariant();
        oracleCfg["sizes"] = new JsonArray(vars.Select(v => (JsonNode?)v.Size).ToArray());
        var (expected, expectedLr) = RunOracle(w0, grads, oracleCfg);

        Load(vars, w0.Span);
        double worst = 0;
        int n = w0.Length;
        for (int s = 0; s < Steps; s++)
        {
            float lr = opt.CurrentLearningRate;
            AssertClose(expectedLr[s], lr, exact, $"{label} learning rate at step {s}", ref worst);
            int off = 0;
            foreach (var v in vars) { grads.Span.Slice(s * n + off, v.Size).CopyTo(v.Grad.Span); off += v.Size; }
            opt.Apply(vars);
            off = 0;
            foreach (var v in vars)
            {
                for (int i = 0; i < v.Size; i++)
                    AssertClose(expected[s * n + off + i], v.Value[i], exact, $"{label} step {s + 1}, {v.FullName}[{i}]", ref worst);
                off += v.Size;
            }
        }
        Assert.Equal(Steps, opt.Iterations);
        // The measured worst difference, for the report: exact cases must show 0.
        output.WriteLine($"{label}: worst relative difference {worst:G3}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FusedRangeUpdatesEqualTheWholeVariableUpdate(string label, string className, string config, bool exact)
    {
        // The path a backward kernel takes: the update applied piece by piece (here 5 floats at a time, out of order)
        // as the gradient is formed, against Apply on the stored gradient.
        _ = exact;
        Optimizer Make() => OptimizerConfig.Read(new JsonObject { ["class_name"] = className, ["config"] = JsonNode.Parse(config) }, label);
        var (whole, pieces) = (new Dense(7, name: "w_" + label.Replace('-', '_')), new Dense(7, name: "p_" + label.Replace('-', '_')));
        whole.Build([13]); pieces.Build([13]);
        List<Variable> a = whole.TrainableWeights.ToList(), b = pieces.TrainableWeights.ToList();
        var (w0, grads) = RandomProblem(a.Sum(v => v.Size), 99);
        Load(a, w0.Span); Load(b, w0.Span);
        Optimizer oa = Make(), ob = Make();
        int n = w0.Length;
        for (int s = 0; s < 20; s++)
        {
            int off = 0;
            foreach (var (va, vb) in a.Zip(b))
            {
                grads.Span.Slice(s * n + off, va.Size).CopyTo(va.Grad.Span);
                grads.Span.Slice(s * n + off, vb.Size).CopyTo(vb.Grad.Span);
                off += va.Size;
            }
            oa.Apply(a);
            ob.BeginApply(b);
            foreach (var v in b)
            {
                var u = ob.FusedUpdate(v);
                if (ob.Clipnorm != null || ob.GlobalClipnorm != null)
                {
                    // A norm needs the whole gradient: such an optimizer never offers a fused update.
                    Assert.Null(u);
                    continue;
                }
                Assert.NotNull(u);
                var starts = Enumerable.Range(0, (v.Size + 4) / 5).Select(i => i * 5).Reverse();
                foreach (int start in starts)
                {
                    int len = Math.Min(5, v.Size - start);
                    u!.Update(start, v.Value.Span.Slice(start, len), v.Grad.Span.Slice(start, len));
                }
            }
            if (ob.Clipnorm != null || ob.GlobalClipnorm != null) ob.UpdateVariables(b, null);
        }
        SavingTestUtil.AssertBitEqual(a.SelectMany(v => v.Value.ToArray()).ToArray(), b.SelectMany(v => v.Value.ToArray()).ToArray(), label);
        SavingTestUtil.AssertBitEqual(a.SelectMany(v => oa.SlotsOf(v).SelectMany(x => x)).ToArray(), b.SelectMany(v => ob.SlotsOf(v).SelectMany(x => x)).ToArray(), label + " slots");
    }

    internal static void AssertClose(float expected, float actual, bool exact, string what, ref double worst)
    {
        if (exact)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"{what}: {actual:R} vs oracle {expected:R} (bit-exact case)");
            return;
        }
        double err = Math.Abs(actual - expected) / Math.Max(1e-3, Math.Abs(expected));
        worst = Math.Max(worst, err);
        Assert.True(err <= 1e-6, $"{what}: {actual:R} vs oracle {expected:R} (relative {err:G3})");
    }

    internal static (Tensor W0, Tensor Grads) RandomProblem(int n, int seed)
    {
        var rng = new Random(seed);
        var w0 = new Tensor(n);
        for (int i = 0; i < n; i++) w0[i] = (float)(rng.NextDouble() * 2 - 1);
        var grads = new Tensor(Steps, n);
        // Zeros and mixed scales, so clipping, maxima and accumulators all see both sides.
        for (int i = 0; i < grads.Length; i++)
            grads[i] = i % 17 == 0 ? 0f : (float)((rng.NextDouble() * 2 - 1) * (i % 5 == 0 ? 3 : 0.1));
        return (w0, grads);
    }

    internal static (Tensor Out, Tensor Lr) RunOracle(Tensor w0, Tensor grads, JsonObject cfg)
    {
        var dir = Oracle.TempDir();
        Npy.Save(Path.Combine(dir, "w0.npy"), w0);
        Npy.Save(Path.Combine(dir, "grads.npy"), grads);
        Oracle.RunPythonScript("optimizers_numpy.py", dir, cfg.ToJsonString());
        var lr = Npy.Load(Path.Combine(dir, "lr.npy"));
        var outPath = Path.Combine(dir, "out.npy");
        return (File.Exists(outPath) ? Npy.Load(outPath) : new Tensor(1), lr);
    }

    internal static void Load(IReadOnlyList<Variable> vars, ReadOnlySpan<float> values)
    {
        int off = 0;
        foreach (var v in vars) { v.Assign(values.Slice(off, v.Size)); off += v.Size; }
    }
}
