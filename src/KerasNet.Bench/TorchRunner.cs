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
}

/// <summary>
/// A PyTorch script kept running and driven by one-line commands on its stdin (each answered by one line), so a
/// bench can alternate its work with KerasNet's and both see the same machine load.
/// </summary>
internal sealed class TorchSession : IDisposable
{
    private readonly Process _p;

    private TorchSession(Process p) => _p = p;

    /// <summary>Starts the script and waits for its READY line (null, with a message, when python or the script is missing or fails).</summary>
    public static TorchSession? Start(string script, params string[] args)
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python) || !File.Exists(script))
        {
            Console.WriteLine($"PyTorch: skipped ({python} or {script} not found).");
            return null;
        }
        var psi = new ProcessStartInfo(python, [script, .. args]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        var p = Process.Start(psi)!;
        var s = new TorchSession(p);
        string? line;
        while ((line = p.StandardOutput.ReadLine()) != null && line != "READY") Console.WriteLine("PyTorch: " + line);
        if (line == "READY") return s;
        Console.WriteLine($"PyTorch: skipped (exit): {p.StandardError.ReadToEnd().Trim().Split('\n').LastOrDefault()}");
        s.Dispose();
        return null;
    }

    /// <summary>Sends a command and returns its answer line (null when the script ended).</summary>
    public string? Ask(string command)
    {
        _p.StandardInput.WriteLine(command);
        _p.StandardInput.Flush();
        return _p.StandardOutput.ReadLine();
    }

    public void Dispose()
    {
        try { if (!_p.HasExited) { _p.StandardInput.Close(); if (!_p.WaitForExit(10_000)) _p.Kill(); } } catch (InvalidOperationException) { }
        _p.Dispose();
    }
}
