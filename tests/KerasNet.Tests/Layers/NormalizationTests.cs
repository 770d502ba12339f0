using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Layers;

/// <summary>
/// BatchNormalization, LayerNormalization and UnitNormalization as layers: forward, input and weight gradients and
/// the moving statistics against PyTorch and numpy (Oracles/norm_torch.py, float64) and central finite differences;
/// the tf.keras 2.4 rule for the moving variance; inference folding and its cache; argument errors.
/// </summary>
public class NormalizationTests
{
    public static TheoryData<string> SmallLabels()
    {
        var d = new TheoryData<string>();
        foreach (var c in NormCase.Small()) d.Add(c.Label);
        return d;
    }

    /// <summary>One forward + backward in one context: (output copy, dL/dx copy, weight gradients by name).</summary>
    private static (float[] y, float[] dx, Dictionary<string, float[]> dw) Analytic(Layer layer, Tensor x, Tensor r, bool training)
    {
        var ctx = new CallContext();
        var y = layer.Call(ctx, x, training).ToArray();
        var dx = layer.Backward(ctx, r.Clone(), needInputGrad: true)!.ToArray();
        return (y, dx, layer.Weights.Where(w => w.Trainable).ToDictionary(w => w.Name, w => w.Grad.ToArray()));
    }

    private static double Objective(Layer layer, Tensor x, Tensor r, bool training)
    {
        var y = layer.Call(x, training);
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += (double)y[i] * r[i];
        return s;
    }

    /// <summary>
    /// Central differences of L = sum(layer(x) * r) for x, gamma and beta (the moving statistics get no gradient, as
    /// in Keras). A weight written directly is announced with MarkChanged, as the fold cache requires.
    /// </summary>
    [Theory]
    [MemberData(nameof(SmallLabels))]
    public void GradientsMatchFiniteDifferences(string label)
    {
        var c = NormCase.Small().Single(k => k.Label == label);
        var (layer, x, r) = c.Instantiate(11);
        var (_, dx, dw) = Analytic(layer, x, r, c.Training);
        const float step = 1e-2f;
        void Probe(Span<float> values, Variable? owner, int i, float analytic, string what)
        {
            float orig = values[i];
            values[i] = orig + step; owner?.MarkChanged(); double lp = Objective(layer, x, r, c.Training);
            values[i] = orig - step; owner?.MarkChanged(); double lm = Objective(layer, x, r, c.Training);
            values[i] = orig; owner?.MarkChanged();
            double fd = (lp - lm) / (2 * step);
            Assert.True(Math.Abs(fd - analytic) <= 1e-3 + 1e-2 * Math.Abs(analytic), $"{label}: d/d{what}[{i}] analytic {analytic} vs finite difference {fd}");
        }
        for (int i = 0; i < x.Length; i++) Probe(x.Span, null, i, dx[i], "x");
        foreach (var w in layer.Weights.Where(w => w.Trainable))
            for (int i = 0; i < w.Size; i++) Probe(w.Value.Span, w, i, dw[w.Name][i], w.Name);
    }

