#nullable enable
using System.Diagnostics;
using KerasNet.Engine;
using KerasNet.Engine.Kernels;
using KerasNet.Optimizers;

namespace KerasNet.Bench;

/// <summary>
/// Times each engine kernel at the shapes the tutorial network uses (batch 8 unless noted) and reports
/// GFLOP/s (multiply-add = 2 flops) and GB/s (compulsory bytes: every operand read once, every result written once).
/// </summary>
internal static class KernelBench
{
    private sealed record Op(string Name, double Flops, double Bytes, Action Body);

    public static void Run(string? filter = null, int reps = 30)
    {
        var be = Backend.Current;
        var ops = new List<Op>();
        foreach (var (h, c, layer) in new[] { (64, 3, "conv1"), (31, 32, "conv2"), (14, 32, "conv3") })
        {
            var g = ConvGeometry.Create(8, h, h, c, 3, 3, 1, 1, "valid");
            var x = Rand(g.Batch * h * h * c); var w = Rand(g.Cols * 32); var y = new float[g.Rows * 32];
            var dx = new float[x.Length]; var dw = new float[w.Length];
            double macs = (double)g.Rows * g.Cols * 32, io = 4.0 * (x.Length + w.Length + y.Length);
            ops.Add(new($"{layer} forward", 2 * macs, io, () => be.Conv2DForward(g, x, w, 32, y)));
            ops.Add(new($"{layer} backward filter", 2 * macs, io, () => be.Conv2DBackwardFilter(g, x, y, 32, dw)));
            ops.Add(new($"{layer} backward input", 2 * macs, io, () => be.Conv2DBackwardInput(g, y, w, 32, dx)));
            ops.Add(new($"{layer} bias+relu", y.Length, 8.0 * y.Length, () => be.BiasActivation(y, g.Rows, w.AsSpan(0, 32).ToArray(), ActivationKind.Relu)));
            var pg = ConvGeometry.Create(8, g.OutH, g.OutW, 32, 2, 2, 2, 2, "valid");
            var py = new float[pg.Rows * 32]; var arg = new int[py.Length];
            ops.Add(new($"{layer} maxpool forward", y.Length, 4.0 * (y.Length + 2 * py.Length), () => be.MaxPoolForward(pg, y, py, arg)));
            ops.Add(new($"{layer} maxpool backward", py.Length, 4.0 * (y.Length + 2 * py.Length), () => be.MaxPoolBackward(pg, py, arg, y)));
        }
        {
            // A MobileNet block at batch 8: 3x3 depthwise (direct NHWC kernels) and 1x1 pointwise (GEMM on the input) on 32x32x64.
            var dws = ConvSpec.Create(8, 32, 32, 64, 3, 3, 1, 1, 1, 1, 64, "same");
            var pws = ConvSpec.Create(8, 32, 32, 64, 1, 1, 1, 1, 1, 1, 1, "valid");
            var x = Rand((int)dws.InputLength); var dx = new float[x.Length]; var y = new float[x.Length];
            var wd = Rand(9 * 64); var dwd = new float[wd.Length]; var wp = Rand(64 * 64); var dwp = new float[wp.Length];
            double dmacs = (double)dws.Rows * 9 * 64, pmacs = (double)pws.Rows * 64 * 64, io = 8.0 * x.Length;
            ops.Add(new("depthwise 3x3 forward", 2 * dmacs, io, () => be.ConvForward(dws, x, wd, null, ActivationKind.Linear, 64, y, null)));
            ops.Add(new("depthwise 3x3 backward filter", 2 * dmacs, io, () => be.ConvBackwardFilter(dws, x, y, 64, dwd, null)));
            ops.Add(new("depthwise 3x3 backward input", 2 * dmacs, io, () => be.ConvBackwardInput(dws, y, wd, 64, dx, null)));
            ops.Add(new("pointwise 1x1 forward", 2 * pmacs, io, () => be.ConvForward(pws, x, wp, null, ActivationKind.Linear, 64, y, null)));
            ops.Add(new("pointwise 1x1 backward filter", 2 * pmacs, io, () => be.ConvBackwardFilter(pws, x, y, 64, dwp, null)));
            ops.Add(new("pointwise 1x1 backward input", 2 * pmacs, io, () => be.ConvBackwardInput(pws, y, wp, 64, dx, null)));
        }
        {
            // Activations on the first convolution's output (8 x 62 x 62 x 32). The in-place forms every engine had: each
            // timing includes the copy that restores the input (or the incoming gradient), so repeats see the same data.
            int n = 8 * 62 * 62 * 32, cols = 32;
            var src = Rand(n); var y = new float[n]; var g0 = Rand(n); var g = new float[n];
            ops.Add(new("act copy alone", 0, 8.0 * n, () => Array.Copy(src, y, n)));
            foreach (var kind in new[] { ActivationKind.Relu, ActivationKind.Sigmoid, ActivationKind.Tanh, ActivationKind.Softmax })
            {
                ops.Add(new($"act {kind} forward (copy + in place)", 0, 12.0 * n, () => { Array.Copy(src, y, n); be.Activation(y, n, cols, kind); }));
                ops.Add(new($"act {kind} backward (copy + in place)", 0, 16.0 * n, () => { Array.Copy(g0, g, n); be.ActivationBackward(g, y, n, cols, kind); }));
            }
            // The newer activations, out of place; backward reads the pre-activation where the output cannot give the derivative.
            foreach (var kind in new[] { ActivationKind.Gelu, ActivationKind.GeluTanh, ActivationKind.Swish, ActivationKind.Elu, ActivationKind.Selu,
                ActivationKind.Softplus, ActivationKind.Mish, ActivationKind.HardSwish, ActivationKind.HardSigmoid, ActivationKind.LogSoftmax })
            {
                ops.Add(new($"act {kind} forward", 0, 8.0 * n, () => be.Activation(src, y, n, cols, kind)));
                ops.Add(new($"act {kind} backward (copy)", 0, 16.0 * n, () => { Array.Copy(g0, g, n); be.ActivationBackward(g, y, src, n, cols, kind); }));
            }
        }
        foreach (var (k, n, layer) in new[] { (1152, 3137, "dense"), (3137, 3137, "dense_1") })
        {
            var w = Rand(k * n); var dw = new float[k * n];
            foreach (int m in new[] { 8, 1 })
            {
                var xin = Rand(m * k); var y = new float[m * n]; var dx = new float[m * k];
                double macs = (double)m * k * n, wb = 4.0 * k * n;
                ops.Add(new($"{layer} forward m={m}", 2 * macs, wb + 4.0 * (xin.Length + y.Length), () => be.Gemm(false, false, m, n, k, xin, k, w, n, y, n, false)));
                if (m == 1) continue;
                ops.Add(new($"{layer} dW", 2 * macs, wb + 4.0 * (xin.Length + y.Length), () => be.Gemm(true, false, k, n, m, xin, k, y, n, dw, n, false)));
                ops.Add(new($"{layer} dX", 2 * macs, wb + 4.0 * (xin.Length + y.Length), () => be.Gemm(false, true, m, k, n, y, n, w, n, dx, k, false)));
                var adam = new AdamRowUpdate(new float[k * n], new float[k * n]);
                adam.SetStep(1e-3f, 0.1f, 0.001f, 1e-7f);
                ops.Add(new($"{layer} fused dX+dW+Adam", 4 * macs, 24.0 * k * n, () => be.DenseBackwardFused(m, k, n, xin, y, w, dx, adam)));
                ops.Add(new($"{layer} fused dX+dW, no update", 4 * macs, 4.0 * k * n, () => be.DenseBackwardFused(m, k, n, xin, y, w, dx, NoUpdate.Instance)));
            }
        }
        {
            int total = 13_497_955;
            var w = Rand(total); var g = Rand(total); var m = new float[total]; var v = new float[total];
            ops.Add(new("Adam step (all 13.5 M weights)", 0, 28.0 * total, () => OptimizerKernels.AdamParallel(w, g, m, v, 1e-3f, 0.1f, 0.001f, 1e-7f)));
        }
        Console.WriteLine($"{"kernel",-34} {"ms",8} {"GFLOP/s",8} {"GB/s",7}");
        foreach (var op in ops.Where(o => filter is null || o.Name.Contains(filter)))
        {
            // Enough calls for tiered JIT to reach optimized code (kernels are called a few times per step).
            var warm = Stopwatch.StartNew();
            for (int i = 0; i < 60 && (i < 5 || warm.ElapsedMilliseconds < 400); i++) op.Body();
            var t = new double[reps];
            for (int i = 0; i < reps; i++) { long t0 = Stopwatch.GetTimestamp(); op.Body(); t[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds; }
            double s = Stats.Median(t);
            Console.WriteLine($"{op.Name,-34} {s * 1e3,8:F3} {(op.Flops > 0 ? $"{op.Flops / s / 1e9,8:F1}" : "       -")} {op.Bytes / s / 1e9,7:F1}");
        }
    }

    /// <summary>
    /// A ZeroPadding2D((0, 1), (0, 1)) + 3x3 stride-2 'valid' depthwise convolution (MobileNetV2's stride-2 blocks) on a
    /// batch of h x h x c images: the padded copy, the convolution of the padded image, and the convolution reading
    /// the unpadded image with the margin as padding (as the graph runs it at inference); medians of 20 rounds.
    /// </summary>
    public static void PadConv(int batch, int h, int c)
    {
        var be = Backend.Current;
        var padded = ConvSpec.Create(batch, h + 1, h + 1, c, 3, 3, 2, 2, 1, 1, c, "valid");
        var fused = padded with { InH = h, InW = h };
        var x = Rand(batch * h * h * c); var xp = new float[batch * (h + 1) * (h + 1) * c];
        var w = Rand(9 * c); var b = Rand(c); var y = new float[batch * padded.OutH * padded.OutW * c];
        void Pad() { for (int n = 0; n < batch; n++) for (int i = 0; i < h; i++) x.AsSpan((n * h + i) * h * c, h * c).CopyTo(xp.AsSpan(((n * (h + 1)) + i) * (h + 1) * c)); }
        var t = new List<double>[3] { new(), new(), new() };
        for (int r = 0; r < 23; r++)
        {
            long t0 = Stopwatch.GetTimestamp(); Pad(); double tp = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            t0 = Stopwatch.GetTimestamp(); be.ConvInfer(padded, xp, w, b, -1, ActivationKind.Relu, c, y, null); double tv = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            t0 = Stopwatch.GetTimestamp(); be.ConvInfer(fused, x, w, b, -1, ActivationKind.Relu, c, y, null); double tf = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (r >= 3) { t[0].Add(tp); t[1].Add(tv); t[2].Add(tf); }
        }
        Console.WriteLine($"pad copy {Stats.Median(t[0].ToArray()):F3} ms, depthwise on padded {Stats.Median(t[1].ToArray()):F3} ms, fused {Stats.Median(t[2].ToArray()):F3} ms");
    }

    /// <summary>
    /// The training forward of a few-row dense layer (plain B, streamed) with B cold: four copies of B, together
    /// larger than the last-level cache, are used in turn (as a training step meets each kernel once). Each strip
    /// width in turn, interleaved over 20 rounds: medians per width.
    /// </summary>
    public static void StreamGemm(int m, int k, int n, int[] strips)
    {
        if (strips.Any(w => w <= 0 || w % 16 != 0)) throw new ArgumentException("streamgemm: each strip width must be a positive multiple of 16 (a vector at every width).");
        var a = Rand(m * k); var c = new float[m * n];
        var bs = Enumerable.Range(0, 4).Select(_ => Rand(k * n)).ToArray();
        int saved = GemmJob.StripWidth;
        var t = strips.Select(_ => new List<double>()).ToArray();
        try
        {
            for (int round = -2; round < 20; round++)
                for (int v = 0; v < strips.Length; v++)
                {
                    GemmJob.StripWidth = strips[v];
                    foreach (var b in bs)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        Backend.Current.DenseForward(m, k, n, a, b, null, ActivationKind.Relu, c);
                        if (round >= 0) t[v].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                    }
                }
        }
        finally { GemmJob.StripWidth = saved; }
        for (int v = 0; v < strips.Length; v++)
        {
            double ms = Stats.Median(t[v].ToArray());
            Console.WriteLine($"dense forward {m}x{k}x{n} cold B, strip {strips[v]}: {ms:F3} ms, {4.0 * k * n / ms / 1e6:F1} GB/s of B");
        }
    }

