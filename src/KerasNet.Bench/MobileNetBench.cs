#nullable enable
using System.Diagnostics;
using System.Globalization;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using Microsoft.ML.OnnxRuntime;
using Apps = KerasNet.Applications.Applications;

namespace KerasNet.Bench;

/// <summary>
/// MobileNetV2 (224x224x3, alpha 1.0 and 0.35, 1000 classes) inference at batch 1 and 32: KerasNet's Predict against
/// ONNX Runtime on an ONNX export of the same weights (onnx_export_graph.py, the test oracle), in one process. Runs
/// are interleaved (KerasNet, ORT, KerasNet, ...) so both see the same machine load; medians are reported, with
/// the ratio KerasNet / ORT. ORT runs with 2 intra-op threads and every graph optimization (its Conv+BN fusion
/// included), KerasNet on as many threads (unless --threads says otherwise).
/// </summary>
internal static class MobileNetBench
{
    private const int Size = 224, Classes = 1000;

    public static void Run(int threads, int rounds, bool profile)
    {
        Threads.Count = threads;
        Console.WriteLine($"MobileNetV2 {Size}x{Size}x3 inference: KerasNet ({Threads.Count} threads) vs ONNX Runtime 1.31.1 (2 intra-op threads, ORT_ENABLE_ALL); {rounds} interleaved rounds, medians");
        foreach (double alpha in new[] { 1.0, 0.35 })
        {
            var model = BuildModel(alpha);
            string? dir = Export(model);
            if (dir is null) return;
            try
            {
                using var session = OpenSession(Path.Combine(dir, "model.onnx"));
                foreach (int batch in new[] { 1, 32 })
                {
                    Compare(model, session, alpha, batch, batch == 1 ? rounds : Math.Max(3, rounds / 4));
                    if (!profile) continue;
                    ProfileNodes(model, batch);
                    OrtProfile.Print(Path.Combine(dir, "model.onnx"), [batch, Size, Size, 3], batch == 1 ? 10 : 3, top: 16);
                }
            }
            finally { Directory.Delete(dir, recursive: true); }
        }
    }

    /// <summary>The application network with random weights and random BatchNormalization statistics (as a trained model has).</summary>
    private static Model BuildModel(double alpha)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(7);
        var model = Apps.MobileNetV2((Size, Size, 3), alpha: alpha, classes: Classes);
        var r = new Random(8);
        foreach (var bn in model.Layers.OfType<BatchNormalization>())
        {
            Fill(bn.Gamma!, () => 0.5f + r.NextSingle());
            Fill(bn.Beta!, () => r.NextSingle() - 0.5f);
            Fill(bn.MovingMean!, () => (r.NextSingle() - 0.5f) * 0.4f);
            Fill(bn.MovingVariance!, () => 0.5f + 1.5f * r.NextSingle());
        }
        return model;

