using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Layers;

/// <summary>
/// The inference convolution (the direct implicit-GEMM kernel, the pointwise GEMM, the fallbacks) and the vectorised
/// pooling kernels against PyTorch (Oracles/conv_kernel_torch.py, float64, TensorFlow's padding written there) over odd
/// sizes, strides, paddings, dilations, 1..5 and many channels, 1x1 kernels and batches 1 and above; the inference
/// path against the training forward and against weight updates. The class name ends in ConvKernelTests so ISA checks
/// (DOTNET_EnableAVX512=0, DOTNET_EnableAVX2=0) can run it by filter on the narrower vector paths.
/// </summary>
public class ConvKernelTests(ITestOutputHelper output)
{
    private sealed record Case(string Op, int Batch, int H, int W, int C, int F, int KH, int KW, int SH, int SW, int DH, int DW,
        string Padding, bool Bias, bool Relu)
    {
        public string Label => $"{Op} n{Batch} {H}x{W}x{C} f{F} k{KH}x{KW} s{SH},{SW} d{DH},{DW} {Padding}{(Bias ? " bias" : "")}{(Relu ? " relu" : "")}";
        public ConvSpec Spec => ConvSpec.Create(Batch, H, W, C, KH, KW, SH, SW, DH, DW, 1, Padding);
        public ConvGeometry Geometry => ConvGeometry.Create(Batch, H, W, C, KH, KW, SH, SW, Padding);
    }

    private static IEnumerable<Case> ConvCases()
    {
        for (int c = 1; c <= 5; c++)
        {
            yield return new("conv", 1, 9, 11, c, 32, 3, 3, 1, 1, 1, 1, "valid", true, true);
            yield return new("conv", 2, 8, 7, c, 7, 3, 3, 2, 2, 1, 1, "same", false, false);
            yield return new("conv", 3, 6, 13, c, 40, 2, 5, 2, 1, 1, 1, "same", true, true);
            yield return new("conv", 1, 5, 29, c, 16, 3, 3, 1, 1, 1, 1, "same", true, false);
        }
        yield return new("conv", 2, 5, 6, 8, 16, 1, 1, 1, 1, 1, 1, "valid", true, true);    // pointwise: GEMM on the input
        yield return new("conv", 2, 7, 9, 3, 33, 1, 1, 2, 2, 1, 1, "valid", true, false);   // strided 1x1: direct
        yield return new("conv", 2, 10, 9, 32, 64, 3, 3, 1, 1, 1, 1, "same", true, true);   // many channels, two panels
        yield return new("conv", 1, 31, 31, 32, 32, 3, 3, 1, 1, 1, 1, "valid", true, true); // the tutorial's second layer
        yield return new("conv", 2, 3, 3, 2, 1, 5, 5, 1, 1, 1, 1, "same", true, false);     // kernel beyond the image, one filter
        yield return new("conv", 2, 9, 10, 3, 8, 3, 3, 1, 1, 2, 2, "same", true, true);     // dilated: the general path
        yield return new("conv", 4, 12, 12, 3, 24, 3, 3, 3, 3, 1, 1, "valid", false, true); // stride 3
    }

    private static IEnumerable<Case> PoolCases()
    {
        foreach (var op in new[] { "maxpool", "avgpool" })
            foreach (int c in new[] { 1, 3, 16, 17, 32, 35 })
            {
                yield return new(op, 2, 9, 7, c, c, 2, 2, 2, 2, 1, 1, "valid", false, false);
                yield return new(op, 1, 7, 8, c, c, 3, 3, 2, 2, 1, 1, "same", false, false);
                yield return new(op, 3, 5, 9, c, c, 2, 3, 1, 2, 1, 1, "same", false, false);
            }
    }

    private static float[] Random(Random r, long n, float lo, float hi)
    {
        var v = new float[n];
        for (int i = 0; i < v.Length; i++) v[i] = lo + (hi - lo) * r.NextSingle();
        return v;
    }

