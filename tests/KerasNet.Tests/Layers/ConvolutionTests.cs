using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Layers;

/// <summary>
/// The convolution layers alone (Conv1D, Conv2D with dilation and groups, Conv1D/2DTranspose, DepthwiseConv2D,
/// SeparableConv1D/2D): forward, input and weight gradients against PyTorch (Oracles/conv_torch.py, float64, TensorFlow's
/// padding rules written there) and against central finite differences; the engine's general path against its plain
/// one where both apply.
/// </summary>
public class ConvolutionTests(ITestOutputHelper output)
{
    public static TheoryData<string> Labels()
    {
        var d = new TheoryData<string>();
        foreach (var c in ConvCase.All()) d.Add(c.Label);
        return d;
    }

    private static ConvCase Find(string label) => ConvCase.All().Single(c => c.Label == label);

    private static double Objective(Layer layer, Tensor x, Tensor r)
    {
        var y = layer.Call(x, training: true);
        double s = 0;
        for (int i = 0; i < y.Length; i++) s += (double)y[i] * r[i];
        return s;
    }

    /// <summary>
    /// Central differences (step 1e-2, as <see cref="GradientCheck"/>) on at most ~150 coordinates of the input and of
    /// each weight, spread evenly; relu cases skip coordinates where the step crosses a kink.
    /// </summary>
    [Theory]
    [MemberData(nameof(Labels))]
    public void GradientsMatchFiniteDifferences(string label)
    {
        var c = Find(label);
        var (layer, x, r) = c.Instantiate(17);
        var (dx, dw) = GradientCheck.Analytic(layer, x, r);
        const float step = GradientCheck.Step;
        int skipped = 0, total = 0;
        void Probe(Span<float> values, int i, float analytic, string what)
        {
            float orig = values[i];
            double l0 = Objective(layer, x, r);
            values[i] = orig + step; double lp = Objective(layer, x, r);
            values[i] = orig - step; double lm = Objective(layer, x, r);
            values[i] = orig;
            total++;
            if (c.Kinked && Math.Abs((lp - l0) - (l0 - lm)) / step > 1e-3) { skipped++; return; }
            double fd = (lp - lm) / (2 * step);
            Assert.True(Math.Abs(fd - analytic) <= 1e-3 + 1e-2 * Math.Abs(analytic), $"{label}: d/d{what}[{i}] analytic {analytic} vs finite difference {fd}");
        }
        for (int i = 0, stride = Math.Max(1, x.Length / 150); i < x.Length; i += stride) Probe(x.Span, i, dx[i], "x");
        for (int k = 0; k < layer.Weights.Count; k++)
        {
            var w = layer.Weights[k];
            for (int i = 0, stride = Math.Max(1, w.Size / 150); i < w.Size; i += stride) Probe(w.Value.Span, i, dw[k][i], w.Name);
        }
        Assert.True(skipped * 4 <= total, $"{label}: {skipped} of {total} coordinates sat on kinks");
    }

    private static string FileOf(string weightName) => weightName switch
    {
        "kernel" or "depthwise_kernel" => "w",
        "pointwise_kernel" => "p",
        "bias" => "b",
        _ => throw new ArgumentException(weightName),
    };

