using System.Diagnostics;
using System.Globalization;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;

namespace KerasNet.Bench;

/// <summary>
/// <c>startup</c> (issue 17): the wall time of one <c>kerasnet predict</c> of the keras.io MNIST convnet (a ~146 KB
/// .h5, one sample), run as a user runs it: the published CLI's own executable, a new process each time, timed from
/// start to exit. Almost all of it is runtime start-up and JIT, so each way of shipping the CLI is published and timed:
/// framework-dependent JIT, ReadyToRun (the tool elsewhere than linux-x64 and with <c>-p:KerasNetAotTool=false</c>), and
/// NativeAOT with its three instruction-set builds (the linux-x64 tool: the baseline executable switches to the widest
/// build the CPU runs, so the switch is inside the time). Prints one RESULT line per variant and the headline
/// <c>startup_predict_mnist</c> (the variant the tool ships here).
/// </summary>
internal static class StartupBench
{
    // 20 runs: the spread on this shared machine is ~10 ms; the median of 20 moves by ~2 ms between repeats.
    private const int DefaultRuns = 20;
    // Untimed runs first so the page cache holds the executable and its DLLs, as it does for a user's second run.
    private const int WarmupRuns = 2;

    private sealed record Variant(string Name, string[] PublishArgs, string Description);

    private static readonly Variant[] Variants =
    [
        new("jit", ["-p:PublishReadyToRun=false"], "framework-dependent, JIT only"),
        new("r2r", ["-r", Rid, "--self-contained", "false", "-p:PublishReadyToRun=true"], "framework-dependent, ReadyToRun"),
        new("aot", ["-r", Rid, "-p:PublishAot=true", "-p:KerasNetIsaVariants=true"], "NativeAOT, baseline + x86-64-v3 + x86-64-v4 builds"),
    ];

    private static string Rid => System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;

    public static void Run(string[] args)
    {
        int ri = Array.IndexOf(args, "--runs");
        int runs = ri >= 0 && ri + 1 < args.Length ? int.Parse(args[ri + 1], CultureInfo.InvariantCulture) : DefaultRuns;
        int vi = Array.IndexOf(args, "--variants");
        var wanted = vi >= 0 && vi + 1 < args.Length ? args[vi + 1].Split(',') : Variants.Select(v => v.Name).ToArray();
        string root = RepositoryRoot();
        string work = Path.Combine(Path.GetTempPath(), "kerasnet-startup");
        Directory.CreateDirectory(work);
        var (model, input) = WriteMnistModel(work);

        var published = new List<(Variant V, string Exe)>();
        string? reference = null;
        string[] predict = ["predict", "--model", model, "--input", input];
        foreach (var v in Variants.Where(v => wanted.Contains(v.Name)))
        {
            string dir = Path.Combine(work, v.Name);
            Console.WriteLine($"startup: publishing {v.Name} ({v.Description}) ...");
            if (Publish(root, dir, v) is { } error) { Console.WriteLine($"startup: {v.Name}: publish failed: {error}"); continue; }
            string exe = Path.Combine(dir, OperatingSystem.IsWindows() ? "KerasNet.Console.exe" : "KerasNet.Console");
            var first = RunOnce(exe, predict);
            if (first.Code != 0) { Console.WriteLine($"startup: {v.Name}: predict exited {first.Code}: {first.Output.Trim()}"); continue; }
            // Every variant must print what the first one printed (the predictions, to the printed precision).
            reference ??= first.Output;
            if (first.Output != reference) Console.WriteLine($"startup: {v.Name}: predict printed something else than {published.FirstOrDefault().V?.Name ?? "the first variant"}:\n{first.Output.Trim()}");
            for (int i = 0; i < WarmupRuns; i++) RunOnce(exe, predict);
            published.Add((v, exe));
        }
        // Round robin over the variants, so a change in the machine's load falls on all of them alike.
        var wall = published.ToDictionary(p => p.V.Name, _ => new double[runs]);
        var cpu = published.ToDictionary(p => p.V.Name, _ => new double[runs]);
        for (int i = 0; i < runs; i++)
            foreach (var (v, exe) in published)
            {
                var r = RunOnce(exe, predict);
                wall[v.Name][i] = r.WallMs;
                cpu[v.Name][i] = r.CpuMs;
            }
        var medians = new Dictionary<string, double>();
        foreach (var (v, _) in published)
        {
            double[] w = wall[v.Name].Order().ToArray(), c = cpu[v.Name].Order().ToArray();
            medians[v.Name] = w[runs / 2];
            Console.WriteLine($"startup: {v.Name} ({v.Description}): wall median {w[runs / 2]:F1} ms (min {w[0]:F1}, max {w[^1]:F1}), " +
                $"CPU (user+system) median {c[runs / 2]:F1} ms, over {runs} runs");
            Console.WriteLine(FormattableString.Invariant($"RESULT\tstartup_predict_mnist_{v.Name}\t{w[runs / 2]:F1}\t-\t-\t-"));
        }
        // The tool package is NativeAOT on linux-x64 and ReadyToRun elsewhere (KerasNet.Console.csproj).
        if (medians.TryGetValue(Rid == "linux-x64" ? "aot" : "r2r", out double shipped))
            Console.WriteLine(FormattableString.Invariant($"RESULT\tstartup_predict_mnist\t{shipped:F1}\t-\t-\t-"));
    }