        static void Fill(Variable v, Func<float> next)
        {
            var values = new float[v.Size];
            for (int i = 0; i < values.Length; i++) values[i] = next();
            v.Assign(values);
        }
    }

    /// <summary>
    /// Writes model.json and the .npy weights, runs the exporter (onnx_export_graph.py, or onnx_export.py for a
    /// Sequential model); the folder holding model.onnx, or null (message printed).
    /// </summary>
    internal static string? Export(Model model, string exporter = "onnx_export_graph.py")
    {
        const string python = "/usr/bin/python3";
        string script = Path.Combine(AppContext.BaseDirectory, exporter);
        if (!File.Exists(python) || !File.Exists(script))
        {
            Console.WriteLine($"ONNX export: skipped ({python} or {script} not found).");
            return null;
        }
        var dir = Path.Combine(Path.GetTempPath(), "kerasnet-onnx-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "model.json"), model.ToJson());
        foreach (var layer in model.Layers)
            foreach (var w in layer.Weights)
                Npy.Save(Path.Combine(dir, $"{layer.Name}__{w.Name}.npy"), w.Value);
        var psi = new ProcessStartInfo(python, [script, dir]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode == 0) return dir;
        Console.WriteLine($"ONNX export failed ({p.ExitCode}): {err}");
        Directory.Delete(dir, recursive: true);
        return null;
    }

    /// <remarks><paramref name="profilePrefix"/>: ORT's profiler writes its JSON there (OrtProfile); null: no profiling.</remarks>
    internal static InferenceSession OpenSession(string path, string? profilePrefix = null) =>
        new(path, new SessionOptions
        {
            IntraOpNumThreads = 2,
            InterOpNumThreads = 1,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            EnableProfiling = profilePrefix is not null,
            ProfileOutputPathPrefix = profilePrefix ?? "onnxruntime_profile_",
        });

    private static void Compare(Model model, InferenceSession session, double alpha, int batch, int rounds)
    {
        var rng = new Random(batch);
        var x = new Tensor(batch, Size, Size, 3);
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextSingle() * 2 - 1;
        var y = new Tensor(batch, Classes);
        var ortOut = new float[batch * Classes];
        using var input = OrtValue.CreateTensorValueFromMemory(x.Buffer, [batch, Size, Size, 3]);
        using var output = OrtValue.CreateTensorValueFromMemory(ortOut, [batch, Classes]);
        using var runOptions = new RunOptions();
        void Ort() => session.Run(runOptions, ["input"], [input], ["output"], [output]);
        void Kn() => model.PredictInto(x, y);

        // Warm-up (first-call allocations, ORT's arena) and the agreement of the two answers.
        for (int i = 0; i < 2; i++) { Kn(); Ort(); }
        double diff = 0, scale = 0;
        for (int i = 0; i < ortOut.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs((double)ortOut[i] - y[i]));
            scale = Math.Max(scale, Math.Abs((double)ortOut[i]));
        }

        var (k, o) = Alternate(Kn, Ort, rounds, reps: 1);
        ResultLine.Print(string.Create(CultureInfo.InvariantCulture, $"MobileNetV2 alpha {alpha:0.00} inference, batch {batch}"), k, "ONNX Runtime", o);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  alpha {alpha,4:0.00} batch {batch,2}: KerasNet {k,8:0.00} ms  ORT {o,8:0.00} ms  ratio KerasNet/ORT {k / o,5:0.00}  ({batch * 1000 / k:0.0} vs {batch * 1000 / o:0.0} img/s; max |diff| {diff:E1} of outputs up to {scale:E1})"));
    }

    /// <summary>
    /// Median ms per call of <paramref name="kn"/> and <paramref name="ort"/> over interleaved rounds of
    /// <paramref name="reps"/> calls each, each engine timed as it runs alone. In one process on two cores an engine
    /// timed right after the other ran beside the other's still-busy threads: ONNX Runtime's intra-op threads slowed
    /// KerasNet's next passes for more than 20 ms (tutorial CNN at batch 32: 15.5-23 ms right after ORT, 11.3-14.5 ms
    /// with no ORT in the process, 12.1-12.5 ms after a 100 ms pause), and KerasNet's workers spin ~3 ms after a call.
    /// So each timed block follows a pause longer than both (<see cref="QuietMs"/>) and then at least
    /// <see cref="WarmMs"/> of untimed calls of the same engine (its threads awake, the cores at full clock).
    /// </summary>
    internal static (double Kn, double Ort) Alternate(Action kn, Action ort, int rounds, int reps)
    {
        var tk = new double[rounds];
        var to = new double[rounds];
        for (int r = 0; r < rounds; r++)
        {
            tk[r] = TimeAlone(kn, reps);
            to[r] = TimeAlone(ort, reps);
        }
        return (Median(tk), Median(to));
    }

    // QuietMs: longer than the slowdown measured after ORT's calls (over 20 ms); WarmMs: wakes the engine's threads
    // and brings the cores back to full clock after the pause (5 ms left batch-1 latencies 1.5-2x above their steady value).
    private const int QuietMs = 100, WarmMs = 20;

    private static double TimeAlone(Action a, int reps)
    {
        Thread.Sleep(QuietMs);
        long warm = Stopwatch.GetTimestamp();
        do a(); while (Stopwatch.GetElapsedTime(warm).TotalMilliseconds < WarmMs);
        return Time(() => { for (int i = 0; i < reps; i++) a(); }) / reps;
    }

    internal static double Time(Action a)
    {
        long t = Stopwatch.GetTimestamp();
        a();
        return Stopwatch.GetElapsedTime(t).TotalMilliseconds;
    }

    internal static double Median(double[] v)
    {
        var s = v.OrderBy(d => d).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    /// <summary>Per-node inference time (folded, as Predict runs), summed by layer class and listed for the slowest nodes.</summary>
    internal static void ProfileNodes(Model model, int batch, params int[] sample)
    {
        var g = model.Graph!;
        var ctx = g.CreateContext();
        var x = new Tensor([batch, .. (sample.Length == 0 ? [Size, Size, 3] : sample)]);
        var times = new double[g.Nodes.Count];
        var total = new double[g.Nodes.Count];
        int reps = batch == 1 ? 10 : 3;
        g.Forward(ctx, [x], training: false);
        for (int r = 0; r < reps; r++)
        {
            g.Forward(ctx, [x], training: false, nodeTimes: times);
            for (int i = 0; i < times.Length; i++) total[i] += times[i] / reps;
        }
        Console.WriteLine($"    profile, batch {batch} (ms per pass, by layer class):");
        foreach (var grp in g.Nodes.Select((n, i) => (n, i)).GroupBy(p => p.n.Layer.GetType().Name).OrderByDescending(q => q.Sum(p => total[p.i])))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"      {grp.Key,-24} {grp.Sum(p => total[p.i]),8:0.00} ({grp.Count()} nodes)"));
        Console.WriteLine("    slowest nodes:");
        foreach (var (n, i) in g.Nodes.Select((n, i) => (n, i)).OrderByDescending(p => total[p.i]).Take(16))
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"      {n.Layer.Name,-28} {total[i],8:0.00}  out {ShapeUtil.Format(n.Outputs[0].Shape)}"));
    }
}
