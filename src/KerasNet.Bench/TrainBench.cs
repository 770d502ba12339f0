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
/// Compute-bound training against PyTorch (pytorch_train.py, the same networks started from the same weights, kept
/// running so its rounds alternate with KerasNet's): the keras.io MNIST convnet at batch 128 over a 60,000-sample
/// epoch and the tutorial CNN at batch 8, 32 and 64, Adam, milliseconds per training step, median of interleaved
/// rounds. Prints one <c>RESULT\tcase\tkerasnet_ms\tpytorch\ttorch_ms\tratio</c> line per case (ratio &lt; 1: KerasNet
/// faster) and a readable summary.
/// </summary>
internal static class TrainBench
{
    // Full mode: the MNIST convnet's whole epoch (469 steps, the last of 96 rows) per round, the tutorial cases
    // about 256 samples per round; --quick: a few steps per round, enough for a per-step median on a shared machine.
    private readonly record struct Case(string Name, string Net, int Batch, int Samples, int QuickSteps);

    private static readonly Case[] Cases =
    [
        new("mnist_convnet_b128", "mnist", 128, 60_000, 12),
        new("tutorial_cnn_b8", "tutorial", 8, 216, 27),
        new("tutorial_cnn_b32", "tutorial", 32, 256, 8),
        new("tutorial_cnn_b64", "tutorial", 64, 256, 4),
    ];

    public static void Run(bool quick, bool torch, string? only = null)
    {
        int rounds = quick ? 5 : 3;
        Console.WriteLine($"Training bench ({(quick ? "quick" : "full")}): {Threads.Count} threads, AVX-512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, median of {rounds} interleaved rounds");
        var dir = Path.Combine(Path.GetTempPath(), $"kerasnet-train-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        using var pt = torch ? TorchSession.Start(Path.Combine(AppContext.BaseDirectory, "pytorch_train.py"), Threads.Count.ToString(CultureInfo.InvariantCulture)) : null;
        var summary = new List<string>();
        try
        {
            foreach (var c in Cases)
            {
                if (only != null && !c.Name.Contains(only, StringComparison.Ordinal)) continue;
                summary.Add(RunCase(c, quick, rounds, dir, pt));
            }
        }
        finally { Directory.Delete(dir, recursive: true); }
        Console.WriteLine("Summary (ms per training step, ratio = KerasNet / PyTorch, < 1 means KerasNet is faster):");
        foreach (var s in summary) Console.WriteLine("  " + s);
    }

    private static string RunCase(Case c, bool quick, int rounds, string dir, TorchSession? pt)
    {
        var model = Build(c.Net);
        int steps = quick ? c.QuickSteps : (c.Samples + c.Batch - 1) / c.Batch;
        int samples = quick ? steps * c.Batch : c.Samples;
        var seq = Data(c.Net, samples, c.Batch);
        string? torchReady = null;
        if (pt != null)
        {
            var names = new List<string>();
            for (int i = 0; i < model.Weights.Count; i++)
            {
                string name = $"w{i}";
                Npy.Save(Path.Combine(dir, name + ".npy"), model.Weights[i].Value);
                names.Add(name);
            }
            torchReady = pt.Ask($"build {c.Net} {c.Batch} {samples} {dir}");
            if (torchReady != "ok") Console.WriteLine($"PyTorch: {c.Name}: {torchReady}");
        }
        // Warm-up: JIT, buffers and the optimizer's slots on both sides.
        for (int i = 0; i < Math.Min(3, steps); i++) model.TrainStep(seq.GetBatch(i));
        if (torchReady == "ok") pt!.Ask("run 3");
        var ours = new List<double>();
        var theirs = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < steps; i++) model.TrainStep(seq.GetBatch(i));
            ours.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds / steps);
            if (torchReady == "ok" && pt!.Ask($"run {steps}") is { } answer)
                theirs.Add(double.Parse(answer, CultureInfo.InvariantCulture) * 1e3 / steps);
        }
        double k = Stats.Median(ours);
        string line;
        if (theirs.Count == rounds)
        {
            double t = Stats.Median(theirs);
            Console.WriteLine(FormattableString.Invariant($"RESULT\t{c.Name}\t{k:F3}\tpytorch\t{t:F3}\t{k / t:F3}"));
            line = FormattableString.Invariant($"{c.Name,-20} KerasNet {k,8:F3} ms   PyTorch {t,8:F3} ms   ratio {k / t:F2}   ({steps} steps x {rounds} rounds; KerasNet rounds {string.Join(" ", ours.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))}, PyTorch {string.Join(" ", theirs.Select(v => v.ToString("F2", CultureInfo.InvariantCulture)))})");
        }
        else line = FormattableString.Invariant($"{c.Name,-20} KerasNet {k,8:F3} ms   (no PyTorch; {steps} steps x {rounds} rounds)");
        Console.WriteLine("  " + line);
        return line;
    }

    /// <summary>The keras.io MNIST convnet or the tutorial CNN, seeded, compiled with Adam and categorical cross-entropy.</summary>
    internal static Sequential Build(string net)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(1);
        Sequential model = net == "mnist"
            ? new Sequential([
                new Conv2D(32, (3, 3), activation: "relu", inputShape: (28, 28, 1)), new MaxPooling2D(poolSize: (2, 2)),
                new Conv2D(64, (3, 3), activation: "relu"), new MaxPooling2D(poolSize: (2, 2)),
                new Flatten(), new Dropout(0.5), new Dense(10, activation: "softmax")])
            : Applications.TutorialCnn.Build(Workload.Side, Workload.Channels);
        model.Compile(optimizer: "Adam", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        model.ProgressOutput = TextWriter.Null;
        return model;
    }

    /// <summary>Synthetic images (uniform noise plus a class offset) and one-hot labels of the network's shapes.</summary>
    internal static ArraySequence Data(string net, int samples, int batch)
    {
        if (net != "mnist") { var (tx, ty) = Workload.MakeData(samples, 0); return new ArraySequence(tx, ty, batch); }
        const int classes = 10, size = 28 * 28;
        var rng = new Random(0);
        var x = new Tensor(samples, 28, 28, 1);
        var y = new Tensor(samples, classes);
        for (int i = 0; i < samples; i++)
        {
            int c = i % classes;
            y[i * classes + c] = 1;
            for (int j = 0; j < size; j++) x[i * size + j] = (float)rng.NextDouble() * 0.5f + c * 0.05f;
        }
        return new ArraySequence(x, y, batch);
    }
}
