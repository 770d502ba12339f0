#nullable enable
using System.Diagnostics;
using System.Globalization;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;

namespace KerasNet.Bench;

/// <summary>
/// The recurrent speed measurement (issue 12): LSTM(128) on sequences of 100 steps of 32 features, batch 32, a
/// Dense(1) head, MSE and Adam; one training epoch of 10,000 sequences (313 steps, the last of 16) through the real
/// <c>Fit</c>, median of 3 after a warm-up epoch, then batch-1 inference latency (median of 200 calls); and the same
/// network, initial weights and data in PyTorch's CPU nn.LSTM (pytorch_lstm.py) in the same run, its epochs
/// alternating with KerasNet's so both see the same machine load, with the same thread count (<c>--threads N</c>
/// sets both), and the ratio; then batch-1 latency against ONNX Runtime on an ONNX export of the same trained
/// weights (<see cref="LstmOnnxBench"/>).
/// </summary>
internal static class LstmBench
{
    public const int Samples = 10_000, Steps = 100, Features = 32, Units = 128, BatchSize = 32;

    /// <summary>The data both sides compute from the same formula: smooth waves per feature, the target their last step's mean.</summary>
    public static (Tensor x, Tensor y) MakeData()
    {
        var x = new Tensor(Samples, Steps, Features);
        var y = new Tensor(Samples, 1);
        for (int n = 0; n < Samples; n++)
        {
            double sum = 0;
            for (int t = 0; t < Steps; t++)
                for (int f = 0; f < Features; f++)
                {
                    float v = (float)Math.Sin(0.013 * n + 0.11 * t + 0.37 * f);
                    x[(n * Steps + t) * Features + f] = v;
                    if (t == Steps - 1) sum += v;
                }
            y[n] = (float)(sum / Features);
        }
        return (x, y);
    }