    /// <summary>
    /// The fused dense backward with Adam (DenseFused) on random operands at each prefetch distance in turn, interleaved
    /// over 22 timed rounds (wall time, the engine's threads): medians per distance.
    /// </summary>
    public static void DenseFusedPrefetch(int rows, int inDim, int units, int[] dists)
    {
        var x = Rand(rows * inDim); var dy = Rand(rows * units); var w = Rand(inDim * units); var dx = new float[rows * inDim];
        var m = Rand(inDim * units); var v = Rand(inDim * units);
        for (int i = 0; i < v.Length; i++) v[i] = Math.Abs(v[i]);
        var upd = new KerasNet.Engine.AdamRowUpdate(m, v);
        upd.SetStep(1e-9f, 0.1f, 0.001f, 1e-7f);
        var t = dists.Select(_ => new List<double>()).ToArray();
        int saved = KerasNet.Engine.Kernels.DenseFused.PrefetchFloats;
        try
        {
            for (int r = 0; r < 25; r++)
                for (int q = 0; q < dists.Length; q++)
                {
                    KerasNet.Engine.Kernels.DenseFused.PrefetchFloats = dists[q];
                    long t0 = Stopwatch.GetTimestamp();
                    KerasNet.Engine.Kernels.DenseFused.Run(rows, inDim, units, x, dy, w, dx, upd);
                    if (r >= 3) t[q].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
                }
        }
        finally { KerasNet.Engine.Kernels.DenseFused.PrefetchFloats = saved; }
        for (int q = 0; q < dists.Length; q++) Console.WriteLine($"prefetch {dists[q]}: {Stats.Median(t[q].ToArray()):F3} ms");
    }