    /// <summary>
    /// Every case in one oracle run: outputs, dL/dx, dL/dgamma, dL/dbeta to 1e-4 relative; for BatchNormalization
    /// training calls the moving mean and the moving variance by the rule tf.keras 2.4 applies to the case (numpy's
    /// biased or unbiased update), and torch's own running statistics confirm numpy's unbiased update.
    /// </summary>
    [SkippableFact]
    public void ForwardGradientsAndMovingStatisticsMatchPyTorch()
    {
        Oracle.RequirePython("torch", "numpy");
        var cases = NormCase.All().ToList();
        var dir = Oracle.TempDir();
        var results = new List<(float[] y, float[] dx, Dictionary<string, float[]> dw, Layer layer)>();
        var specs = new JsonArray();
        for (int i = 0; i < cases.Count; i++)
        {
            var (layer, x, r) = cases[i].Instantiate(300 + i);
            Npy.Save(Path.Combine(dir, $"{i}_x.npy"), x);
            Npy.Save(Path.Combine(dir, $"{i}_r.npy"), r);
            foreach (var w in layer.Weights)
                Npy.Save(Path.Combine(dir, $"{i}_{w.Name switch { "moving_mean" => "mm", "moving_variance" => "mv", var n => n }}.npy"), w.Value);
            var (y, dx, dw) = Analytic(layer, x, r, cases[i].Training);
            results.Add((y, dx, dw, layer));
            specs.Add(cases[i].Spec.DeepClone());
        }
        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        Oracle.RunPythonScript("norm_torch.py", dir);
        Tensor Load(int i, string name) => Npy.Load(Path.Combine(dir, $"{i}_{name}.npy"));
        int distinguished = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            var (y, dx, dw, layer) = results[i];
            var c = cases[i];
            OracleCompare.Close(Load(i, "y"), y, c.Label + " output");
            OracleCompare.Close(Load(i, "dx"), dx, c.Label + " dL/dx");
            foreach (var (name, g) in dw) OracleCompare.Close(Load(i, "d" + name), g, $"{c.Label} dL/d{name}");
            if (layer is not BatchNormalization bn) continue;
            if (!c.Training)
            {
                Assert.Equal(Load(i, "mm").ToArray(), bn.MovingMean!.Value.ToArray()); // inference leaves them alone
                continue;
            }
            Assert.Equal(c.Unbiased, bn.UsesUnbiasedMovingVariance);
            OracleCompare.Close(Load(i, "mm_after"), bn.MovingMean!.Value.ToArray(), c.Label + " moving_mean");
            var expectedVar = Load(i, c.Unbiased ? "mv_unbiased" : "mv_biased");
            OracleCompare.Close(expectedVar, bn.MovingVariance!.Value.ToArray(), c.Label + " moving_variance");
            // Where the two rules differ by more than the tolerance, the comparison above tells them apart (with
            // n values per channel they differ by about (1 - momentum) / (n - 1): not for the 4608-row case).
            var other = Load(i, c.Unbiased ? "mv_biased" : "mv_unbiased");
            if (other.ToArray().Zip(expectedVar.ToArray()).Any(p => Math.Abs(p.First - p.Second) > 1e-3 * Math.Abs(p.Second))) distinguished++;
            if (File.Exists(Path.Combine(dir, $"{i}_torch_rv.npy")))
            {
                OracleCompare.Close(Load(i, "torch_rv"), Load(i, "mv_unbiased").ToArray(), c.Label + " torch running_var vs numpy unbiased");
                OracleCompare.Close(Load(i, "torch_rm"), Load(i, "mm_after").ToArray(), c.Label + " torch running_mean vs numpy");
            }
        }
        Assert.True(distinguished >= 10, $"only {distinguished} training cases tell the two variance rules apart");
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    [Fact]
    public void TheUnbiasedRuleFollowsTfKeras24AndCanBeForced()
    {
        bool Rule(AxisSpec axis, int[] shape, bool? force = null)
        {
            var bn = new BatchNormalization(axis) { UnbiasedMovingVariance = force };
            bn.Build(shape);
            return bn.UsesUnbiasedMovingVariance;
        }
        Assert.True(Rule(-1, [4, 4, 3]));
        Assert.True(Rule(3, [4, 4, 3]));
        Assert.True(Rule(1, [3, 4, 4]));
        Assert.True(Rule(-3, [3, 4, 4]));
        Assert.True(Rule(new[] { 3 }, [4, 4, 3]));
        Assert.False(Rule(2, [4, 4, 3]));
        Assert.False(Rule(-2, [4, 4, 3]));
        Assert.False(Rule(new[] { 1, 3 }, [4, 4, 3]));
        Assert.False(Rule(-1, [3]));
        Assert.False(Rule(-1, [4, 3]));
        Assert.False(Rule(-1, [2, 4, 4, 3]));
        Assert.False(Rule(-1, [4, 4, 3], force: false));
        Assert.True(Rule(-1, [3], force: true));
        Assert.False(new BatchNormalization().UsesUnbiasedMovingVariance); // not built
    }

