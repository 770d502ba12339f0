using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Engine.Kernels;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Engine;

/// <summary>
/// The convolution's training kernels through the backend (the direct forward, the implicit filter gradient, the
/// input gradient as a flipped direct convolution at stride 1 and the im2col fold otherwise) against PyTorch in float64
/// (Oracles/conv_torch.py, TensorFlow's padding written there): odd sizes, 1, 3, 5 and 32 channels, filter counts that
/// are and are not whole vector panels, 'valid' and 'same', strides 1, 2 and 3 (a stride above the kernel too), non-square kernels, a kernel beyond the
/// image, 1x1 kernels, a dilated case (the general path) and a batch large enough to split over threads. The filter
/// gradient runs at every vector width this machine has (Gemm.Width, process-wide: the class runs alone); the direct
/// kernels at the machine's own, so .ci/isa-check covers the narrower ones.
/// </summary>
[Collection(ProcessWideCollection.Name)]
public class ConvBackwardTests(ITestOutputHelper output)
{
    private sealed record Case(int Batch, int H, int W, int C, int F, int KH, int KW, int S, int D, string Padding, bool Relu = false)
    {
        public string Label => $"n{Batch} {H}x{W}x{C} f{F} k{KH}x{KW} s{S} d{D} {Padding}{(Relu ? " relu" : "")}";
        public ConvSpec Spec => ConvSpec.Create(Batch, H, W, C, KH, KW, S, S, D, D, 1, Padding);
    }

    private static IEnumerable<Case> Cases()
    {
        foreach (int c in new[] { 1, 3, 5 })
        {
            yield return new(2, 9, 11, c, 32, 3, 3, 1, 1, "valid");
            yield return new(1, 8, 7, c, 7, 3, 3, 2, 1, "same");
            yield return new(3, 6, 13, c, 40, 2, 5, 1, 1, "same");
            yield return new(2, 7, 9, c, 16, 3, 3, 2, 1, "valid");
        }
        yield return new(2, 10, 9, 32, 64, 3, 3, 1, 1, "same");   // many channels, two panels
        yield return new(1, 13, 13, 32, 64, 3, 3, 1, 1, "valid"); // the MNIST convnet's second layer
        yield return new(4, 31, 17, 3, 32, 3, 3, 1, 1, "valid");  // enough rows to split over threads
        yield return new(2, 3, 3, 2, 3, 5, 5, 1, 1, "same");      // kernel beyond the image, three filters
        yield return new(2, 5, 6, 8, 12, 1, 1, 1, 1, "valid");    // pointwise: GEMM on the input
        yield return new(2, 7, 9, 3, 33, 1, 1, 2, 1, "valid");    // strided 1x1
        yield return new(2, 9, 10, 3, 8, 3, 3, 1, 2, "same");     // dilated: the general path
        // Strided input gradients (the im2col fold):
        yield return new(2, 11, 10, 4, 20, 5, 5, 2, 1, "same");   // two taps or three per phase, padding 2
        yield return new(1, 12, 12, 32, 48, 3, 3, 2, 1, "same");  // MobileNet's strided 3x3 shape, two panels
        yield return new(2, 9, 8, 3, 9, 2, 2, 3, 1, "valid");     // stride above the kernel: rows with no taps
        yield return new(2, 10, 7, 3, 5, 4, 3, 3, 1, "same");     // stride 3, kernel 4x3
    }

    private static float[] Random(Random r, long n, float lo, float hi)
    {
        var v = new float[n];
        for (int i = 0; i < v.Length; i++) v[i] = lo + (hi - lo) * r.NextSingle();
        return v;
    }

    private static IEnumerable<VectorWidth> Widths() =>
        new[] { VectorWidth.W512, VectorWidth.W256, VectorWidth.W128 }.Where(Simd.Supports);

