#nullable enable
using System.Diagnostics;
using System.Globalization;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>
/// Start-up profiling (issue 17): with <c>KERASNET_STARTUP_TRACE=1</c> each <see cref="Mark"/> prints to standard error
/// the milliseconds since the process started (runtime start-up included) and what was just done, so one
/// <c>kerasnet predict</c> shows where its start-up goes (command line, model load, first forward, output), with the
/// methods the JIT compiled so far and its time: what ReadyToRun code did not cover. Without the variable a mark is
/// one static read.
/// </summary>
internal static class StartupTrace
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("KERASNET_STARTUP_TRACE") == "1";

    /// <summary>Prints the time since process start beside <paramref name="what"/> when tracing is on.</summary>
    public static void Mark(string what)
    {
        if (!Enabled) return;
        double ms = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
        long jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
        double jitMs = System.Runtime.JitInfo.GetCompilationTime().TotalMilliseconds;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"startup: {ms,8:F1} ms  {what}  (JIT: {jitted} methods, {jitMs:F1} ms)"));
    }
}
