#nullable enable
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace KerasNet.Tests.TestUtil;

/// <summary>
/// The one temporary folder of a test run: <c>&lt;system temp&gt;/kerasnet-tests/run-&lt;pid&gt;-&lt;utc time&gt;</c>. The module
/// initializer points <c>TMPDIR</c> (and <c>TEMP</c>/<c>TMP</c>) at it before any test code runs, so everything a test
/// writes through <see cref="Path.GetTempPath"/>, <see cref="Oracle.TempDir"/>, or a child process (python's
/// <c>tempfile</c>, the CLI, the kill-test child) lands inside it; the folder is deleted when the test process exits.
/// A run that could not clean up (killed, crashed) leaves its root behind, and the next run deletes every root whose
/// process is gone. <see cref="RunRootFramework"/> deletes the root once the last test has finished (a handler of
/// ProcessExit is too late: the test host may be stopped while it runs), and <c>.ci/run</c> fails when a root is still
/// there after <c>dotnet test</c>.
/// </summary>
public static class TestTemp
{
    /// <summary>The prefix of a run root's folder name.</summary>
    public const string RunPrefix = "run-";

    /// <summary>The system temporary folder as it was before the run redirected it.</summary>
    public static string SystemTemp { get; private set; } = Path.GetTempPath();

    /// <summary>Where run roots live: <c>&lt;system temp&gt;/kerasnet-tests</c>.</summary>
    public static string Parent => Path.Combine(SystemTemp, "kerasnet-tests");

    /// <summary>This run's root (created by the module initializer).</summary>
    public static string Root { get; private set; } = "";

    [ModuleInitializer]
    internal static void Initialize()
    {
        SystemTemp = Path.GetTempPath();
        DeleteStaleRoots(Parent, TimeSpan.FromHours(2));
        Root = Path.Combine(Parent, $"{RunPrefix}{Environment.ProcessId}-{DateTime.UtcNow.ToString("yyyyMMddTHHmmss", CultureInfo.InvariantCulture)}");
        Directory.CreateDirectory(Root);
        foreach (var v in new[] { "TMPDIR", "TEMP", "TMP" }) Environment.SetEnvironmentVariable(v, Root);
        // RunRootFramework deletes the root when the tests are done; this covers runs that stop another way.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DeleteTree(Root);
    }

    /// <summary>
    /// Deletes, below <paramref name="parent"/>, the run roots of test processes that no longer run, and folders of
    /// the older layout (one GUID folder per test, never deleted) last written more than <paramref name="legacyAge"/>
    /// ago. Returns how many folders it deleted.
    /// </summary>
    public static int DeleteStaleRoots(string parent, TimeSpan legacyAge)
    {
        if (!Directory.Exists(parent)) return 0;
        int deleted = 0;
        string[] entries;
        try { entries = Directory.GetDirectories(parent); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return 0; }
        foreach (var dir in entries)
        {
            var name = Path.GetFileName(dir);
            bool stale = RunPid(name) is int pid
                ? pid != Environment.ProcessId && !IsRunning(pid)
                : Guid.TryParseExact(name, "N", out _) && Directory.GetLastWriteTimeUtc(dir) < DateTime.UtcNow - legacyAge;
            if (stale && DeleteTree(dir)) deleted++;
        }
        return deleted;
    }

    /// <summary>The process id in a run root's name (<c>run-1234-20260101T000000</c>), or null for any other name.</summary>
    public static int? RunPid(string name)
    {
        if (!name.StartsWith(RunPrefix, StringComparison.Ordinal)) return null;
        var rest = name.AsSpan(RunPrefix.Length);
        int dash = rest.IndexOf('-');
        return dash > 0 && int.TryParse(rest[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out int pid) ? pid : null;
    }

    /// <summary>The folders below <paramref name="dir"/> and the bytes of its files (0, 0 when it does not exist).</summary>
    public static (int Folders, long Bytes) Measure(string dir)
    {
        if (!Directory.Exists(dir)) return (0, 0);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        try
        {
            var info = new DirectoryInfo(dir);
            return (info.EnumerateDirectories("*", options).Count(), info.EnumerateFiles("*", options).Sum(f => f.Length));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return (-1, -1); }
    }

    /// <summary>Deletes a folder and everything in it, read-only entries included; false when something stayed.</summary>
    public static bool DeleteTree(string dir)
    {
        if (!Directory.Exists(dir)) return true;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                foreach (var e in new DirectoryInfo(dir).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true }))
                    if ((e.Attributes & FileAttributes.ReadOnly) != 0) e.Attributes &= ~FileAttributes.ReadOnly;
                Directory.Delete(dir, recursive: true);
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Thread.Sleep(50); // a child process may still be closing a file in it
            }
        }
        return !Directory.Exists(dir);
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }
}
