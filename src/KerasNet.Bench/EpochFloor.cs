#nullable enable
using System.Diagnostics;
using System.Numerics.Tensors;
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Bench;

/// <summary>
/// What this host allows the epoch workload, measured in the same process as the epoch: the training steps' dense
/// traffic streamed at this host's rate plus the convolutions' multiply-adds at the engine's own large-GEMM rate.
/// At batch &lt;= 16 with Adam a training step meets each dense kernel seven times over its size: the forward reads
/// it, and the fused backward reads and writes it and Adam's two slots. The probe streams exactly that over arrays of
/// the kernels' sizes (larger together than the last-level cache, as in a step), on the engine's thread count; no
/// kernel of the engine can move fewer bytes without changing the arithmetic. The convolutions count their forward,
/// filter gradient and (but for the first layer) input gradient. It is a floor, not a prediction: pooling, the loss,
/// the data pipeline and validation come on top.
/// </summary>
internal static class EpochFloor
{
    // Rounds of each probe, of which the median counts: a shared host's rate moves between rounds (24-45 GB/s within an
    // hour here), and one slow round must not set the floor.
    private const int Rounds = 9;

    /// <summary>Prints the floor of <paramref name="steps"/> training steps of <paramref name="model"/>; returns it in seconds.</summary>
    public static double Print(Models.Model model, int batch, int steps)
    {
        long denseFloats = 0, convFlops = 0;
        bool first = true;
        foreach (var layer in model.Layers)
        {
            if (layer is Dense d && d.Kernel is { } k) denseFloats += k.Size;
            if (layer is Conv2D c && c.InputShape is { } inS && c.OutputShape is { } outS)
            {
                long macs = (long)batch * outS[^3] * outS[^2] * c.Filters * c.KernelSize.Height * c.KernelSize.Width * inS[^1];
                convFlops += 2 * macs * (first ? 2 : 3);
                first = false;
            }
        }
        var (readGBs, rmwGBs) = Stream(denseFloats);
        double gflops = GemmRate();
        double dense = denseFloats * 4.0 / (readGBs * 1e9) + 6.0 * denseFloats * 4.0 / (rmwGBs * 1e9);
        double conv = convFlops / (gflops * 1e9);
        double floor = steps * (dense + conv);
        Console.WriteLine($"  floor of this host: a step streams {7 * denseFloats * 4 / 1e6:F0} MB of dense kernels and Adam slots (read {readGBs:F1} GB/s, read + write {rmwGBs:F1} GB/s here: {dense * 1e3:F2} ms)"
            + $" and multiplies {convFlops / 1e6:F0} MFLOP in convolutions ({gflops:F0} GFLOP/s, the engine's 1024^3 GEMM here: {conv * 1e3:F2} ms); {steps} steps: {floor:F3} s");
        return floor;
    }

    /// <summary>Read rate of one kernel-sized array, and read + write rate of three (kernel, m, v), on the engine's threads.</summary>
    private static (double Read, double Rmw) Stream(long floats)
    {
        int n = (int)Math.Min(floats, int.MaxValue / 2);
        float[] w = new float[n], m = new float[n], v = new float[n];
        for (int i = 0; i < n; i++) { w[i] = 1; m[i] = 2; v[i] = 3; }
        int parts = Math.Max(1, Threads.Count);
        var reads = new double[Rounds];
        var rmws = new double[Rounds];
        var sums = new float[parts];
        for (int r = 0; r < Rounds; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p => sums[p] += TensorPrimitives.Sum(Slice(w, p, parts)));
            long t1 = Stopwatch.GetTimestamp();
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, p =>
            {
                // Each slot is read and written once, as Adam's pass does (w += m, m += v, v += w: no value grows past float range in 9 rounds).
                Span<float> ws = Slice(w, p, parts), ms = Slice(m, p, parts), vs = Slice(v, p, parts);
                for (int i = 0; i < ws.Length; i += 4096)
                {
                    int len = Math.Min(4096, ws.Length - i);
                    Span<float> a = ws.Slice(i, len), b = ms.Slice(i, len), c = vs.Slice(i, len);
                    TensorPrimitives.Add(a, b, a); TensorPrimitives.Add(b, c, b); TensorPrimitives.Add(c, a, c);
                }
            });
            reads[r] = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
            rmws[r] = Stopwatch.GetElapsedTime(t1).TotalSeconds;
        }
        GC.KeepAlive(sums);
        return (n * 4.0 / Stats.Median(reads) / 1e9, 6.0 * n * 4.0 / Stats.Median(rmws) / 1e9);
    }

    private static Span<float> Slice(float[] a, int p, int parts)
    {
        int s = Threads.PartStart(a.Length, p, parts), e = Threads.PartStart(a.Length, p + 1, parts);
        return a.AsSpan(s, e - s);
    }

    /// <summary>The engine's GEMM on 1024^3 (compute-bound, cache-blocked), median of 9: its achievable rate for convolutions.</summary>
    private static double GemmRate()
    {
        const int s = 1024;
        float[] a = new float[s * s], b = new float[s * s], c = new float[s * s];
        for (int i = 0; i < a.Length; i++) { a[i] = (i % 7) * 0.1f; b[i] = (i % 5) * 0.1f; }
        var t = new double[Rounds];
        for (int r = -2; r < Rounds; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            Backend.Current.Gemm(false, false, s, s, s, a, s, b, s, c, s, false);
            if (r >= 0) t[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        return 2.0 * s * s * s / Stats.Median(t) / 1e9;
    }
}
