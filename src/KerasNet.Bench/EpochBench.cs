#nullable enable
using System.Diagnostics;
using KerasNet.Callbacks;
using KerasNet.Data;
using KerasNet.Engine;

namespace KerasNet.Bench;

/// <summary>
/// The speed issue's measurement: seconds per epoch (train and validation, median of 5 after a warm-up epoch, 2 with --quick)
/// through the real <c>Fit</c>, GC activity in the steady state, peak working set, Predict throughput,
/// and the same workload in PyTorch (pytorch_epoch.py) in the same run.
/// </summary>
internal static class EpochBench
{
    public static void Run(int epochs = 5, bool torch = true, bool jitLog = false)
    {
        using var jit = jitLog ? new JitLog() : null;
        var model = Workload.BuildModel();
        var train = Workload.TrainSequence();
        var val = Workload.ValSequence();
        Console.WriteLine($"KerasNet workload: {Workload.TrainSamples} images 64x64x3 at batch {Workload.BatchSize} + {Workload.ValSamples} validation at batch 1; {Threads.Count} threads, AVX-512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
        var timer = new EpochTimer { JitLog = jit };
        model.Fit(train, epochs: 1, verbose: 0, validationData: val, callbacks: [timer]);
        timer.Clear();
        timer.Phase = "epoch";
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var history = model.Fit(train, epochs: epochs, verbose: 0, validationData: val, callbacks: [timer]);
        allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        double trainS = Stats.Median(timer.Train), valS = Stats.Median(timer.Validation), total = Stats.Median(timer.Total);
        Console.WriteLine($"  loss per epoch: {string.Join(" ", history.history["loss"].Select(v => v.ToString("G9")))}");
        Console.WriteLine($"  val_loss per epoch: {string.Join(" ", history.history["val_loss"].Select(v => v.ToString("G9")))}");
        Console.WriteLine($"  epoch {total:F3} s (train {trainS:F3} s, validation {valS:F3} s), median of {epochs}; all epochs: {string.Join(" ", timer.Total.Select(t => t.ToString("F3")))}");
        // The runtime recompiles the per-step code at its optimized tier during the first epochs, on the same cores.
        Console.WriteLine($"  JIT compilation inside each epoch (ms): {string.Join(" ", timer.Jit.Select(t => t.ToString("F0")))}");
        Console.WriteLine($"  steady state over {epochs} epochs of Fit: GC gen0/1/2 = {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}, {allocated / 1024.0 / epochs:F0} KiB allocated per epoch (Fit's logs and callbacks)");
        long stepBytes = TrainStepAllocation(model, train);
        Console.WriteLine($"  GetBatch + TrainStep: {stepBytes} bytes allocated per step");
        Predict(model, 1, 54);
        Predict(model, 32, 64);
        Console.WriteLine($"  peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
        int steps = (Workload.TrainSamples + Workload.BatchSize - 1) / Workload.BatchSize;
        double floor = EpochFloor.Print(model, Workload.BatchSize, steps);
        Console.WriteLine($"  train {trainS:F3} s = {trainS / floor:F2}x that floor (validation not in it)");
        const string caseName = "tutorial CNN training epoch, batch 8 (+ validation)";
        if (!torch) { ResultLine.Print(caseName, total * 1e3, null, null); return; }
        var pt = TorchRunner.Run(epochs);
        ResultLine.Print(caseName, total * 1e3, "PyTorch", pt?.Total * 1e3);
        if (pt is { } r)
            Console.WriteLine($"PyTorch: epoch {r.Total:F3} s (train {r.Train:F3} s, validation {r.Val:F3} s), peak RSS {r.RssMb:F0} MiB\nRatio KerasNet / PyTorch: {total / r.Total:F2} (train {trainS / r.Train:F2}, validation {valS / r.Val:F2})");
    }

    private static long TrainStepAllocation(Models.Sequential model, ArraySequence train)
    {
        for (int i = 0; i < 2; i++) model.TrainStep(train.GetBatch(i));
        long before = GC.GetTotalAllocatedBytes(precise: true);
        const int steps = 10;
        for (int i = 0; i < steps; i++) model.TrainStep(train.GetBatch(i));
        return (GC.GetTotalAllocatedBytes(precise: true) - before) / steps;
    }

    private static void Predict(Models.Sequential model, int batch, int images)
    {
        var (x, _) = Workload.MakeData(images, 2);
        var seq = new ArraySequence(x, null, batch);
        model.PredictTensor(seq);
        var t = new double[5];
        for (int r = 0; r < t.Length; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            model.PredictTensor(seq);
            t[r] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        Console.WriteLine($"  Predict at batch {batch}: {images / Stats.Median(t):F0} images/s");
    }

    /// <summary>Timestamps the train and validation phases of each epoch from Fit's callbacks.</summary>
    private sealed class EpochTimer : Callback
    {
        private long _begin, _lastBatch;
        private TimeSpan _jitBegin;
        public List<double> Train { get; } = new();
        public List<double> Jit { get; } = new();
        public List<double> Validation { get; } = new();
        public List<double> Total { get; } = new();
        public JitLog? JitLog { get; init; }
        /// <summary>How <see cref="JitLog"/> names the epochs: the warm-up's, then the measured ones.</summary>
        public string Phase { get; set; } = "warm-up epoch";

        public void Clear() { Train.Clear(); Validation.Clear(); Total.Clear(); Jit.Clear(); }

        public override void OnEpochBegin(int epoch, IDictionary<string, double> logs)
        {
            _jitBegin = System.Runtime.JitInfo.GetCompilationTime();
            _begin = Stopwatch.GetTimestamp();
        }

        public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs) => _lastBatch = Stopwatch.GetTimestamp();

        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
        {
            long end = Stopwatch.GetTimestamp();
            Train.Add(Stopwatch.GetElapsedTime(_begin, _lastBatch).TotalSeconds);
            Validation.Add(Stopwatch.GetElapsedTime(_lastBatch, end).TotalSeconds);
            Total.Add(Stopwatch.GetElapsedTime(_begin, end).TotalSeconds);
            Jit.Add((System.Runtime.JitInfo.GetCompilationTime() - _jitBegin).TotalMilliseconds);
            if (JitLog is not null) JitLog.Print($"{Phase} {Jit.Count}", JitLog.Take(), top: 400, filter: Environment.GetEnvironmentVariable("JITLOG_FILTER"));
        }
    }
}