    /// <summary>All cases in one oracle run: output shape, output, input and every weight gradient to 1e-4 relative.</summary>
    [SkippableFact]
    public void ForwardAndGradientsMatchPyTorch()
    {
        Oracle.RequirePython("torch", "numpy");
        var cases = ConvCase.All().ToList();
        var dir = Oracle.TempDir();
        var results = new List<(Tensor y, float[] dx, List<float[]> dw, List<string> names)>();
        var specs = new JsonArray();
        for (int i = 0; i < cases.Count; i++)
        {
            var (layer, x, r) = cases[i].Instantiate(300 + i);
            var y = layer.Call(x, training: true).Clone();
            var (dx, dw) = GradientCheck.Analytic(layer, x, r);
            results.Add((y, dx, dw, layer.Weights.Select(w => FileOf(w.Name)).ToList()));
            Npy.Save(Path.Combine(dir, $"{i}_x.npy"), x);
            Npy.Save(Path.Combine(dir, $"{i}_r.npy"), r);
            foreach (var w in layer.Weights) Npy.Save(Path.Combine(dir, $"{i}_{FileOf(w.Name)}.npy"), w.Value);
            Assert.Equal(cases[i].Spec["weights"]!.AsArray().Select(n => n!.GetValue<string>()), results[i].names);
            specs.Add(cases[i].Spec.DeepClone());
        }
        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        Oracle.RunPythonScript("conv_torch.py", dir);
        double worst = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            var (y, dx, dw, names) = results[i];
            var label = cases[i].Label;
            var expected = Npy.Load(Path.Combine(dir, $"{i}_y.npy"));
            Assert.True(expected.Shape.SequenceEqual(y.Shape), $"{label}: output shape {ShapeUtil.Format(y.Shape)}, oracle {ShapeUtil.Format(expected.Shape)}");
            worst = Math.Max(worst, Compare(expected, y.ToArray(), label + " output"));
            worst = Math.Max(worst, Compare(Npy.Load(Path.Combine(dir, $"{i}_dx.npy")), dx, label + " dL/dx"));
            for (int k = 0; k < names.Count; k++)
                worst = Math.Max(worst, Compare(Npy.Load(Path.Combine(dir, $"{i}_d{names[k]}.npy")), dw[k], $"{label} dL/d{names[k]}"));
        }
        output.WriteLine($"conv layers vs torch: max abs difference {worst:E2} over {cases.Count} cases");
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    private static double Compare(Tensor expected, float[] actual, string what)
    {
        OracleCompare.Close(expected, actual, what);
        double worst = 0;
        for (int i = 0; i < actual.Length; i++) worst = Math.Max(worst, Math.Abs(actual[i] - expected[i]));
        return worst;
    }

    /// <summary>
    /// The direct depthwise kernels and the grouped im2col path against the plain im2col + GEMM path on the same
    /// arithmetic: a depthwise / grouped kernel expanded to a dense block-diagonal one (zero across groups).
    /// </summary>
    [Theory]
    [InlineData(2, 7, 6, 5, 5, 3, 3, 1, 1, "same", 5)]   // depthwise, multiplier 1
    [InlineData(2, 7, 6, 3, 6, 3, 3, 2, 2, "valid", 3)]  // depthwise, multiplier 2, stride 2
    [InlineData(1, 9, 8, 20, 20, 5, 5, 1, 2, "same", 20)] // depthwise, 20 channels, stride (1, 2)
    [InlineData(2, 6, 7, 6, 4, 3, 2, 1, 1, "same", 2)]   // two groups
    [InlineData(2, 6, 7, 6, 6, 2, 2, 2, 1, "valid", 3)]  // three groups, stride (2, 1)
    public void GroupedPathsEqualTheDenseBlockDiagonalConvolution(int n, int h, int w, int c, int f, int kh, int kw, int sh, int sw, string padding, int groups)
    {
        var be = new CpuBackend();
        var rng = new Random(5);
        var grouped = ConvSpec.Create(n, h, w, c, kh, kw, sh, sw, 1, 1, groups, padding);
        var plain = ConvSpec.Create(n, h, w, c, kh, kw, sh, sw, 1, 1, 1, padding);
        Assert.True(plain.IsPlain && !grouped.IsPlain);
        float[] Rand(long len) => Enumerable.Range(0, (int)len).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var x = Rand(grouped.InputLength);
        var wg = Rand(grouped.KernelLength(f));
        var dy = Rand(grouped.OutputLengthFor(f));
        var bias = Rand(f);
        // Dense kernel (kh, kw, c, f): filter j of group g = j / (f / groups) reads channels g * c/groups ...
        int cg = c / groups, fg = f / groups;
        var wd = new float[plain.KernelLength(f)];
        for (int t = 0; t < kh * kw; t++)
            for (int ci = 0; ci < cg; ci++)
                for (int j = 0; j < f; j++)
                    wd[(t * c + j / fg * cg + ci) * f + j] = wg[(t * cg + ci) * f + j];
        float[] yg = new float[grouped.OutputLengthFor(f)], yd = new float[yg.Length];
        be.ConvForward(grouped, x, wg, bias, ActivationKind.Relu, f, yg, null);
        be.ConvForward(plain, x, wd, bias, ActivationKind.Relu, f, yd, null);
        AssertNear(yd, yg, "forward");
        float[] dxg = new float[x.Length], dxd = new float[x.Length];
        be.ConvBackwardInput(grouped, dy, wg, f, dxg, new ConvWorkspace());
        be.ConvBackwardInput(plain, dy, wd, f, dxd, null);
        AssertNear(dxd, dxg, "input gradient");
        float[] dwg = new float[wg.Length], dwd = new float[wd.Length];
        be.ConvBackwardFilter(grouped, x, dy, f, dwg, new ConvWorkspace());
        be.ConvBackwardFilter(plain, x, dy, f, dwd, null);
        var dwdGroups = new float[wg.Length];
        for (int t = 0; t < kh * kw; t++)
            for (int ci = 0; ci < cg; ci++)
                for (int j = 0; j < f; j++)
                    dwdGroups[(t * cg + ci) * f + j] = dwd[(t * c + j / fg * cg + ci) * f + j];
        AssertNear(dwdGroups, dwg, "kernel gradient");
    }

