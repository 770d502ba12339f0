#nullable enable
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Faults;

/// <summary>
/// The rules that keep a green run meaningful and the machine clean: no test skips except through the oracle helpers
/// (which fail under CI=true) or for an unsupported operating system; every temporary file goes below the run's root,
/// which is deleted at the end; the suite runs in parallel.
/// </summary>
public sealed partial class TestHygieneTests
{
    private static string TestsDir => Path.Combine(Oracle.RepoRoot, "tests", "KerasNet.Tests");

    private static IEnumerable<(string File, int Line, string Text)> SourceLines(Regex pattern)
    {
        foreach (var file in Directory.EnumerateFiles(TestsDir, "*.cs", SearchOption.AllDirectories))
        {
            if (file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") || file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}")) continue;
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
                if (pattern.IsMatch(lines[i])) yield return (Path.GetRelativePath(TestsDir, file), i + 1, lines[i].Trim());
        }
    }

    [GeneratedRegex(@"\bSkip\.(If|IfNot)\s*\(")]
    private static partial Regex RawSkip();

    [GeneratedRegex("\"/tmp|\"/var/tmp|GetEnvironmentVariable\\(\"(TMPDIR|TEMP|TMP)\"")]
    private static partial Regex HardCodedTemp();

    [Fact]
    public void NoTestSkipsOutsideTheOracleHelpers()
    {
        var raw = SourceLines(RawSkip()).Where(l => l.File != Path.Combine("TestUtil", "Oracle.cs")).ToList();
        Assert.True(raw.Count == 0, "raw Skip calls (use Oracle.RequireOracle, or Oracle.SkipUnlessPlatform for an OS limit):\n" +
            string.Join("\n", raw.Select(r => $"{r.File}:{r.Line}: {r.Text}")));
    }

    [Fact]
    public void NoTestHardCodesTheSystemTemporaryFolder()
    {
        var hits = SourceLines(HardCodedTemp()).Where(l => !l.File.EndsWith("TestHygieneTests.cs", StringComparison.Ordinal)).ToList();
        Assert.True(hits.Count == 0, "temporary paths outside the run root:\n" + string.Join("\n", hits.Select(r => $"{r.File}:{r.Line}: {r.Text}")));
    }

    [Fact]
    public void TemporaryFilesOfTestsAndChildProcessesGoBelowTheRunRoot()
    {
        Assert.StartsWith(TestTemp.Parent, TestTemp.Root);
        Assert.Equal(Environment.ProcessId, TestTemp.RunPid(Path.GetFileName(TestTemp.Root)));
        Assert.True(Directory.Exists(TestTemp.Root));
        Assert.StartsWith(TestTemp.Root, Path.GetFullPath(Path.GetTempPath()));
        Assert.StartsWith(TestTemp.Root, Oracle.TempDir());
        if (!OperatingSystem.IsWindows())
        {
            var r = Oracle.Run("sh", ["-c", "echo \"$TMPDIR\""], null, 30);
            Assert.Equal(0, r.ExitCode);
            Assert.Equal(TestTemp.Root, r.StdOut.Trim());
        }
    }

    [Fact]
    public void StaleRootsOfDeadRunsAreDeletedAndLiveOnesKept()
    {
        var parent = Oracle.TempDir();
        // A pid above the Linux maximum (2^22) is never running.
        string dead = Path.Combine(parent, "run-4999999-20260101T000000"), live = Path.Combine(parent, $"run-{Environment.ProcessId}-20260101T000000");
        string oldLegacy = Path.Combine(parent, Guid.NewGuid().ToString("N")), newLegacy = Path.Combine(parent, Guid.NewGuid().ToString("N"));
        string other = Path.Combine(parent, "keep-me");
        foreach (var d in new[] { dead, live, oldLegacy, newLegacy, other }) Directory.CreateDirectory(Path.Combine(d, "sub"));
        var readOnly = Path.Combine(dead, "sub", "ro.txt");
        File.WriteAllText(readOnly, "x");
        File.SetAttributes(readOnly, FileAttributes.ReadOnly);
        Directory.SetLastWriteTimeUtc(oldLegacy, DateTime.UtcNow.AddDays(-1));

        Assert.Equal(2, TestTemp.DeleteStaleRoots(parent, TimeSpan.FromHours(2)));
        Assert.False(Directory.Exists(dead));
        Assert.False(Directory.Exists(oldLegacy));
        Assert.True(Directory.Exists(live));
        Assert.True(Directory.Exists(newLegacy));
        Assert.True(Directory.Exists(other));
        Assert.True(TestTemp.DeleteTree(parent));
        Assert.False(Directory.Exists(parent));
    }

    [Fact]
    public void TheSuiteRunsInParallel()
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "xunit.runner.json")))!;
        Assert.True(json["parallelizeTestCollections"]!.GetValue<bool>());
        var behavior = typeof(TestHygieneTests).Assembly.GetCustomAttribute<CollectionBehaviorAttribute>();
        Assert.True(behavior == null || !behavior.DisableTestParallelization, "the assembly disables test parallelization");
    }
}
