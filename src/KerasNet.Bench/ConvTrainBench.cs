#nullable enable
using System.Globalization;
using KerasNet.Engine;
using KerasNet.Engine.Kernels;

namespace KerasNet.Bench;

/// <summary>
/// `convtrain`: each training pass of the bench networks' conv layers (forward, filter gradient, input gradient) on
/// the backend against the im2col + GEMM formulation it replaced (unfold, GEMM, fold), in the same process, one
/// thread, timed by the process's CPU time so a loaded machine's scheduling stays out of the figures.
/// </summary>
internal static class ConvTrainBench
{
    public static void Run(bool quick)
    {
        Threads.Count = 1;
        int rounds = quick ? 5 : 15;
        var be = new CpuBackend();
        // (name, batch, side, channels, filters, input gradient needed, kernel, stride, padding): the bench networks'
        // layers, then strided ones (3x3 and 5x5 stride-2 'same' layers at several channel counts, ResNet's 1x1 stride-2
        // projection), whose input gradient still folds an im2col matrix: the shapes a replacement must beat.
        (string, int, int, int, int, bool, int, int, string)[] shapes =
        [
            ("mnist conv1", 128, 28, 1, 32, false, 3, 1, "valid"), ("mnist conv2", 128, 13, 32, 64, true, 3, 1, "valid"),
            ("tutorial conv1", 64, 64, 3, 32, false, 3, 1, "valid"), ("tutorial conv2", 64, 31, 32, 32, true, 3, 1, "valid"),
            ("tutorial conv3", 64, 14, 32, 32, true, 3, 1, "valid"),
            ("3x3 s2 same", 16, 32, 32, 64, true, 3, 2, "same"), ("1x1 s2", 16, 28, 64, 128, true, 1, 2, "valid"),
            ("5x5 s2 same", 16, 24, 16, 32, true, 5, 2, "same"), ("5x5 s2 c32", 16, 24, 32, 32, true, 5, 2, "same"),
            ("3x3 s2 c16", 16, 32, 16, 32, true, 3, 2, "same"), ("3x3 s2 c128", 8, 28, 128, 128, true, 3, 2, "same"),
        ];
        Console.WriteLine($"width {Gemm.Width}; ms per call (CPU time, 1 thread), im2col+GEMM -> now");
        foreach (var (name, batch, side, c, f, needDx, k, stride, padding) in shapes)
        {
            var g = ConvGeometry.Create(batch, side, side, c, k, k, stride, stride, padding);
            var r = new Random(1);
            float[] Rand(long n) { var v = new float[n]; for (int i = 0; i < v.Length; i++) v[i] = r.NextSingle() - 0.5f; return v; }
            var x = Rand((long)batch * side * side * c); var w = Rand(g.Cols * f); var b = Rand(f);
            var y = new float[g.Rows * f]; var dy = Rand(y.Length); var dw = new float[w.Length]; var dx = new float[x.Length];
            var col = new float[(long)g.Rows * g.Cols];
            var ws = new ConvWorkspace();
            (string, Action, Action)[] ops =
            [
                ("forward", () => { Im2Col.Unfold(g, x, col); Gemm.Run(false, false, g.Rows, f, g.Cols, col, g.Cols, w, f, y, f, false, b, true); },
                    () => be.Conv2DForward(g, x, w, b, ActivationKind.Relu, f, y, ws)),
                ("filter grad", () => Gemm.Run(true, false, g.Cols, f, g.Rows, col, g.Cols, dy, f, dw, f, false),
                    () => be.Conv2DBackwardFilter(g, x, dy, f, dw, ws)),
                ("input grad", () => { Gemm.Run(false, true, g.Rows, g.Cols, f, dy, f, w, f, col, g.Cols, false); Im2Col.Fold(g, col, dx); },
                    () => be.Conv2DBackwardInput(g, dy, w, f, dx, ws)),
            ];
            double to = 0, tn = 0;
            foreach (var (op, old, now) in ops)
            {
                if (op == "input grad" && !needDx) continue;
                old(); now();
                var a = new double[rounds]; var n = new double[rounds];
                for (int i = 0; i < rounds; i++) { a[i] = InferBench.CpuTime(old); n[i] = InferBench.CpuTime(now); }
                double mo = Stats.Median(a), mn = Stats.Median(n);
                to += mo; tn += mn;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-15} b{batch,-4} {op,-12} {mo,8:0.00} -> {mn,8:0.00}  {mo / mn,5:0.00}x"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-15} b{batch,-4} {"all",-12} {to,8:0.00} -> {tn,8:0.00}  {to / tn,5:0.00}x"));
        }
    }
}