    /// <summary>
    /// y, dx, dw and the bias gradient of every case against torch, each to 1e-4 scaled by the case's largest value:
    /// linear, through the separate passes; and followed by ReLU, through the fused pass (ConvBackwardActivated: mask,
    /// bias sums, filter gradient and the pre-activation gradient the input gradient then reads).
    /// </summary>
    [SkippableFact]
    public void GradientsMatchPyTorch()
    {
        Oracle.RequirePython("torch", "numpy");
        var cases = Cases().Concat(Cases().Select(c => c with { Relu = true })).ToList();
        var dir = Oracle.TempDir();
        var be = new CpuBackend();
        var specs = new JsonArray();
        var got = new List<Dictionary<string, float[]>>();
        var r = new Random(11);
        var saved = Gemm.Width;
        try
        {
            for (int i = 0; i < cases.Count; i++)
            {
                var c = cases[i];
                var s = c.Spec;
                var x = Random(r, s.InputLength, -1, 1);
                var w = Random(r, s.KernelLength(c.F), -0.5f, 0.5f);
                var b = Random(r, c.F, -0.5f, 0.5f);
                var dy = Random(r, s.OutputLengthFor(c.F), -1, 1);
                Npy.Save(Path.Combine(dir, $"{i}_x.npy"), new Tensor(x, [c.Batch, c.H, c.W, c.C]));
                Npy.Save(Path.Combine(dir, $"{i}_w.npy"), new Tensor(w, [c.KH, c.KW, c.C, c.F]));
                Npy.Save(Path.Combine(dir, $"{i}_b.npy"), new Tensor(b, [c.F]));
                Npy.Save(Path.Combine(dir, $"{i}_r.npy"), new Tensor(dy, [c.Batch, s.OutH, s.OutW, c.F]));
                var ws = new ConvWorkspace();
                var y = new float[dy.Length];
                be.ConvForward(s, x, w, b, c.Relu ? ActivationKind.Relu : ActivationKind.Linear, c.F, y, ws);
                var res = new Dictionary<string, float[]> { ["y"] = y };
                foreach (var width in Widths())
                {
                    Gemm.Width = width;
                    var dw = new float[w.Length];
                    var dx = new float[x.Length];
                    var db = new float[c.F];
                    if (c.Relu)
                    {
                        var pre = new float[dy.Length];
                        be.ConvBackwardActivated(s, x, y, dy, c.F, dw, db, pre, ws);
                        be.ConvBackwardInput(s, pre, w, c.F, dx, ws);
                    }
                    else
                    {
                        be.ConvBackwardFilter(s, x, dy, c.F, dw, ws);
                        be.ConvBackwardInput(s, dy, w, c.F, dx, ws);
                        be.ColumnSums(dy, s.Rows, c.F, db);
                    }
                    res[$"dw {width}"] = dw;
                    res[$"dx {width}"] = dx;
                    res[$"db {width}"] = db;
                }
                Gemm.Width = saved;
                got.Add(res);
                specs.Add(new JsonObject
                {
                    ["kind"] = "conv", ["rank"] = 2, ["kernel"] = new JsonArray(c.KH, c.KW), ["strides"] = new JsonArray(c.S, c.S),
                    ["dilation"] = new JsonArray(c.D, c.D), ["padding"] = c.Padding, ["groups"] = 1, ["output_padding"] = null,
                    ["activation"] = c.Relu ? "relu" : "linear", ["weights"] = new JsonArray("w", "b"),
                });
            }
        }
        finally { Gemm.Width = saved; }
        File.WriteAllText(Path.Combine(dir, "cases.json"), specs.ToJsonString());
        Oracle.RunPythonScript("conv_torch.py", dir);
        double worst = 0;
        for (int i = 0; i < cases.Count; i++)
            foreach (var (name, values) in got[i])
            {
                var expected = Npy.Load(Path.Combine(dir, $"{i}_{name.Split(' ')[0]}.npy")).ToArray();
                Assert.True(expected.Length == values.Length, $"{cases[i].Label} {name}: {values.Length} values, torch {expected.Length}");
                double scale = Math.Max(1, expected.Max(Math.Abs));
                for (int j = 0; j < expected.Length; j++)
                {
                    double d = Math.Abs(expected[j] - values[j]) / scale;
                    worst = Math.Max(worst, d);
                    Assert.True(d <= 1e-4, $"{cases[i].Label} {name}[{j}] = {values[j]}, torch {expected[j]}");
                }
            }
        output.WriteLine($"conv training kernels vs torch: max scaled difference {worst:E2} over {cases.Count} cases");
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    /// <summary>
    /// Seeded training needs the same bits every run: the filter gradient (split over threads, partials added in part
    /// order) twice on the same data, and once more after the workspace served a larger geometry.
    /// </summary>
    [Fact]
    public void FilterGradientIsBitReproducible()
    {
        var be = new CpuBackend();
        var r = new Random(3);
        var s = ConvSpec.Create(8, 29, 29, 32, 3, 3, 1, 1, 1, 1, 1, "valid");
        var big = ConvSpec.Create(8, 40, 40, 32, 3, 3, 1, 1, 1, 1, 1, "same");
        var x = Random(r, s.InputLength, -1, 1);
        var dy = Random(r, s.OutputLengthFor(24), -1, 1);
        var ws = new ConvWorkspace();
        var a = new float[s.KernelLength(24)];
        var b = new float[a.Length];
        var c = new float[a.Length];
        be.ConvBackwardFilter(s, x, dy, 24, a, ws);
        be.ConvBackwardFilter(s, x, dy, 24, b, ws);
        be.ConvBackwardFilter(big, Random(r, big.InputLength, -1, 1), Random(r, big.OutputLengthFor(24), -1, 1), 24, new float[a.Length], ws);
        be.ConvBackwardFilter(s, x, dy, 24, c, null);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(a[i]), BitConverter.SingleToInt32Bits(b[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(a[i]), BitConverter.SingleToInt32Bits(c[i]));
        }
        // The fused pass: the same bits twice, and the same filter gradient whether or not it also writes the bias
        // gradient and the pre-activation gradient (a first layer asks for neither).
        var y = Random(r, dy.Length, -1, 1);
        var d0 = new float[a.Length];
        var d1 = new float[a.Length];
        var d2 = new float[a.Length];
        var db0 = new float[24];
        var db1 = new float[24];
        be.ConvBackwardActivated(s, x, y, dy, 24, d0, db0, new float[dy.Length], ws);
        be.ConvBackwardActivated(s, x, y, dy, 24, d1, db1, new float[dy.Length], ws);
        be.ConvBackwardActivated(s, x, y, dy, 24, d2, null, null, ws);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(d0[i]), BitConverter.SingleToInt32Bits(d1[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(d0[i]), BitConverter.SingleToInt32Bits(d2[i]));
        }
        for (int i = 0; i < 24; i++) Assert.Equal(BitConverter.SingleToInt32Bits(db0[i]), BitConverter.SingleToInt32Bits(db1[i]));
    }
}