    /// <summary>
    /// Times one GEMM shape (diagnostics) at every vector width this machine runs (the process's own first), in the
    /// same process, so the widths' ratios are measured under the same load.
    /// </summary>
    public static void Gemm(int m, int n, int k, bool ta, bool tb)
    {
        if (Environment.GetEnvironmentVariable("KERASNET_GEMM_AB") is not null) { GemmPackedVersusInPlace(m, n, k); return; }
        var a = Rand(m * k); var b = Rand(k * n); var c = new float[m * n];
        var saved = KerasNet.Engine.Kernels.Gemm.Width;
        try
        {
            foreach (var width in new[] { saved, VectorWidth.W512, VectorWidth.W256, VectorWidth.W128 }.Distinct().Where(Simd.Supports))
            {
                KerasNet.Engine.Kernels.Gemm.Width = width;
                var t = new double[20];
                for (int i = -3; i < t.Length; i++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    Backend.Current.Gemm(ta, tb, m, n, k, a, ta ? m : k, b, tb ? k : n, c, n, false);
                    if (i >= 0) t[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
                }
                double s = Stats.Median(t);
                Console.WriteLine($"gemm {m}x{n}x{k} ta={ta} tb={tb} {width}: {s * 1e3:F3} ms, {2.0 * m * n * k / s / 1e9:F1} GFLOP/s");
            }
        }
        finally { KerasNet.Engine.Kernels.Gemm.Width = saved; }
    }

    /// <summary>
    /// A plain wide B packed block by block against read in place, interleaved, on one thread by CPU time (steady on a
    /// loaded machine), at each width.
    /// </summary>
    private static void GemmPackedVersusInPlace(int m, int n, int k)
    {
        var a = Rand(m * k); var b = Rand(k * n); var c = new float[m * n];
        var saved = KerasNet.Engine.Kernels.Gemm.Width;
        int savedWide = KerasNet.Engine.Kernels.GemmJob.WideLdb, savedSmall = KerasNet.Engine.Kernels.Gemm.SmallM, savedThreads = Threads.Count;
        try
        {
            Threads.Count = 1;
            foreach (var width in new[] { VectorWidth.W512, VectorWidth.W256, VectorWidth.W128 }.Where(Simd.Supports))
            {
                KerasNet.Engine.Kernels.Gemm.Width = width;
                var t = new double[4][];
                for (int v = 0; v < t.Length; v++) t[v] = new double[9];
                var panels = KerasNet.Engine.Kernels.Gemm.PackPanels(k, n, b, n);
                for (int i = -1; i < 9; i++)
                    for (int v = 0; v < t.Length; v++)
                    {
                        KerasNet.Engine.Kernels.GemmJob.WideLdb = v == 0 ? int.MaxValue : savedWide;
                        KerasNet.Engine.Kernels.Gemm.SmallM = v == 2 ? int.MaxValue : savedSmall;
                        double ms = InferBench.CpuTime(() =>
                        {
                            if (v == 3) KerasNet.Engine.Kernels.Gemm.RunPacked(m, n, k, a, k, panels, c, n, null, false);
                            else Backend.Current.Gemm(false, false, m, n, k, a, k, b, n, c, n, false);
                        });
                        if (i >= 0) t[v][i] = ms / 1e3;
                    }
                double s0 = Stats.Median(t[0]), s1 = Stats.Median(t[1]), s2 = Stats.Median(t[2]);
                Console.WriteLine($"gemm {m}x{n}x{k} {width} 1 thread CPU ms: tiles on B in place {s0 * 1e3:F2}, tiles on packed blocks {s1 * 1e3:F2} ({s0 / s1:F2}x), streamed {s2 * 1e3:F2} ({s0 / s2:F2}x), prepacked {Stats.Median(t[3]) * 1e3:F2} ({s0 / Stats.Median(t[3]):F2}x)");
            }
        }
        finally { KerasNet.Engine.Kernels.Gemm.Width = saved; KerasNet.Engine.Kernels.GemmJob.WideLdb = savedWide; KerasNet.Engine.Kernels.Gemm.SmallM = savedSmall; Threads.Count = savedThreads; }
    }

    private sealed class NoUpdate : IWeightUpdate
    {
        public static readonly NoUpdate Instance = new();
        public void Update(int offset, Span<float> w, ReadOnlySpan<float> g) { }
    }

    private static float[] Rand(int n)
    {
        var r = new Random(n);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() - 0.5);
        return a;
    }
}
