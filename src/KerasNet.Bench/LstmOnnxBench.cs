#nullable enable
using System.Diagnostics;
using System.Globalization;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using Microsoft.ML.OnnxRuntime;

namespace KerasNet.Bench;

/// <summary>
/// The <c>lstm</c> bench's inference latency at batch 1 against ONNX Runtime: the trained model's weights go to
/// lstm_onnx_export.py, which builds the same network in torch (Keras's gate order mapped) and exports it to ONNX;
/// ONNX Runtime (Microsoft.ML.OnnxRuntime, the tests' version) runs it in this process with the same thread count.
/// Both answers are compared first (the same computation), then the two are timed alternately, call by call, so both
/// see the same machine load; medians and their ratio are printed.
/// </summary>
internal static class LstmOnnxBench
{
    private const int Calls = 200, WarmUp = 20;

    /// <summary>
    /// <c>lstm --latency</c>: this comparison alone, without the training epochs and PyTorch (minutes on a loaded
    /// machine), on the bench's network after 20 training batches (so the weights are no longer the initial ones).
    /// </summary>
    public static void RunAlone()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(1);
        var model = new Sequential([new LSTM(LstmBench.Units, inputShape: (LstmBench.Steps, LstmBench.Features)), new Dense(1)]);
        model.Compile(optimizer: "adam", loss: "mse");
        model.ProgressOutput = TextWriter.Null;
        var (x, y) = LstmBench.MakeData();
        int n = 20 * LstmBench.BatchSize;
        model.Fit(new ArraySequence([LstmBench.Slice(x, n)], [LstmBench.Slice(y, n)], LstmBench.BatchSize), epochs: 1, verbose: 0);
        var dir = Path.Combine(Path.GetTempPath(), $"kerasnet-lstm-onnx-{Environment.ProcessId}");
        Directory.CreateDirectory(dir);
        try { Run(model, x, dir, LstmBench.Steps, LstmBench.Features); }
        finally { try { Directory.Delete(dir, true); } catch (IOException) { } }
    }

    public static void Run(Model model, Tensor x, string dir, int steps, int features)
    {
        var names = new[] { "kernel", "recurrent_kernel", "bias", "dense_kernel", "dense_bias" };
        for (int i = 0; i < model.Weights.Count; i++) Npy.Save(Path.Combine(dir, names[i] + ".npy"), model.Weights[i].Value);
        string onnx = Path.Combine(dir, "lstm.onnx");
        if (!Export(dir, onnx, steps)) return;
        InferenceSession session;
        try
        {
            // Intra-op threads as KerasNet's kernel pool; one inter-op thread and sequential execution (a chain of ops).
            var options = new SessionOptions { IntraOpNumThreads = Threads.Count, InterOpNumThreads = 1, ExecutionMode = ExecutionMode.ORT_SEQUENTIAL };
            session = new InferenceSession(onnx, options);
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or OnnxRuntimeException)
        {
            Console.WriteLine($"ONNX Runtime: skipped ({e.GetBaseException().Message}).");
            return;
        }
        using (session)
        {
            var one = new Tensor(x.Span[..(steps * features)].ToArray(), 1, steps, features);
            var eight = new Tensor(x.Span[..(8 * steps * features)].ToArray(), 8, steps, features);
            double diff = Math.Max(MaxDiff(model.PredictOnBatch(one)[0], Run(session, one)), MaxDiff(model.PredictOnBatch(eight)[0], Run(session, eight)));
            Console.WriteLine($"ONNX Runtime {OrtVersion()} on the torch.onnx export of the same weights: max |KerasNet - ORT| {diff:E2} over 9 sequences" +
                (diff > 1e-4 ? " -- NOT the same computation (> 1e-4), the timings below compare different things" : ""));
            using var input = OrtValue.CreateTensorValueFromMemory(one.ToArray(), [1, steps, features]);
            using var runOptions = new RunOptions();
            string[] inNames = ["input"], outNames = ["output"];
            OrtValue[] inputs = [input];
            void Ort() { using var r = session.Run(runOptions, inNames, inputs, outNames); }
            for (int i = 0; i < WarmUp; i++) { model.PredictOnBatch(one); Ort(); }
            var ours = new double[Calls];
            var theirs = new double[Calls];
            for (int i = 0; i < Calls; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                model.PredictOnBatch(one);
                long t1 = Stopwatch.GetTimestamp();
                Ort();
                ours[i] = Stopwatch.GetElapsedTime(t0, t1).TotalSeconds;
                theirs[i] = Stopwatch.GetElapsedTime(t1).TotalSeconds;
            }
            double a = Stats.Median(ours), b = Stats.Median(theirs);
            Console.WriteLine($"Inference at batch 1, interleaved, median of {Calls}: KerasNet {a * 1e3:F3} ms, ONNX Runtime {b * 1e3:F3} ms " +
                $"({Threads.Count} intra-op threads); ratio KerasNet / ONNX Runtime {a / b:F2}");
        }
    }

    /// <summary>Runs lstm_onnx_export.py (Debian's python with torch); false, with the reason, where it cannot.</summary>
    private static bool Export(string dir, string onnx, int steps)
    {
        const string python = "/usr/bin/python3";
        string script = Path.Combine(AppContext.BaseDirectory, "lstm_onnx_export.py");
        if (!File.Exists(python) || !File.Exists(script))
        {
            Console.WriteLine($"ONNX Runtime: skipped ({python} or {script} not found).");
            return false;
        }
        var psi = new ProcessStartInfo(python, [script, dir, onnx, steps.ToString(CultureInfo.InvariantCulture)]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode == 0 && File.Exists(onnx)) return true;
        Console.WriteLine($"ONNX Runtime: skipped (the export failed, exit {p.ExitCode}): {err.Result.Trim().Split('\n').LastOrDefault()}");
        return false;
    }

    private static float[] Run(InferenceSession session, Tensor x)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(x.ToArray(), x.Shape.Select(d => (long)d).ToArray());
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input"], [input], ["output"]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static double MaxDiff(Tensor ours, float[] theirs)
    {
        if (ours.Length != theirs.Length) throw new InvalidOperationException($"KerasNet gave {ours.Length} values, ONNX Runtime {theirs.Length}");
        double max = 0;
        for (int i = 0; i < theirs.Length; i++) max = Math.Max(max, Math.Abs((double)ours[i] - theirs[i]));
        return max;
    }

    private static string OrtVersion() =>
        typeof(InferenceSession).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0] ?? "?";
}