    public static void Run(bool torch = true, int epochs = 3)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(1);
        var model = new Sequential([new LSTM(Units, inputShape: (Steps, Features)), new Dense(1)]);
        model.Compile(optimizer: "adam", loss: "mse");
        model.ProgressOutput = TextWriter.Null;
        var dir = Path.Combine(Path.GetTempPath(), $"kerasnet-lstm-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        var names = new[] { "kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias" };
        for (int i = 0; i < model.Weights.Count; i++) Npy.Save(Path.Combine(dir, names[i] + ".npy"), model.Weights[i].Value);
        using var pt = torch ? TorchSession.Start(Path.Combine(AppContext.BaseDirectory, "pytorch_lstm.py"), dir, Threads.Count.ToString(CultureInfo.InvariantCulture)) : null;

        var (x, y) = MakeData();
        var train = new ArraySequence([x], [y], BatchSize, shuffle: false);
        if (pt != null)
        {
            // Same start, same batches, plain SGD (Keras's and torch's Adam place epsilon differently): the first
            // steps' losses agree until float rounding compounds.
            var ourLosses = new List<string>();
            var initial = model.GetWeights();
            model.Compile(optimizer: new KerasNet.Optimizers.SGD(0.1), loss: "mse");
            for (int i = 0; i < 8; i++) ourLosses.Add(model.TrainOnBatch(train.GetBatch(i))[0].ToString("G6", CultureInfo.InvariantCulture));
            Console.WriteLine($"  first 8 batch losses with SGD(0.1): KerasNet {string.Join(" ", ourLosses)}\n                                     PyTorch  {pt.Ask("losses 8")?[7..]}");
            model.SetWeights(initial);
            model.Compile(optimizer: "adam", loss: "mse"); // a fresh Adam, as the epochs below start from
        }
        Console.WriteLine($"KerasNet LSTM workload: {Samples} sequences of {Steps}x{Features}, LSTM({Units}) + Dense(1), MSE, Adam, batch {BatchSize}; " +
            $"{Threads.Count} threads, AVX-512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}; load average {LoadAverage()}");
        // Warm-up: the first 20 batches on both sides (JIT, buffers).
        var (wx, wy) = (Slice(x, 20 * BatchSize), Slice(y, 20 * BatchSize));
        model.Fit(new ArraySequence([wx], [wy], BatchSize), epochs: 1, verbose: 0);
        pt?.Ask("warm");
        var ours = new List<double>();
        var theirs = new List<double>();
        double loss = 0;
        for (int e = 0; e < epochs; e++)
        {
            long t0 = Stopwatch.GetTimestamp();
            var h = model.Fit(train, epochs: 1, verbose: 0);
            ours.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            loss = h.history["loss"][0];
            string ptLoss = "";
            if (pt?.Ask("train") is { } answer)
            {
                var parts = answer.Split(' ');
                theirs.Add(double.Parse(parts[1], CultureInfo.InvariantCulture));
                ptLoss = parts[2];
            }
            Console.WriteLine($"  epoch {e + 1}: KerasNet {ours[^1]:F3} s (mean loss {loss:G6})" +
                (theirs.Count > e ? $", PyTorch {theirs[e]:F3} s (mean loss {ptLoss}), ratio {ours[^1] / theirs[e]:F2}" : ""));
        }
        double epoch = Stats.Median(ours);
        double latency = Latency(model, x);
        Console.WriteLine($"  KerasNet: training epoch {epoch:F3} s (median of {epochs}), inference at batch 1 {latency * 1e3:F3} ms (median of 200), " +
            $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
        if (pt != null && theirs.Count == epochs && pt.Ask("latency") is { } lat)
        {
            double ptLatency = double.Parse(lat.Split(' ')[1], CultureInfo.InvariantCulture), ptEpoch = Stats.Median(theirs);
            Console.WriteLine($"PyTorch: training epoch {ptEpoch:F3} s, inference at batch 1 {ptLatency * 1e3:F3} ms; {pt.Ask("quit")} MiB peak RSS");
            Console.WriteLine($"Ratio KerasNet / PyTorch: training {epoch / ptEpoch:F2} (goal <= 0.8; median of the per-epoch ratios " +
                $"{Stats.Median(ours.Zip(theirs, (a, b) => a / b)):F2}), inference latency {latency / ptLatency:F2}; load average now {LoadAverage()}");
        }
        // Batch-1 latency against ONNX Runtime on an ONNX export of the trained weights (the export needs torch too).
        if (torch) LstmOnnxBench.Run(model, x, dir, Steps, Features);
        try { Directory.Delete(dir, true); } catch (IOException) { }
    }

    internal static Tensor Slice(Tensor t, int n) => new(t.Span[..(n * t.SampleSize)].ToArray(), [n, .. t.Shape[1..]]);

    private static string LoadAverage()
    {
        try { return File.ReadAllText("/proc/loadavg").Split(' ')[0]; }
        catch (IOException) { return "?"; }
        catch (UnauthorizedAccessException) { return "?"; }
    }

    /// <summary>The engine alone at the workload's shapes: one batch's forward and backward through time (median of 30).</summary>
    public static void Kernels(int reps = 30)
    {
        var be = Backend.Current;
        var r = new Random(1);
        float[] R(int n) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)(r.NextDouble() - 0.5) * 0.2f; return a; }
        var g = new RnnGeometry(RnnCell.Lstm, BatchSize, Steps, Features, Units, RnnActivation.Tanh, RnnActivation.Sigmoid);
        var a = new RnnArrays
        {
            X = R(BatchSize * Steps * Features), Kernel = R(Features * 4 * Units), RecurrentKernel = R(Units * 4 * Units), Bias = R(4 * Units),
            Output = new float[BatchSize * Units], FinalH = new float[BatchSize * Units], FinalC = new float[BatchSize * Units],
        };
        var d = new RnnGradients
        {
            Output = R(BatchSize * Units), X = new float[BatchSize * Steps * Features], Kernel = new float[Features * 4 * Units],
            RecurrentKernel = new float[Units * 4 * Units], Bias = new float[4 * Units],
        };
        var tape = new RnnTape();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var fw = new List<double>();
        var bw = new List<double>();
        var proc = Process.GetCurrentProcess();
        double cpuF = 0, cpuB = 0;
        for (int i = 0; i < reps + 3; i++)
        {
            proc.Refresh();
            var c0 = proc.TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            be.RnnForward(g, a, tape);
            long t1 = Stopwatch.GetTimestamp();
            proc.Refresh();
            var c1 = proc.TotalProcessorTime;
            be.RnnBackward(g, a, d, tape);
            long t2 = Stopwatch.GetTimestamp();
            proc.Refresh();
            if (i < 3) continue;
            cpuF += (c1 - c0).TotalMilliseconds;
            cpuB += (proc.TotalProcessorTime - c1).TotalMilliseconds;
            fw.Add(Stopwatch.GetElapsedTime(t0, t1).TotalMilliseconds);
            bw.Add(Stopwatch.GetElapsedTime(t1, t2).TotalMilliseconds);
        }
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalMilliseconds / (reps + 3);
        Console.WriteLine($"  process CPU time per forward + backward: {cpu:F2} ms (forward {cpuF / reps:F2}, backward {cpuB / reps:F2})");
        double macs = 2.0 * Steps * BatchSize * 4 * Units * (Features + Units);
        Console.WriteLine($"  engine, one batch of {BatchSize}: forward {Stats.Median(fw):F2} ms, backward through time {Stats.Median(bw):F2} ms " +
            $"(forward {macs / Stats.Median(fw) / 1e6:F1} GFLOP/s, backward {2 * macs / Stats.Median(bw) / 1e6:F1} GFLOP/s)");
        var one = g with { Batch = 1 };
        var a1 = a with { Output = new float[Units], FinalH = new float[Units], FinalC = new float[Units] };
        var lat = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            be.RnnForward(one, a1, tape);
            lat.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        Console.WriteLine($"  engine, one sequence: forward {Stats.Median(lat):F3} ms");
        CellCost();
    }

    // The fused element-wise LSTM step alone: one batch's 3200 rows (diagnostics).
    private static unsafe void CellCost()
    {
        var z = new float[3200 * 4 * Units]; var c = new float[3201 * Units]; var tc = new float[3200 * Units]; var h = new float[3200 * Units];
        var r = new Random(2);
        for (int i = 0; i < z.Length; i++) z[i] = (float)(r.NextDouble() * 4 - 2);
        var best = double.MaxValue;
        for (int rep = 0; rep < 20; rep++)
        {
            long t0 = Stopwatch.GetTimestamp();
            fixed (float* pz = z, pc = c, pt = tc, ph = h)
                for (int row = 0; row < 3200; row++)
                    KerasNet.Engine.Kernels.RnnCells.LstmForward(Units, pz + row * 4 * Units, pc + row * Units, pc + (row + 1) * Units, pt + row * Units, ph + row * Units, RnnActivation.Tanh, RnnActivation.Sigmoid);
            best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        Console.WriteLine($"  LSTM cell, 3200 rows of {Units}: {best:F2} ms (best of 20), Vector<float> has {System.Numerics.Vector<float>.Count} lanes");
    }

    private static double Latency(Model model, Tensor x)
    {
        var one = new Tensor(x.Span[..(Steps * Features)].ToArray(), 1, Steps, Features);
        for (int i = 0; i < 20; i++) model.PredictOnBatch(one);
        var t = new double[200];
        for (int i = 0; i < t.Length; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            model.PredictOnBatch(one);
            t[i] = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        return Stats.Median(t);
    }
}
