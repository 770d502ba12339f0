#nullable enable
using System.Diagnostics;
using System.Globalization;

namespace KerasNet.Bench;

/// <summary>Runs pytorch_epoch.py with Debian's python3 and parses its RESULT line.</summary>
internal static class TorchRunner
{
    public readonly record struct Result(double Train, double Val, double Total, double RssMb);

    public static Result? Run(int epochs)
    {
        const string python = "/usr/bin/python3";
        string script = Path.Combine(AppContext.BaseDirectory, "pytorch_epoch.py");
        if (!File.Exists(python) || !File.Exists(script))
        {
            Console.WriteLine($"PyTorch: skipped ({python} or {script} not found).");
            return null;
        }
        var psi = new ProcessStartInfo(python, [script, epochs.ToString(CultureInfo.InvariantCulture)])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines.Where(l => !l.StartsWith("RESULT"))) Console.WriteLine("PyTorch: " + line);
        var result = lines.FirstOrDefault(l => l.StartsWith("RESULT"));
        if (p.ExitCode != 0 || result is null)
        {
            Console.WriteLine($"PyTorch: skipped (exit {p.ExitCode}): {err.Trim().Split('\n').LastOrDefault()}");
            return null;
        }
        var f = result.Split(' ').Skip(1).Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture));
        return new Result(f["train"], f["val"], f["total"], f["peak_rss_mb"]);
    }

    /// <summary>Runs another PyTorch script beside the bench and returns its RESULT line's key=value numbers (null when skipped).</summary>
    public static Dictionary<string, double>? RunScript(string name, IEnumerable<string> args)
    {
        const string python = "/usr/bin/python3";
        string script = Path.Combine(AppContext.BaseDirectory, name);
        if (!File.Exists(python) || !File.Exists(script))
        {
            Console.WriteLine($"PyTorch: skipped ({python} or {script} not found).");
            return null;
        }
        var psi = new ProcessStartInfo(python, [script, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        foreach (var line in lines.Where(l => !l.StartsWith("RESULT"))) Console.WriteLine("PyTorch: " + line);
        var result = lines.FirstOrDefault(l => l.StartsWith("RESULT"));
        if (p.ExitCode != 0 || result is null)
        {
            Console.WriteLine($"PyTorch: skipped (exit {p.ExitCode}): {err.Result.Trim().Split('\n').LastOrDefault()}");
            return null;
        }
        return result.Split(' ').Skip(1).Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture));
    }
}