    /// <summary>The keras.io "Simple MNIST convnet" (34,826 parameters) saved as .h5, and one 28x28x1 sample as .npy.</summary>
    private static (string Model, string Input) WriteMnistModel(string work)
    {
        KerasRandom.SetRandomSeed(1);
        var model = InferBench.MnistConvnet();
        string modelPath = Path.Combine(work, "mnist_convnet.h5"), inputPath = Path.Combine(work, "mnist_one.npy");
        model.Save(modelPath);
        var rng = new Random(0);
        Npy.Save(inputPath, new Tensor(Enumerable.Range(0, 28 * 28).Select(_ => (float)rng.NextDouble()).ToArray(), 1, 28, 28, 1));
        return (modelPath, inputPath);
    }

    private static string? Publish(string root, string dir, Variant v)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        string[] args = ["publish", Path.Combine(root, "src", "KerasNet.Console", "KerasNet.Console.csproj"), "-c", "Release", "-o", dir, "-nologo", "-v", "quiet", .. v.PublishArgs];
        var (code, output, _, _) = RunOnce("dotnet", args);
        return code == 0 ? null : string.Join(" | ", output.Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Take(3));
    }

    private static (int Code, string Output, double WallMs, double CpuMs) RunOnce(string exe, string[] args)
    {
        double cpuBefore = ChildrenCpuMs();
        var sw = Stopwatch.StartNew();
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        double wallMs = sw.Elapsed.TotalMilliseconds;
        // CPU time says what the process itself cost, which a loaded machine disturbs less than the wall time.
        return (p.ExitCode, stdout + stderr.Result, wallMs, ChildrenCpuMs() - cpuBefore);
    }

    // getrusage(RUSAGE_CHILDREN): user + system time of every reaped child (the runtime reaps each one at its exit),
    // so the difference around one run is that run's CPU time. Linux only; elsewhere NaN.
    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSec, UserMicro, SysSec, SysMicro;
        // The rest of struct rusage (14 longs) is not read but must have room.
        public long R0, R1, R2, R3, R4, R5, R6, R7, R8, R9, R10, R11, R12, R13;
    }

    private static double ChildrenCpuMs()
    {
        const int RusageChildren = -1;
        if (!OperatingSystem.IsLinux() || getrusage(RusageChildren, out var u) != 0) return double.NaN;
        return (u.UserSec + u.SysSec) * 1e3 + (u.UserMicro + u.SysMicro) / 1e3;
    }

    private static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "KerasNet.sln"))) return d.FullName;
        throw new InvalidOperationException("startup: run from inside the KerasNet repository (KerasNet.sln not found above the bench).");
    }
}
