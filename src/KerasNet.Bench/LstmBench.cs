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
/// network, initial weights and data in PyTorch's CPU nn.LSTM (pytorch_lstm.py) in the same run, with the ratio.
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

        var (x, y) = MakeData();
        var train = new ArraySequence([x], [y], BatchSize, shuffle: false);
        Console.WriteLine($"KerasNet LSTM workload: {Samples} sequences of {Steps}x{Features}, LSTM({Units}) + Dense(1), MSE, Adam, batch {BatchSize}; {Threads.Count} threads, AVX-512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
        model.Fit(train, epochs: 1, verbose: 0);
        var times = new List<double>();
        double loss = 0;
        for (int e = 0; e < epochs; e++)
        {
            long t0 = Stopwatch.GetTimestamp();
            var h = model.Fit(train, epochs: 1, verbose: 0);
            times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            loss = h.history["loss"][0];
        }
        double epoch = Stats.Median(times);
        Console.WriteLine($"  training epoch {epoch:F3} s (median of {epochs}: {string.Join(" ", times.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)))}), last loss {loss:G6}");
        double latency = Latency(model, x);
        Console.WriteLine($"  inference at batch 1: {latency * 1e3:F3} ms per sequence (median of 200)");
        Console.WriteLine($"  peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:F0} MiB");
        if (torch && TorchRunner.RunScript("pytorch_lstm.py", [dir, epochs.ToString(CultureInfo.InvariantCulture)]) is { } r)
            Console.WriteLine($"PyTorch: training epoch {r["train"]:F3} s, inference at batch 1 {r["latency"] * 1e3:F3} ms\n" +
                $"Ratio KerasNet / PyTorch: training {epoch / r["train"]:F2} (goal <= 0.8), inference latency {latency / r["latency"]:F2}");
        try { Directory.Delete(dir, true); } catch (IOException) { }
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
