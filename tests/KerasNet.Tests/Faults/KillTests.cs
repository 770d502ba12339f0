#nullable enable
using System.Diagnostics;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Faults;

/// <summary>
/// A process saving models over the same files is killed at random moments; afterwards each file must load (the
/// old model or the new one, never a partial file) and at most one temporary file per target may remain: the one
/// the killed writer was filling. Its successor deletes it on its first save.
/// </summary>
[Collection(ProcessWideCollection.Name)] // timing-sensitive: 25 kills of child processes within a 40 s budget
public class KillTests(ITestOutputHelper output)
{
    private const int Kills = 25;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(40);
    private static readonly string[] Targets = ["model.h5", "model.keras"];
    // The child's two models: Dense(8) on 16 inputs + Dense(3), and Dense(512) on 1024 inputs + Dense(3).
    private static readonly long[] ParamCounts = [16 * 8 + 8 + 8 * 3 + 3, 1024 * 512 + 512 + 512 * 3 + 3];

    /// <summary>The child's dll beside this assembly's build output (same configuration), or KERASNET_FAULTCHILD.</summary>
    private static string? ChildDll()
    {
        if (Environment.GetEnvironmentVariable("KERASNET_FAULTCHILD") is { Length: > 0 } env) return File.Exists(env) ? env : null;
        // tests/KerasNet.Tests/bin/<Configuration>/<tfm>/ -> tests/KerasNet.FaultChild/bin/<Configuration>/<tfm>/
        var tfmDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var config = tfmDir.Parent?.Name;
        var testsDir = tfmDir.Parent?.Parent?.Parent?.Parent;
        if (config == null || testsDir == null) return null;
        var dll = Path.Combine(testsDir.FullName, "KerasNet.FaultChild", "bin", config, tfmDir.Name, "KerasNet.FaultChild.dll");
        return File.Exists(dll) ? dll : null;
    }

    private static Process? Start(string dll, string dir)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add(dir);
        try { return Process.Start(psi); }
        catch (System.ComponentModel.Win32Exception) { return null; }
    }

    [SkippableFact]
    public void KilledWriterNeverLeavesAPartialFile()
    {
        var dll = ChildDll();
        Oracle.RequireOracle(dll != null, "KerasNet.FaultChild.dll was not built beside the tests (set KERASNET_FAULTCHILD to its path).");
        var dir = Oracle.TempDir();
        var rng = new Random(2024);
        var clock = Stopwatch.StartNew();
        int kills = 0, midWrite = 0;
        var loaded = new Dictionary<long, int>();
        while (kills < Kills && clock.Elapsed < Budget)
        {
            using var child = Start(dll!, dir);
            Oracle.RequireOracle(child != null || kills > 0, "cannot start the dotnet host");
            Assert.NotNull(child);
            // Both targets are written before "ready"; then the kill comes after a random part of a few save rounds.
            // ReadLine on a thread of its own: the async pipe read can block the caller on Unix.
            var ready = Task.Run(() => child!.StandardOutput.ReadLine());
            if (!ready.Wait(TimeSpan.FromSeconds(30)) || ready.Result != "ready")
            {
                child!.Kill(entireProcessTree: true);
                child.WaitForExit();
                Assert.Fail($"the child did not become ready: {child.StandardError.ReadToEnd()}");
            }
            Thread.Sleep(rng.Next(0, 250));
            // (stderr is read only once the child is gone: ReadToEnd waits for the pipe to close.)
            if (child!.HasExited) Assert.Fail($"the child exited early: {child.StandardError.ReadToEnd()}");
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
            kills++;

            foreach (var target in Targets)
            {
                var path = Path.Combine(dir, target);
                var model = Keras.LoadModel(path); // old or new, never partial: this throws on a torn file
                long n = model.CountParams();
                Assert.Contains(n, ParamCounts);
                loaded[n] = loaded.GetValueOrDefault(n) + 1;
                var temps = Directory.GetFiles(dir, $".{target}.*.tmp");
                Assert.True(temps.Length <= 1, $"after kill {kills}: {temps.Length} temporary files of {target}: {string.Join(", ", temps.Select(Path.GetFileName))}");
                midWrite += temps.Length;
            }
        }
        output.WriteLine($"{kills} kills in {clock.Elapsed.TotalSeconds:F1} s; {midWrite} landed mid-write (a temporary file was left); " +
                         $"loaded small {loaded.GetValueOrDefault(ParamCounts[0])} / medium {loaded.GetValueOrDefault(ParamCounts[1])} times");
        Assert.True(kills >= 8, $"only {kills} kills fit in {Budget.TotalSeconds} s");
        Assert.True(midWrite > 0, "no kill landed during a write, so the test proved nothing about torn files");
        // Every file in the folder is a target or a leftover of the last killed writer.
        Assert.All(Directory.GetFiles(dir), f => Assert.True(Targets.Contains(Path.GetFileName(f)) || f.EndsWith(".tmp", StringComparison.Ordinal), f));
    }
}
