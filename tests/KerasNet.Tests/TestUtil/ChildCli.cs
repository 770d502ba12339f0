#nullable enable
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace KerasNet.Tests.TestUtil;

/// <summary>
/// <c>kerasnet</c> as a separate process (the console app's dll beside the tests, run by the dotnet host), for what
/// an in-process run cannot show: its memory (peak resident set, sampled from /proc while it runs), signals, exit codes.
/// </summary>
public sealed partial class ChildCli : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new(), _err = new();
    private readonly Thread? _sampler;
    private long _peakKb;
    private volatile bool _done;

    private ChildCli(Process p, bool sampleMemory)
    {
        _process = p;
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (_out) _out.Append(e.Data).Append('\n'); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (_err) _err.Append(e.Data).Append('\n'); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (sampleMemory)
        {
            _sampler = new Thread(Sample) { IsBackground = true, Name = "rss sampler" };
            _sampler.Start();
        }
    }

    /// <summary>The console app's dll in the test output folder (the tests reference the project).</summary>
    public static string Dll => Path.Combine(AppContext.BaseDirectory, "KerasNet.Console.dll");

    /// <summary>Whether child processes can be measured and signalled here (Linux: /proc and POSIX signals).</summary>
    public static bool Supported => OperatingSystem.IsLinux();

    /// <summary>Starts <c>kerasnet ARGS</c>; with <paramref name="sampleMemory"/> its VmHWM is read every 20 ms.</summary>
    public static ChildCli Start(IEnumerable<string> args, bool sampleMemory = false, string? workingDir = null)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet";
        var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Dll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (workingDir != null) psi.WorkingDirectory = workingDir;
        psi.Environment["DOTNET_TieredPGO"] = "0"; // steadier memory between runs
        return new ChildCli(Process.Start(psi) ?? throw new InvalidOperationException("cannot start the dotnet host"), sampleMemory);
    }

    /// <summary>The process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Standard output so far.</summary>
    public string Out { get { lock (_out) return _out.ToString(); } }

    /// <summary>Standard error so far.</summary>
    public string Error { get { lock (_err) return _err.ToString(); } }

    /// <summary>The highest resident set size seen (VmHWM), in bytes.</summary>
    public long PeakRssBytes => Interlocked.Read(ref _peakKb) * 1024;

    /// <summary>Waits for the exit and returns the exit code (-1 after killing it on a timeout).</summary>
    public int Wait(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            _process.WaitForExit();
            _done = true;
            return -1;
        }
        _process.WaitForExit(); // drains the output readers
        _done = true;
        _sampler?.Join();
        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal (2 SIGINT, 15 SIGTERM).</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Waits until standard output contains <paramref name="text"/> (false on timeout or exit).</summary>
    public bool WaitForOutput(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (Out.Contains(text, StringComparison.Ordinal)) return true;
            if (_process.HasExited) return Out.Contains(text, StringComparison.Ordinal);
            Thread.Sleep(5);
        }
        return false;
    }

    private void Sample()
    {
        string status = $"/proc/{_process.Id}/status";
        while (!_done)
        {
            try
            {
                foreach (var line in File.ReadLines(status))
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal) && long.TryParse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), out long kb))
                    {
                        long seen;
                        do seen = Interlocked.Read(ref _peakKb); while (kb > seen && Interlocked.CompareExchange(ref _peakKb, kb, seen) != seen);
                    }
            }
            catch (IOException) { if (_process.HasExited) return; }
            catch (UnauthorizedAccessException) { return; }
            Thread.Sleep(20);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public void Dispose()
    {
        _done = true;
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.Dispose();
    }
}