    [Fact]
    public void AFrozenLayerRunsInInferenceModeAndKeepsItsStatistics()
    {
        var (layer, x, r) = NormCase.Small().First(c => c.Label == "bn 4-D axis -1 training").Instantiate(5);
        var bn = (BatchNormalization)layer;
        var inference = bn.Call(x, training: false).ToArray();
        var training = bn.Call(x, training: true).ToArray();
        Assert.NotEqual(inference, training);
        var mm = bn.MovingMean!.Value.ToArray();
        bn.Trainable = false;
        var frozen = bn.Call(x, training: true).ToArray();
        Assert.Equal(bn.Call(x, training: false).ToArray(), frozen);
        Assert.Equal(mm, bn.MovingMean.Value.ToArray());
        Assert.NotEqual(inference, frozen); // the training call above moved the statistics
        // Backward through the frozen layer: dx = dy * gamma / sqrt(moving_variance + eps), no weight gradient wanted.
        var ctx = new CallContext();
        bn.Call(ctx, x, training: true);
        var dx = bn.BackwardNode(ctx, r);
        for (int i = 0; i < x.Length; i++)
        {
            int c = i % 5;
            float scale = bn.Gamma!.Value[c] / MathF.Sqrt(bn.MovingVariance!.Value[c] + 1e-3f);
            Assert.Equal(r[i] * scale, dx[i], 1e-5f);
        }
    }

    [Fact]
    public void TheFoldCacheFollowsEveryWayTheWeightsChange()
    {
        var bn = new BatchNormalization();
        bn.Build([2]);
        var x = new Tensor([1f, 2f, 3f, 4f], 2, 2);
        float Expected(int i, float g, float b, float m, float v) => g * (x[i] - m) / MathF.Sqrt(v + 1e-3f) + b;
        Assert.Equal(Expected(0, 1, 0, 0, 1), bn.Call(x)[0], 1e-6f);
        bn.SetWeights([[2f, 2f], [1f, 1f], [0.5f, 0.5f], [4f, 4f]]);
        Assert.Equal(Expected(0, 2, 1, 0.5f, 4), bn.Call(x)[0], 1e-6f);
        bn.Gamma!.Value[0] = 3f;
        bn.Gamma.MarkChanged();
        Assert.Equal(Expected(0, 3, 1, 0.5f, 4), bn.Call(x)[0], 1e-6f);
        bn.Beta!.Value[0] = 2f; // a direct write that is not announced is still seen
        Assert.Equal(Expected(0, 3, 2, 0.5f, 4), bn.Call(x)[0], 1e-6f);
        bn.Beta.Value[0] = 1f;
        bn.Call(x, training: true); // moves the statistics
        float m = bn.MovingMean!.Value[0], v = bn.MovingVariance!.Value[0];
        Assert.NotEqual(0.5f, m);
        Assert.Equal(Expected(0, 3, 1, m, v), bn.Call(x)[0], 1e-6f);
        long version = bn.FoldVersion;
        bn.Call(x);
        Assert.Equal(version, bn.FoldVersion); // inference changes nothing
    }