    /// <summary>Every case in one oracle run, each to 1e-4 (absolute plus relative).</summary>
    [SkippableFact]
    public void InferenceKernelsMatchPyTorch()
    {
        Oracle.RequirePython("torch", "numpy");
        var cases = ConvCases().Concat(PoolCases()).ToList();
        var dir = Oracle.TempDir();
        var be = new CpuBackend();
        var specs = new JsonArray();
        var results = new List<float[]>();
        var r = new Random(5);
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var x = Random(r, (long)c.Batch * c.H * c.W * c.C, -1, 1);
            Npy.Save(Path.Combine(dir, $"{i}_x.npy"), new Tensor(x, [c.Batch, c.H, c.W, c.C]));
            float[] y;
            if (c.Op == "conv")
            {
                var s = c.Spec;
                var w = Random(r, s.KernelLength(c.F), -0.5f, 0.5f);
                var b = c.Bias ? Random(r, c.F, -0.5f, 0.5f) : null;
                Npy.Save(Path.Combine(dir, $"{i}_w.npy"), new Tensor(w, [c.KH, c.KW, c.C, c.F]));
                if (b is not null) Npy.Save(Path.Combine(dir, $"{i}_b.npy"), new Tensor(b, [c.F]));
                y = new float[s.OutputLengthFor(c.F)];
                be.ConvInfer(s, x, w, b, 1, c.Relu ? ActivationKind.Relu : ActivationKind.Linear, c.F, y, new ConvWorkspace());
            }
            else
            {
                var g = c.Geometry;
                y = new float[(long)g.Batch * g.OutH * g.OutW * g.InC];
                if (c.Op == "maxpool") be.MaxPoolForward(g, x, y, []);
                else be.AvgPoolForward(g, x, y);
            }
            results.Add(y);
            specs.Add(new JsonObject
            {
                ["op"] = c.Op, ["kernel"] = new JsonArray(c.KH, c.KW), ["strides"] = new JsonArray(c.SH, c.SW),
                ["dilation"] = new JsonArray(c.DH, c.DW), ["padding"] = c.Padding, ["bias"] = c.Bias, ["relu"] = c.Relu,
            });
        }
        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        Oracle.RunPythonScript("conv_kernel_torch.py", dir);
        double worst = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            var expected = Npy.Load(Path.Combine(dir, $"{i}_y.npy"));
            Assert.True(expected.Length == results[i].Length, $"{cases[i].Label}: {results[i].Length} outputs, oracle {expected.Length}");
            for (int j = 0; j < expected.Length; j++)
            {
                double d = Math.Abs(expected[j] - results[i][j]);
                worst = Math.Max(worst, d);
                Assert.True(d <= 1e-4 + 1e-4 * Math.Abs(expected[j]), $"{cases[i].Label}: y[{j}] = {results[i][j]}, torch {expected[j]}");
            }
        }
        output.WriteLine($"inference conv/pool kernels vs torch: max abs difference {worst:E2} over {cases.Count} cases");
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    /// <summary>The inference kernel and the training forward (im2col + GEMM) on the same data: float rounding apart.</summary>
    [Fact]
    public void InferenceMatchesTrainingForward()
    {
        var be = new CpuBackend();
        var r = new Random(9);
        foreach (var c in ConvCases())
        {
            var s = c.Spec;
            var x = Random(r, s.InputLength, -1, 1);
            var w = Random(r, s.KernelLength(c.F), -0.5f, 0.5f);
            var b = c.Bias ? Random(r, c.F, -0.5f, 0.5f) : null;
            var act = c.Relu ? ActivationKind.Relu : ActivationKind.Linear;
            var y0 = new float[s.OutputLengthFor(c.F)];
            var y1 = new float[y0.Length];
            be.ConvForward(s, x, w, b, act, c.F, y0, null);
            be.ConvInfer(s, x, w, b, -1, act, c.F, y1, null);
            for (int j = 0; j < y0.Length; j++) Assert.True(Math.Abs(y0[j] - y1[j]) <= 1e-5 + 1e-5 * Math.Abs(y0[j]), $"{c.Label}: y[{j}] {y1[j]} vs training forward {y0[j]}");
        }
    }

    /// <summary>
    /// A layer's packed kernel follows its weights: after Assign (a new version), after a direct write marked with
    /// MarkChanged, and for a fresh bias; each inference call is checked against the training forward of the same weights.
    /// </summary>
    [Fact]
    public void PackedKernelFollowsWeightChanges()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(2);
        var layer = new Conv2D(20, (3, 3), padding: "same", activation: "relu", inputShape: (7, 9, 3));
        var x = new Tensor(Random(new Random(3), 2 * 7 * 9 * 3, -1, 1), [2, 7, 9, 3]);
        var r = new Random(4);
        void Check(string what)
        {
            var inference = layer.Call(x, training: false).ToArray();
            var training = layer.Call(x, training: true).ToArray();
            for (int j = 0; j < training.Length; j++) Assert.True(Math.Abs(training[j] - inference[j]) <= 1e-5 + 1e-5 * Math.Abs(training[j]), $"{what}: y[{j}] {inference[j]} vs {training[j]}");
        }
        Check("initial weights");
        layer.Kernel!.Assign(Random(r, layer.Kernel.Size, -1, 1));
        Check("after Assign");
        Random(r, layer.Kernel.Size, -1, 1).CopyTo(layer.Kernel.Value.Buffer, 0);
        layer.Kernel.MarkChanged();
        Check("after a direct write and MarkChanged");
        layer.Bias!.Assign(Random(r, layer.Bias.Size, -1, 1));
        Check("after a new bias");
    }

    /// <summary>Inference max pooling (no winners recorded) gives the training path's bits, ties and NaN included.</summary>
    [Fact]
    public void MaxPoolInferenceEqualsTrainingPath()
    {
        var be = new CpuBackend();
        var r = new Random(6);
        foreach (var c in PoolCases().Where(p => p.Op == "maxpool"))
        {
            var g = c.Geometry;
            // Few distinct values (ties everywhere), signed zeros and a NaN.
            var x = new float[(long)g.Batch * g.InH * g.InW * g.InC];
            for (int i = 0; i < x.Length; i++) x[i] = r.Next(4) switch { 0 => -0f, 1 => 0f, 2 => 1f, _ => -1f };
            x[x.Length / 2] = float.NaN;
            int outLen = g.Batch * g.OutH * g.OutW * g.InC;
            var y0 = new float[outLen];
            var y1 = new float[outLen];
            be.MaxPoolForward(g, x, y0, new int[outLen]);
            be.MaxPoolForward(g, x, y1, []);
            for (int j = 0; j < outLen; j++)
                Assert.True(BitConverter.SingleToInt32Bits(y0[j]) == BitConverter.SingleToInt32Bits(y1[j]), $"{c.Label}: y[{j}] {y1[j]} vs training path {y0[j]}");
        }
    }
}
