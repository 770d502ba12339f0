#nullable enable
using System.Globalization;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using Microsoft.ML.OnnxRuntime;

namespace KerasNet.Bench;

/// <summary>
/// <c>infer [--quick]</c>: inference of the tutorial CNN (64x64x3), the keras.io MNIST convnet (28x28x1) and a tabular
/// MLP (11 -> 64 -> 64 -> 1) at batch 1 (latency) and a large batch (throughput): KerasNet's Predict against ONNX
/// Runtime on an ONNX export of the same weights (onnx_export.py, the tests' oracle: NHWC input transposed once to
/// NCHW inside the graph, ORT's fastest conv layout), in one process. Both answers are compared first (to 1e-4), then
/// timed in interleaved rounds (KerasNet, ORT, KerasNet, ...) so both see the same load, each engine as it runs alone
/// (MobileNetBench.Alternate: a pause, then warm-up calls, before each timed block); medians are reported, one
/// <c>RESULT</c> line per case (the <c>table</c> mode's input) and a readable summary. ORT runs with 2 intra-op threads
/// and every graph optimization, KerasNet on 2 threads.
/// </summary>
internal static class InferBench
{
    // Agreement both engines must reach on every output (probabilities in [0, 1]): float32 rounding differences only.
    private const double Tolerance = 1e-4;

    private sealed record Case(string Name, Func<Sequential> Build, int[] Sample, int[] Batches);

    public static int Run(bool quick, bool profile = false)
    {
        Threads.Count = 2;
        // Rounds per case: a quick run keeps the ratios' order of magnitude, a full one the second digit.
        int rounds = quick ? 7 : 21;
        var cases = new[]
        {
            new Case("tutorial", () => Applications.TutorialCnn.Build(64, 3), [64, 64, 3], [1, 32]),
            new Case("mnist", () => MnistConvnet(), [28, 28, 1], [1, 256]),
            new Case("mlp", Mlp, [11], [1, 1024]),
        };
        Console.WriteLine($"Inference: KerasNet ({Threads.Count} threads) vs ONNX Runtime 1.31.1 (2 intra-op threads, ORT_ENABLE_ALL); {rounds} interleaved rounds, medians");
        var summary = new List<string>();
        bool agree = true;
        foreach (var c in cases)
        {
            var model = Seeded(c.Build);
            string? dir = MobileNetBench.Export(model, "onnx_export.py");
            if (dir is null) return 1;
            try
            {
                using var session = MobileNetBench.OpenSession(Path.Combine(dir, "model.onnx"));
                foreach (int batch in c.Batches)
                {
                    var (k, o, diff) = Compare(model, session, c.Sample, batch, rounds);
                    if (profile)
                    {
                        MobileNetBench.ProfileNodes(model, batch, c.Sample);
                        OrtProfile.Print(Path.Combine(dir, "model.onnx"), [batch, .. c.Sample], batch == 1 ? 10 : 3);
                    }
                    string name = $"{c.Name}-b{batch}";
                    agree &= diff <= Tolerance;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT\t{name}\t{k:0.0000}\tonnxruntime\t{o:0.0000}\t{k / o:0.00}"));
                    summary.Add(string.Create(CultureInfo.InvariantCulture,
                        $"  {name,-14} KerasNet {k,9:0.000} ms  ORT {o,9:0.000} ms  ratio {k / o,5:0.00}  max |diff| {diff:E1}{(diff <= Tolerance ? "" : "  MISMATCH")}"));
                }
            }
            finally { Directory.Delete(dir, recursive: true); }
        }
        Console.WriteLine("Summary (ratio = KerasNet time / ONNX Runtime time; below 1 KerasNet is faster):");
        foreach (var line in summary) Console.WriteLine(line);
        if (!agree) Console.WriteLine($"Outputs differ by more than {Tolerance:E0}: the timings compare different computations.");
        return agree ? 0 : 1;
    }

