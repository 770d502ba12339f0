#nullable enable
using System.Collections.Concurrent;
using System.Diagnostics;

namespace KerasNet.Tests.TestUtil;

/// <summary>Thrown instead of a skip when an oracle is missing under CI (see <see cref="Oracle.RequireOracle"/>).</summary>
public sealed class OracleMissingException(string reason) : Exception(reason + " [CI=true: a missing oracle is a failure, not a skip]")
{
    /// <summary>The reason a plain machine would have skipped with.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// Runs the independent oracles: Debian's /usr/bin/python3 with numpy, torch, h5py, keras_preprocessing, sklearn...,
/// and Node with @tensorflow/tfjs. Tests call <see cref="RequirePython"/> / <see cref="RequireNodeTfjs"/> /
/// <see cref="RequireFixtures"/> first, which skip (with the reason) where the oracle is not installed, so `dotnet test`
/// passes on a fresh Windows or macOS box. Under CI (environment CI=true, any case) a missing oracle is a failure:
/// they throw <see cref="OracleMissingException"/> with the same reason instead of skipping.
/// </summary>
public static class Oracle
{
    private static readonly ConcurrentDictionary<string, bool> ModuleCache = new();

    /// <summary>Debian's interpreter (the pyenv python3 on PATH cannot see Debian's packages).</summary>
    public static string PythonPath => Environment.GetEnvironmentVariable("KERASNET_PYTHON") ?? "/usr/bin/python3";

    /// <summary>The folder holding the oracle scripts (copied beside the test assembly).</summary>
    public static string ScriptsDir => Path.Combine(AppContext.BaseDirectory, "Oracles");