    [Fact]
    public void TryFoldIntoGivesTheKernelAndBiasOfDenseFollowedByBatchNormalization()
    {
        var rng = new Random(3);
        var dense = new Dense(4);
        dense.Build([3]);
        var bn = new BatchNormalization();
        bn.Build([4]);
        foreach (var w in dense.Weights.Concat(bn.Weights))
            w.Assign(Enumerable.Range(0, w.Size).Select(_ => (float)(w.Name == "moving_variance" ? 0.5 + rng.NextDouble() : rng.NextDouble() - 0.5)).ToArray());
        var x = new Tensor(Enumerable.Range(0, 6).Select(i => (float)Math.Sin(i)).ToArray(), 2, 3);
        var expected = bn.Call(dense.Call(x)).ToArray();
        var k = new float[12];
        var b = new float[4];
        Assert.True(bn.TryFoldInto(dense.Kernel!.Value.Span, dense.Bias!.Value.Span, k, b));
        var folded = new Dense(4);
        folded.Build([3]);
        folded.SetWeights([k, b]);
        var got = folded.Call(x).ToArray();
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i], 1e-5f);
        var cf = new BatchNormalization(axis: 1);
        cf.Build([4, 3]);
        Assert.False(cf.TryFoldInto(new float[12], default, new float[12], new float[4])); // not the last axis
        Assert.False(bn.TryFoldInto(new float[10], default, new float[10], new float[4])); // not a multiple of the channels
    }

    [Fact]
    public void ForwardAndBackwardAllocateNothingOnceWarm()
    {
        var sink = GradientSink.All();
        foreach (var c in NormCase.Small())
        {
            var (layer, x, r) = c.Instantiate(9);
            var ctx = new CallContext { Training = c.Training };
            ctx.Inputs[0] = x;
            void Step()
            {
                layer.ForwardNode(ctx);
                layer.BackwardNode(ctx, [r], true, sink);
            }
            Step();
            Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 5; k++) Step();
            Assert.True(GC.GetAllocatedBytesForCurrentThread() == before, $"{c.Label}: {GC.GetAllocatedBytesForCurrentThread() - before} bytes allocated in 5 warm steps");
        }
    }

    // ---- errors ----

    private static string Error(Action a) => Assert.ThrowsAny<KerasNetException>(a).Message;

    [Fact]
    public void BadArgumentsNameTheLayerAndTheArgument()
    {
        Assert.Contains("momentum", Error(() => new BatchNormalization(momentum: 1.5, name: "bn_m")));
        Assert.Contains("'bn_e'", Error(() => new BatchNormalization(epsilon: 0, name: "bn_e")));
        Assert.Contains("epsilon", Error(() => new LayerNormalization(epsilon: -1, name: "ln_e")));
        var m = Error(() => new BatchNormalization(axis: 4, name: "bn_axis").Build([3, 3, 2]));
        Assert.Contains("Layer 'bn_axis' (BatchNormalization): invalid axis 4", m);
        m = Error(() => new LayerNormalization(axis: 0, name: "ln_batch").Build([3]));
        Assert.Contains("Layer 'ln_batch' (LayerNormalization): axis 0 is the batch axis", m);
        m = Error(() => new UnitNormalization(axis: new[] { 1, -1 }, name: "un_dup").Build([3]));
        Assert.Contains("Layer 'un_dup' (UnitNormalization): duplicate axis [1, -1]", m);
        Assert.Contains("empty", Error(() => new LayerNormalization(axis: Array.Empty<int>(), name: "ln_none")));
        var bn = new BatchNormalization(name: "bn_shape");
        bn.Build([4]);
        Assert.Contains("Layer 'bn_shape' expects input of shape (None, 4)", Error(() => bn.Call(new Tensor(2, 5))));
    }

    [Fact]
    public void RegularizersAndConstraintsAreKeptButTrainingRefusesThem()
    {
        var bn = new BatchNormalization(gammaRegularizer: new L2(1e-4), name: "bn_reg");
        var ln = new LayerNormalization(betaConstraint: new NonNeg(), name: "ln_con");
        var m = Error(() => KernelLayer.CheckTrainable([new BatchNormalization(), bn]));
        Assert.Equal("Layer 'bn_reg' has gamma_regularizer L2, which KerasNet does not apply in training yet; set the layer's GammaRegularizer to null to train without it (inference is not affected).", m);
        Assert.Contains("Layer 'ln_con' has beta_constraint NonNeg", Error(() => KernelLayer.CheckTrainable([ln])));
        KernelLayer.CheckTrainable([new BatchNormalization(gammaRegularizer: new L2(0)), new LayerNormalization()]); // zero factors change nothing
        Assert.Equal("L2", bn.GetConfig()["gamma_regularizer"]!["class_name"]!.GetValue<string>());
    }

    [Fact]
    public void KerasSetsSupportsMaskingOnAllThree()
    {
        Assert.True(new BatchNormalization().SupportsMasking);
        Assert.True(new LayerNormalization().SupportsMasking);
        Assert.True(new UnitNormalization().SupportsMasking);
    }
}

/// <summary>Test access to a single-input layer's backward through the graph entry point.</summary>
internal static class NormBackwardExtensions
{
    public static float[] BackwardNode(this Layer layer, CallContext ctx, Tensor gradOutput)
    {
        var sink = new GradientSink();
        sink.BeginStep([], new HashSet<Variable>(), null);
        layer.BackwardNode(ctx, [gradOutput], true, sink);
        return ctx.InputGrads[0]!.ToArray();
    }
}
