#nullable enable
using System.Diagnostics;
using KerasNet.Applications;
using KerasNet.Engine;

namespace KerasNet.Bench;

/// <summary>
/// Predictions per second of ONE shared tutorial model (TutorialCnn) called from 1, 2, 4 and 8 threads at once, at
/// batch 1 and 8: each thread predicts its own batch into its own output buffer (Model.PredictInto, no allocation)
/// for a fixed time. Each answer is checked against the single-threaded one. The kernels' own worker pool serves
/// one call at a time; concurrent calls run their parts on the calling thread.
/// </summary>
internal static class ThreadsBench
{
    private static readonly int[] ThreadCounts = [1, 2, 4, 8];
    private static readonly int[] Batches = [1, 8];

    public static void Run(double secondsPerCell = 3)
    {
        KerasRandom.SetRandomSeed(1);
        var model = TutorialCnn.Build();
        Console.WriteLine($"threads: one shared TutorialCnn (64x64x3, {model.CountParams():N0} weights), PredictInto from N threads, {secondsPerCell:F0} s per cell; " +
            $"{Environment.ProcessorCount} cores, kernel pool {Threads.Count} threads, AVX-512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
        var rows = new List<(int batch, int threads, double images, double calls, double msPerCall)>();
        foreach (int batch in Batches)
        {
            var rng = new Random(batch);
            var x = new Tensor(batch, 64, 64, 3);
            for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
            var expected = new Tensor(batch, 2);
            model.PredictInto(x, expected);
            foreach (int threads in ThreadCounts)
            {
                var (calls, seconds) = Measure(model, x, expected, threads, secondsPerCell);
                rows.Add((batch, threads, calls * batch / seconds, calls / seconds, seconds * 1000 * threads / calls));
            }
        }
        Console.WriteLine();
        Console.WriteLine("| batch | threads | images/s | calls/s | ms per call (per thread) | vs 1 thread |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var r in rows)
        {
            double one = rows.First(o => o.batch == r.batch && o.threads == 1).images;
            Console.WriteLine($"| {r.batch} | {r.threads} | {r.images:F0} | {r.calls:F0} | {r.msPerCall:F2} | {r.images / one:F2}x |");
        }
    }

    private static (long calls, double seconds) Measure(Models.Model model, Tensor x, Tensor expected, int threads, double seconds)
    {
        long total = 0;
        int mismatches = 0;
        using var start = new Barrier(threads + 1);
        var stop = 0;
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            var input = x.Clone();
            var output = new Tensor(expected.Shape);
            for (int i = 0; i < 3; i++) model.PredictInto(input, output); // warm-up per thread
            start.SignalAndWait();
            long n = 0;
            while (Volatile.Read(ref stop) == 0)
            {
                model.PredictInto(input, output);
                n++;
            }
            if (!output.Span.SequenceEqual(expected.Span)) Interlocked.Increment(ref mismatches);
            Interlocked.Add(ref total, n);
        }) { IsBackground = true }).ToList();
        workers.ForEach(w => w.Start());
        start.SignalAndWait();
        var clock = Stopwatch.StartNew();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref stop, 1);
        workers.ForEach(w => w.Join());
        double elapsed = clock.Elapsed.TotalSeconds;
        if (mismatches > 0) throw new InvalidOperationException($"{mismatches} thread(s) got a prediction different from the single-threaded one");
        Console.WriteLine($"  batch {x.BatchSize}, {threads} thread(s): {total} calls in {elapsed:F2} s");
        return (total, elapsed);
    }
}
