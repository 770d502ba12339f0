using KerasNet.Bench;

string mode = args.Length > 0 ? args[0] : "epoch";
switch (mode)
{
    case "profile": Profile.Run(); break;
    case "kernels": KernelBench.Run(); break;
    default: Console.Error.WriteLine($"Unknown mode '{mode}'. Use: epoch | profile | micro"); return 2;
}
return 0;