    /// <summary>The general entry points check the spec and every buffer before any unsafe code runs.</summary>
    [Fact]
    public void EngineEntryPointsRefuseBadSpecsAndShortBuffers()
    {
        var be = new CpuBackend();
        var s = ConvSpec.Create(2, 5, 5, 4, 3, 3, 1, 1, 2, 2, 2, "same");
        float[] x = new float[s.InputLength], w = new float[s.KernelLength(6)], y = new float[s.OutputLengthFor(6)];
        be.ConvForward(s, x, w, null, ActivationKind.Linear, 6, y, null);
        Assert.Contains("x has length 10", Assert.Throws<ArgumentException>(() => be.ConvForward(s, new float[10], w, null, ActivationKind.Linear, 6, y, null)).Message);
        Assert.Contains("w has length", Assert.Throws<ArgumentException>(() => be.ConvBackwardInput(s, y, new float[5], 6, x, null)).Message);
        Assert.Contains("dy has length", Assert.Throws<ArgumentException>(() => be.ConvBackwardFilter(s, x, new float[3], 6, w, null)).Message);
        Assert.Contains("which 2 groups do not both divide", Assert.Throws<ArgumentException>(() => be.ConvForward(s, x, w, null, ActivationKind.Linear, 5, y, null)).Message);
        Assert.Contains("dilation or group count below 1", Assert.Throws<ArgumentException>(() => be.ConvForward(s with { DilationH = 0 }, x, w, null, ActivationKind.Linear, 6, y, null)).Message);
        Assert.Contains("beyond 2^31", Assert.Throws<ArgumentException>(() => be.ConvForward(s with { OutH = int.MaxValue / 2 }, x, w, null, ActivationKind.Linear, 6, y, null)).Message);
        Assert.Throws<ArgumentException>(() => ConvSpec.ForTranspose(1, 4, 4, 6, 6, 2, 2, 2, 2, 2, 1, 1, "same"));
    }

    private static void AssertNear(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * (1 + Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]} vs {expected[i]}");
    }

    [Fact]
    public void ForwardAndBackwardAllocateNothingOnceWarm()
    {
        var sink = GradientSink.All();
        foreach (var c in ConvCase.All())
        {
            var (layer, x, r) = c.Instantiate(5);
            var ctx = new CallContext();
            ctx.Inputs[0] = x;
            ctx.Training = true;
            void Step()
            {
                layer.ForwardNode(ctx);
                layer.BackwardNode(ctx, [r], true, sink);
            }
            Step();
            Step();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 3; k++) Step();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated == 0, $"{c.Label}: {allocated} bytes allocated in 3 warm steps");
        }
    }

    /// <summary>Eager calls give the same result run after run (the kernels' thread split never changes a value).</summary>
    [Fact]
    public void RepeatedCallsAreBitIdentical()
    {
        foreach (var c in ConvCase.All().Where(c => c.Spec["kind"]!.GetValue<string>() is "depthwise" or "separable"))
        {
            var (layer, x, r) = c.Instantiate(9);
            var (dx1, dw1) = GradientCheck.Analytic(layer, x, r);
            var (dx2, dw2) = GradientCheck.Analytic(layer, x, r);
            Assert.Equal(dx1, dx2);
            for (int k = 0; k < dw1.Count; k++) Assert.Equal(dw1[k], dw2[k]);
        }
    }
}