    /// <summary>
    /// <c>infer --kernels</c>: each CNN conv layer's shape at both batch sizes, the training forward (im2col + GEMM)
    /// against the inference kernel, and the inference kernel with the 2x2 max pool after it against the fused
    /// convolution + pool, interleaved in one process (the layers' own share of the model ratios).
    /// </summary>
    public static void Kernels(bool quick, int threads = 1)
    {
        // One thread, timed by the process's CPU time: the kernels' own cost, free of a loaded machine's scheduling.
        // More threads (--threads N) are timed by wall time: how the kernels split their work.
        Threads.Count = threads;
        Func<Action, double> time = threads == 1 ? CpuTime : MobileNetBench.Time;
        Console.WriteLine($"  {threads} thread(s), {(threads == 1 ? "CPU" : "wall")} time");
        int rounds = quick ? 7 : 21;
        var be = new CpuBackend();
        // (name, batch, h, w, c, filters): the tutorial's and the MNIST convnet's 3x3 'valid' conv layers.
        (string, int, int, int, int, int)[] shapes =
        [
            ("tutorial conv1", 1, 64, 64, 3, 32), ("tutorial conv2", 1, 31, 31, 32, 32), ("tutorial conv3", 1, 14, 14, 32, 32),
            ("tutorial conv1", 32, 64, 64, 3, 32), ("tutorial conv2", 32, 31, 31, 32, 32), ("tutorial conv3", 32, 14, 14, 32, 32),
            ("mnist conv1", 1, 28, 28, 1, 32), ("mnist conv2", 1, 13, 13, 32, 64),
            ("mnist conv1", 256, 28, 28, 1, 32), ("mnist conv2", 256, 13, 13, 32, 64),
        ];
        foreach (var (name, batch, h, w, c, f) in shapes)
        {
            var s = ConvSpec.Create(batch, h, w, c, 3, 3, 1, 1, 1, 1, 1, "valid");
            var r = new Random(1);
            var x = new float[s.InputLength];
            var k = new float[s.KernelLength(f)];
            var b = new float[f];
            for (int i = 0; i < x.Length; i++) x[i] = r.NextSingle();
            for (int i = 0; i < k.Length; i++) k[i] = r.NextSingle() - 0.5f;
            var y0 = new float[s.OutputLengthFor(f)];
            var y1 = new float[y0.Length];
            var ws0 = new ConvWorkspace();
            var ws1 = new ConvWorkspace();
            // Every one of these layers is followed by a 2x2 max pool: the unfused pair against the fused pass.
            var pool = ConvGeometry.Create(batch, s.OutH, s.OutW, f, 2, 2, 2, 2, "valid");
            var pooled = new float[pool.Batch * pool.OutH * pool.OutW * f];
            var ws2 = new ConvWorkspace();
            void Old() => be.ConvForward(s, x, k, b, ActivationKind.Relu, f, y0, ws0);
            void New() => be.ConvInfer(s, x, k, b, 0, ActivationKind.Relu, f, y1, ws1);
            void Pair() { New(); be.MaxPoolForward(pool, y1, pooled, []); }
            void Fused() => be.ConvPoolInfer(s, x, k, b, 0, ActivationKind.Relu, f, pool, pooled, ws2);
            Action[] runs = [Old, New, Pair, Fused];
            foreach (var run in runs) run();
            int reps = (int)Math.Clamp(20 / Math.Max(time(Old), 1e-3), 1, 2000);
            var times = runs.Select(_ => new double[rounds]).ToArray();
            for (int i = 0; i < rounds; i++)
                for (int q = 0; q < runs.Length; q++)
                    times[q][i] = time(() => { for (int j = 0; j < reps; j++) runs[q](); }) / reps;
            double o = MobileNetBench.Median(times[0]), n = MobileNetBench.Median(times[1]), gflop = 2.0 * s.Rows * s.KH * s.KW * c * f / 1e9;
            double pair = MobileNetBench.Median(times[2]), fused = MobileNetBench.Median(times[3]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-15} b{batch,-4} im2col+GEMM {o,8:0.000} ms ({gflop / o * 1e3,5:0.0} GFLOP/s)  inference {n,8:0.000} ms ({gflop / n * 1e3,5:0.0} GFLOP/s)  {o / n,4:0.00}x" +
                $"  | +pool {pair,8:0.000} ms  fused {fused,8:0.000} ms  {pair / fused,4:0.00}x"));
        }
        DenseKernels(be, rounds);
    }

    /// <summary>The narrow dense layers (a few units at a large batch): the training forward against the inference path.</summary>
    private static void DenseKernels(CpuBackend be, int rounds)
    {
        // (name, rows, inputs, units): the MLP's output layer at batch 1024, the tutorial's at batch 32.
        (string, int, int, int)[] shapes = [("mlp dense_2", 1024, 64, 1), ("tutorial dense_2", 32, 3137, 2)];
        foreach (var (name, rows, inDim, units) in shapes)
        {
            var r = new Random(2);
            var x = new float[rows * inDim];
            var w = new float[inDim * units];
            var b = new float[units];
            for (int i = 0; i < x.Length; i++) x[i] = r.NextSingle();
            for (int i = 0; i < w.Length; i++) w[i] = r.NextSingle() - 0.5f;
            var y = new float[rows * units];
            void Old() => be.DenseForward(rows, inDim, units, x, w, b, ActivationKind.Sigmoid, y);
            void New() => be.DenseInfer(rows, inDim, units, x, w, b, ActivationKind.Sigmoid, y);
            for (int i = 0; i < 200; i++) { Old(); New(); } // past the JIT's tiers (microsecond calls: its compiles would dominate)
            // Wall time (microseconds are below the process clock's resolution), 3x the rounds for the load's noise.
            int reps = (int)Math.Clamp(2 / Math.Max(MobileNetBench.Time(Old), 1e-4), 1, 20000);
            var to = new double[3 * rounds];
            var tn = new double[3 * rounds];
            for (int i = 0; i < to.Length; i++)
            {
                to[i] = MobileNetBench.Time(() => { for (int j = 0; j < reps; j++) Old(); }) / reps;
                tn[i] = MobileNetBench.Time(() => { for (int j = 0; j < reps; j++) New(); }) / reps;
            }
            double o = MobileNetBench.Median(to), n = MobileNetBench.Median(tn);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {name,-17} b{rows,-5} training forward {o * 1e3,8:0.0} us  inference {n * 1e3,8:0.0} us  {o / n,4:0.00}x"));
        }
    }

    internal static double CpuTime(Action a)
    {
        var p = System.Diagnostics.Process.GetCurrentProcess();
        var t = p.TotalProcessorTime;
        a();
        p.Refresh();
        return (p.TotalProcessorTime - t).TotalMilliseconds;
    }

    /// <summary>The keras.io MNIST convnet (simple_convnet example).</summary>
    internal static Sequential MnistConvnet(string? name = null) => new(
    [
        new Conv2D(32, (3, 3), activation: "relu", inputShape: (28, 28, 1)),
        new MaxPooling2D(poolSize: (2, 2)),
        new Conv2D(64, (3, 3), activation: "relu"),
        new MaxPooling2D(poolSize: (2, 2)),
        new Flatten(),
        new Dropout(0.5),
        new Dense(10, activation: "softmax"),
    ], name: name);

    /// <summary>A tabular binary classifier: 11 features, two hidden layers of 64.</summary>
    private static Sequential Mlp() => new(
    [
        new Dense(64, activation: "relu", inputShape: new Shape(11)),
        new Dense(64, activation: "relu"),
        new Dense(1, activation: "sigmoid"),
    ]);

    /// <summary>The model from fixed seeds, biases made non-zero so the bias paths are compared too.</summary>
    private static Sequential Seeded(Func<Sequential> build)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(3);
        var model = build();
        var r = new Random(4);
        foreach (var layer in model.Layers)
            foreach (var w in layer.Weights.Where(w => w.Name == "bias"))
            {
                var values = new float[w.Size];
                for (int i = 0; i < values.Length; i++) values[i] = (r.NextSingle() - 0.5f) * 0.2f;
                w.Assign(values);
            }
        return model;
    }

    /// <summary>Median ms per call of KerasNet and ORT on one random batch, and the largest output difference.</summary>
    private static (double Kn, double Ort, double Diff) Compare(Sequential model, InferenceSession session, int[] sample, int batch, int rounds)
    {
        int[] shape = [batch, .. sample];
        var rng = new Random(batch);
        var x = new Tensor(shape);
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextSingle();
        var y = model.Predict(x); // the output's shape (then overwritten in place by every timed call)
        int classes = y.Shape[^1];
        var ortOut = new float[batch * classes];
        using var input = OrtValue.CreateTensorValueFromMemory(x.Buffer, shape.Select(d => (long)d).ToArray());
        using var output = OrtValue.CreateTensorValueFromMemory(ortOut, [batch, classes]);
        using var runOptions = new RunOptions();
        void Ort() => session.Run(runOptions, ["input"], [input], ["output"], [output]);
        void Kn() => model.PredictInto(x, y);

        for (int i = 0; i < 3; i++) { Kn(); Ort(); }
        double diff = 0;
        for (int i = 0; i < ortOut.Length; i++) diff = Math.Max(diff, Math.Abs((double)ortOut[i] - y[i]));

        // Calls per timed round: enough for ~20 ms of ORT work, so microsecond latencies are not timer noise.
        int reps = (int)Math.Clamp(20 / Math.Max(MobileNetBench.Time(Ort), 1e-3), 1, 2000);
        var (kn, ort) = MobileNetBench.Alternate(Kn, Ort, rounds, reps);
        return (kn, ort, diff);
    }
}