    /// <summary>The repository root (the folder with KerasNet.sln).</summary>
    public static string RepoRoot
    {
        get
        {
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d != null && !File.Exists(Path.Combine(d.FullName, "KerasNet.sln"))) d = d.Parent;
            return d?.FullName ?? throw new InvalidOperationException("KerasNet.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Whether python can import every module.</summary>
    public static bool HasPython(params string[] modules) =>
        File.Exists(PythonPath) && modules.All(m => ModuleCache.GetOrAdd(m, mod => Run(PythonPath, ["-c", $"import {mod}"], null, 120).ExitCode == 0));

    /// <summary>Whether this run is under CI (environment variable CI equals "true", case-insensitive).</summary>
    public static bool IsCI => string.Equals(Environment.GetEnvironmentVariable("CI")?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The one place a missing oracle is handled: returns when <paramref name="available"/>; otherwise skips the test
    /// with <paramref name="reason"/>, or under CI (<see cref="IsCI"/>, or <paramref name="ci"/> when given) throws
    /// <see cref="OracleMissingException"/>. Use it for any other oracle a test needs (ONNX Runtime, a fixture file...).
    /// </summary>
    public static void RequireOracle(bool available, string reason, bool? ci = null)
    {
        if (available) return;
        if (ci ?? IsCI) throw new OracleMissingException(reason);
        Skip.If(true, reason);
    }

    /// <summary>
    /// Skips a test that cannot run on this operating system (hard links, POSIX signals, /proc): the one skip that CI
    /// allows, since CI runs on Linux where these tests run. Every other skip goes through <see cref="RequireOracle"/>
    /// (SourceRulesTests checks that no test calls Skip directly).
    /// </summary>
    public static void SkipUnlessPlatform(bool supported, string reason) => Skip.IfNot(supported, reason);

    /// <summary>Skips the test (fails under CI) unless python with the modules is present.</summary>
    public static void RequirePython(params string[] modules) =>
        RequireOracle(HasPython(modules), $"Oracle not available: {PythonPath} with modules [{string.Join(", ", modules)}] (installed by .ci/run on Debian).");

    /// <summary>Runs a script from <see cref="ScriptsDir"/> with arguments; throws with stderr on failure.</summary>
    public static string RunPythonScript(string script, params string[] args)
    {
        var r = Run(PythonPath, [Path.Combine(ScriptsDir, script), .. args], null, 600);
        if (r.ExitCode != 0) throw new Exception($"{script} failed ({r.ExitCode}):\n{r.StdErr}\n{r.StdOut}");
        return r.StdOut;
    }

    /// <summary>Runs inline python code; throws with stderr on failure.</summary>
    public static string RunPythonCode(string code, params string[] args)
    {
        var r = Run(PythonPath, ["-c", code, .. args], null, 600);
        if (r.ExitCode != 0) throw new Exception($"python failed ({r.ExitCode}):\n{r.StdErr}\n{r.StdOut}");
        return r.StdOut;
    }

    /// <summary>The folder where .ci/run installs npm oracles (node_modules with @tensorflow/tfjs).</summary>
    public static string NodeDir => Environment.GetEnvironmentVariable("KERASNET_NODE_DIR") ?? Path.Combine(RepoRoot, ".ci", "node");

    /// <summary>Skips (fails under CI) unless node and @tensorflow/tfjs are installed in <see cref="NodeDir"/>.</summary>
    public static void RequireNodeTfjs() =>
        RequireOracle(Directory.Exists(Path.Combine(NodeDir, "node_modules", "@tensorflow", "tfjs")) && Run("node", ["--version"], null, 60).ExitCode == 0,
            $"Oracle not available: node with @tensorflow/tfjs in {NodeDir}/node_modules (installed by .ci/run).");

    /// <summary>Runs a node script from <see cref="ScriptsDir"/> with NODE_PATH at the oracle's node_modules.</summary>
    public static string RunNodeScript(string script, params string[] args)
    {
        var r = Run("node", [Path.Combine(ScriptsDir, script), .. args], null, 600,
            new() { ["NODE_PATH"] = Path.Combine(NodeDir, "node_modules") });
        if (r.ExitCode != 0) throw new Exception($"{script} failed ({r.ExitCode}):\n{r.StdErr}\n{r.StdOut}");
        return r.StdOut;
    }

    /// <summary>The Keras fixtures folder: KERASNET_FIXTURES or ../shared/fixtures/keras beside the repo.</summary>
    public static string? FixturesDir
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("KERASNET_FIXTURES");
            var dir = env ?? Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "fixtures", "keras"));
            return Directory.Exists(dir) ? dir : null;
        }
    }

    /// <summary>Skips (fails under CI) unless the fixtures folder exists; returns it.</summary>
    public static string RequireFixtures()
    {
        var d = FixturesDir;
        RequireOracle(d != null, "Keras fixtures not found: set KERASNET_FIXTURES or place them in ../shared/fixtures/keras beside the repository.");
        return d!;
    }

    /// <summary>A fresh temporary folder inside the run's root (<see cref="TestTemp.Root"/>, deleted when the run ends).</summary>
    public static string TempDir()
    {
        var d = Path.Combine(TestTemp.Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>The result of a process run.</summary>
    public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);

    /// <summary>Runs a process, capturing output; exit code -1 when it cannot start.</summary>
    public static ProcessResult Run(string file, IEnumerable<string> args, string? stdin, int timeoutSeconds, Dictionary<string, string>? env = null, string? workingDir = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin != null, UseShellExecute = false };
        if (workingDir != null) psi.WorkingDirectory = workingDir;
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
        // Keep oracle numerics single-threaded and reproducible.
        psi.Environment["OMP_NUM_THREADS"] = "1";
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e) { return new ProcessResult(-1, "", e.Message); }
        using (p)
        {
            if (stdin != null) { p.StandardInput.Write(stdin); p.StandardInput.Close(); }
            var so = p.StandardOutput.ReadToEndAsync();
            var se = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeoutSeconds * 1000)) { try { p.Kill(true); } catch { } return new ProcessResult(-2, so.Result, "timeout\n" + se.Result); }
            p.WaitForExit();
            return new ProcessResult(p.ExitCode, so.Result, se.Result);
        }
    }
}
