using KerasNet.Bench;

// dotnet run -c Release --project src/KerasNet.Bench -- [table [--quick] [--modes a,b] | epoch [--quick] [--jit-log] | train [--quick] [--case NAME] | infer [--quick] [--kernels | --profile] | lstm [--threads N] [--epochs N] [--kernels | --latency] | convtrain [--quick] | kernels [filter] | profile | mobilenet [--threads N] [--rounds N] [--profile] | threads [seconds per cell] | serve [--quick] [--soak SECONDS] | micro [BenchmarkDotNet args] | startup [--runs N] [--variants jit,r2r,aot] | densefused ROWS IN UNITS D1,D2,... | padconv BATCH SIZE CHANNELS] [--no-torch]
string mode = args.Length > 0 && !args[0].StartsWith("--") ? args[0] : "epoch";
bool torch = !args.Contains("--no-torch");
// --quick: fewer epochs and rounds (the table passes it on to every mode it runs).
bool quick = args.Contains("--quick");
switch (mode)
{
    case "table": return TableBench.Run(args);
    case "epoch": EpochBench.Run(epochs: quick ? 2 : 5, torch: torch, jitLog: args.Contains("--jit-log")); break;
    case "train":
        // --quick: a few steps per round (per-step times); --case NAME: only the cases whose name contains NAME.
        int ci = Array.IndexOf(args, "--case");
        TrainBench.Run(args.Contains("--quick"), torch, ci >= 0 && ci + 1 < args.Length ? args[ci + 1] : null);
        break;
    case "infer":
        // CNNs and an MLP against ONNX Runtime; --kernels: each conv layer's training forward against its inference kernel.
        if (args.Contains("--kernels"))
        {
            int kt = Array.IndexOf(args, "--threads"); // --threads N: the kernels on N threads, by wall time
            InferBench.Kernels(args.Contains("--quick"), kt >= 0 && kt + 1 < args.Length ? int.Parse(args[kt + 1]) : 1);
            break;
        }
        return InferBench.Run(quick: args.Contains("--quick"), profile: args.Contains("--profile"));
    case "lstm":
        // --threads N: KerasNet and PyTorch both on N threads (1 measures the work itself, free of the thread
        // synchronisation that a loaded machine makes expensive).
        int ti = Array.IndexOf(args, "--threads");
        if (ti >= 0 && ti + 1 < args.Length) KerasNet.Engine.Threads.Count = int.Parse(args[ti + 1]);
        int ei = Array.IndexOf(args, "--epochs");
        if (args.Contains("--kernels")) LstmBench.Kernels();
        else if (args.Contains("--latency")) LstmOnnxBench.RunAlone(); // batch-1 latency against ONNX Runtime only
        else LstmBench.Run(torch: torch, epochs: ei >= 0 && ei + 1 < args.Length ? int.Parse(args[ei + 1]) : 3);
        break;
    case "convtrain": ConvTrainBench.Run(quick); break; // the conv layers' training passes against im2col + GEMM, CPU time
    case "kernels": KernelBench.Run(args.Length > 1 && !args[1].StartsWith("--") ? args[1] : null); break;
    case "profile":
        // --net mnist|tutorial --batch N: one of the training bench's cases instead of the epoch workload.
        int pn = Array.IndexOf(args, "--net"), pb = Array.IndexOf(args, "--batch");
        if (pn >= 0 && pn + 1 < args.Length) Profile.RunTrainCase(args[pn + 1], pb >= 0 && pb + 1 < args.Length ? int.Parse(args[pb + 1]) : 128);
        else Profile.Run();
        break;
    case "mobilenet":
        // --threads N: KerasNet's threads (2 by default, as ORT's intra-op threads); --rounds N; --profile: per-node times.
        int mt = Array.IndexOf(args, "--threads"), mr = Array.IndexOf(args, "--rounds");
        MobileNetBench.Run(mt >= 0 && mt + 1 < args.Length ? int.Parse(args[mt + 1]) : 2,
            mr >= 0 && mr + 1 < args.Length ? int.Parse(args[mr + 1]) : quick ? 5 : 20, args.Contains("--profile"));
        break;
    case "threads": ThreadsBench.Run(args.Length > 1 && double.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out double s) ? s : 3); break;
    // densefused ROWS IN UNITS D1,D2,...: the fused dense backward with Adam at each prefetch distance (0: none), interleaved.
    case "densefused": KernelBench.DenseFusedPrefetch(int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]), args[4].Split(',').Select(int.Parse).ToArray()); break;
    // streamgemm ROWS IN UNITS W1,W2,...: the few-row training forward with cold kernels at each strip width, interleaved.
    case "streamgemm": KernelBench.StreamGemm(int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]), args[4].Split(',').Select(int.Parse).ToArray()); break;
    // padconv BATCH SIZE CHANNELS: MobileNet's ZeroPadding2D + stride-2 depthwise 3x3, padded copy against the absorbed padding.
    case "padconv": KernelBench.PadConv(int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3])); break;
    case "gemm": KernelBench.Gemm(int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]), args.Length > 4 && args[4] == "ta", args.Length > 4 && args[4] == "tb"); break;
    case "serve": ServeBench.Run(args.Skip(1).ToArray()); break; // [--quick] [--soak SECONDS]: kerasnet serve under concurrent clients
    case "startup": StartupBench.Run(args); break; // issue 17: `kerasnet predict` start-up per way of shipping [--runs N] [--variants jit,r2r,aot]
    case "micro": MicroBenchmarks.Run(args.Skip(1).Where(a => !a.StartsWith("--no")).ToArray()); break;
    default: Console.Error.WriteLine($"Unknown mode '{mode}'. Use: table | epoch | train | infer | lstm | kernels | profile | mobilenet | threads | serve | startup | micro"); return 2;
}
return 0;
