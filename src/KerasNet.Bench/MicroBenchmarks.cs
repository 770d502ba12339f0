#nullable enable
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using KerasNet.Engine;
using KerasNet.Optimizers;

namespace KerasNet.Bench;

/// <summary>
/// BenchmarkDotNet micro-benchmarks of the engine kernels at the tutorial network's shapes. In-process and short
/// (2 warm-up, 5 measured iterations) so the whole suite takes about a minute; use `kernels` for GFLOP/s and GB/s.
/// </summary>
internal static class MicroBenchmarks
{
    public static void Run(string[] filter)
    {
        var job = Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(2).WithIterationCount(5).WithLaunchCount(1);
        var config = ManualConfig.Create(DefaultConfig.Instance).AddJob(job).WithOptions(ConfigOptions.DisableOptimizationsValidator);
        BenchmarkSwitcher.FromTypes([typeof(SgemmBench), typeof(ConvBench), typeof(PoolBench), typeof(OptimizerBench)])
            .Run(filter.Length == 0 ? ["--filter", "*"] : filter, config);
    }

    internal static float[] Rand(int n, int seed = 1)
    {
        var r = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() - 0.5);
        return a;
    }
}

/// <summary>SGEMM at the conv2 (im2col) and dense_1 (batch 8) shapes.</summary>
public class SgemmBench
{
    private readonly float[] _col = MicroBenchmarks.Rand(6728 * 288), _wc = MicroBenchmarks.Rand(288 * 32), _yc = new float[6728 * 32];
    private readonly float[] _x = MicroBenchmarks.Rand(8 * 3137), _w = MicroBenchmarks.Rand(3137 * 3137), _y = new float[8 * 3137], _dw = new float[3137 * 3137];

    [Benchmark] public void Conv2Im2colShape() => Backend.Current.Gemm(false, false, 6728, 32, 288, _col, 288, _wc, 32, _yc, 32, false);
    [Benchmark] public void Dense1ForwardBatch8() => Backend.Current.Gemm(false, false, 8, 3137, 3137, _x, 3137, _w, 3137, _y, 3137, false);
    [Benchmark] public void Dense1InputGradBatch8() => Backend.Current.Gemm(false, true, 8, 3137, 3137, _y, 3137, _w, 3137, _x, 3137, false);
    [Benchmark] public void Dense1KernelGradBatch8() => Backend.Current.Gemm(true, false, 3137, 3137, 8, _x, 3137, _y, 3137, _dw, 3137, false);
}

/// <summary>Conv2D forward and backward at the conv1 and conv2 shapes (batch 8).</summary>
public class ConvBench
{
    private static readonly ConvGeometry G1 = ConvGeometry.Create(8, 64, 64, 3, 3, 3, 1, 1, "valid");
    private static readonly ConvGeometry G2 = ConvGeometry.Create(8, 31, 31, 32, 3, 3, 1, 1, "valid");
    private readonly float[] _x1 = MicroBenchmarks.Rand(8 * 64 * 64 * 3), _w1 = MicroBenchmarks.Rand(27 * 32), _y1 = MicroBenchmarks.Rand(G1.Rows * 32), _dw1 = new float[27 * 32];
    private readonly float[] _x2 = MicroBenchmarks.Rand(8 * 31 * 31 * 32), _w2 = MicroBenchmarks.Rand(288 * 32), _y2 = MicroBenchmarks.Rand(G2.Rows * 32), _dw2 = new float[288 * 32], _dx2 = new float[8 * 31 * 31 * 32];

    [Benchmark] public void Conv1Forward() => Backend.Current.Conv2DForward(G1, _x1, _w1, 32, _y1);
    [Benchmark] public void Conv1BackwardFilter() => Backend.Current.Conv2DBackwardFilter(G1, _x1, _y1, 32, _dw1);
    [Benchmark] public void Conv2Forward() => Backend.Current.Conv2DForward(G2, _x2, _w2, 32, _y2);
    [Benchmark] public void Conv2BackwardFilter() => Backend.Current.Conv2DBackwardFilter(G2, _x2, _y2, 32, _dw2);
    [Benchmark] public void Conv2BackwardInput() => Backend.Current.Conv2DBackwardInput(G2, _y2, _w2, 32, _dx2);
}

/// <summary>2x2 max pooling after conv1 (batch 8, 62x62x32).</summary>
public class PoolBench
{
    private static readonly ConvGeometry G = ConvGeometry.Create(8, 62, 62, 32, 2, 2, 2, 2, "valid");
    private readonly float[] _x = MicroBenchmarks.Rand(8 * 62 * 62 * 32), _y = new float[G.Rows * 32], _dx = new float[8 * 62 * 62 * 32];
    private readonly int[] _arg = new int[G.Rows * 32];

    [Benchmark] public void MaxPoolForward() => Backend.Current.MaxPoolForward(G, _x, _y, _arg);
    [Benchmark] public void MaxPoolBackward() => Backend.Current.MaxPoolBackward(G, _y, _arg, _dx);
    [Benchmark] public void AvgPoolForward() => Backend.Current.AvgPoolForward(G, _x, _y);
}

/// <summary>The Adam step over all 13.5 M weights, and dense_1's fused backward + Adam row update.</summary>
public class OptimizerBench
{
    private const int Total = 13_497_955;
    private readonly float[] _w = MicroBenchmarks.Rand(Total), _g = MicroBenchmarks.Rand(Total, 2), _m = new float[Total], _v = new float[Total];
    private readonly float[] _x = MicroBenchmarks.Rand(8 * 3137), _dy = MicroBenchmarks.Rand(8 * 3137), _dx = new float[8 * 3137];
    private readonly float[] _w1 = MicroBenchmarks.Rand(3137 * 3137);
    private readonly AdamRowUpdate _rows = NewAdam();

    private static AdamRowUpdate NewAdam()
    {
        var u = new AdamRowUpdate(new float[3137 * 3137], new float[3137 * 3137]);
        u.SetStep(1e-3f, 0.1f, 0.001f, 1e-7f);
        return u;
    }

    [Benchmark] public void AdamStepAllWeights() => OptimizerKernels.AdamParallel(_w, _g, _m, _v, 1e-3f, 0.1f, 0.001f, 1e-7f);
    [Benchmark] public void Dense1FusedBackwardAdam() => Backend.Current.DenseBackwardFused(8, 3137, 3137, _x, _dy, _w1, _dx, _rows);
}
