using KerasNet.Bench;

// dotnet run -c Release --project src/KerasNet.Bench -- [epoch | lstm | kernels [filter] | profile | threads [seconds per cell] | micro [BenchmarkDotNet args]] [--no-torch]
string mode = args.Length > 0 && !args[0].StartsWith("--") ? args[0] : "epoch";
bool torch = !args.Contains("--no-torch");
switch (mode)
{
    case "epoch": EpochBench.Run(torch: torch); break;
    case "lstm": if (args.Contains("--kernels")) LstmBench.Kernels(); else LstmBench.Run(torch: torch); break;
    case "kernels": KernelBench.Run(args.Length > 1 && !args[1].StartsWith("--") ? args[1] : null); break;
    case "profile": Profile.Run(); break;
    case "threads": ThreadsBench.Run(args.Length > 1 && double.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out double s) ? s : 3); break;
    case "gemm": KernelBench.Gemm(int.Parse(args[1]), int.Parse(args[2]), int.Parse(args[3]), args.Length > 4 && args[4] == "ta", args.Length > 4 && args[4] == "tb"); break;
    case "micro": MicroBenchmarks.Run(args.Skip(1).Where(a => !a.StartsWith("--no")).ToArray()); break;
    default: Console.Error.WriteLine($"Unknown mode '{mode}'. Use: epoch | lstm | kernels | profile | threads | micro"); return 2;
}
return 0;
