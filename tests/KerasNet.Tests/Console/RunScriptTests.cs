#nullable enable
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Console;

/// <summary>
/// run.sh, the README's first command, against a stand-in <c>dotnet</c> on PATH: an SDK that is too old or missing and
/// a failing build each end in exit 1 with a line that says so (and the build's own errors), never a silent exit.
/// </summary>
public sealed class RunScriptTests
{
    private static (string dir, string path) StandIn(string version, string buildOutput, int buildExit)
    {
        string dir = Oracle.TempDir(), bin = Path.Combine(dir, "bin");
        Directory.CreateDirectory(bin);
        File.Copy(Path.Combine(Oracle.RepoRoot, "run.sh"), Path.Combine(dir, "run.sh"));
        // The stand-in answers --version, fails or passes `build`, and echoes what run.sh finally executes.
        File.WriteAllText(Path.Combine(bin, "dotnet"), $$"""
            #!/bin/sh
            case "$1" in
              --version) echo "{{version}}" ;;
              build) printf '%s\n' "{{buildOutput}}"; exit {{buildExit}} ;;
              *) echo "ran: $*"; exit 7 ;;
            esac
            """.Replace("\r", ""));
        if (!OperatingSystem.IsWindows()) // the tests run only where run.sh does (they skip elsewhere)
            File.SetUnixFileMode(Path.Combine(bin, "dotnet"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        // Only what run.sh needs besides dotnet, so that the real SDK in /usr/bin is not found.
        foreach (var tool in new[] { "dirname" }) File.CreateSymbolicLink(Path.Combine(bin, tool), "/usr/bin/" + tool);
        return (dir, bin);
    }

    private static Oracle.ProcessResult Run(string dir, string path, params string[] args) =>
        Oracle.Run("/bin/bash", [Path.Combine(dir, "run.sh"), .. args], null, 60, new() { ["PATH"] = path }, dir);

    [SkippableFact]
    public void AnOldSdkIsNamed()
    {
        Oracle.SkipUnlessPlatform(OperatingSystem.IsLinux(), "run.sh is the Linux/macOS entry point (run.ps1 on Windows)");
        var (dir, path) = StandIn("9.0.100", "", 0);
        var r = Run(dir, path);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains(".NET 10 SDK or newer is needed", r.StdErr);
        Assert.Contains("'9.0.100'", r.StdErr);
    }

    [SkippableFact]
    public void AMissingSdkIsNamed()
    {
        Oracle.SkipUnlessPlatform(OperatingSystem.IsLinux(), "run.sh is the Linux/macOS entry point (run.ps1 on Windows)");
        var (dir, path) = StandIn("10.0.100", "", 0);
        File.Delete(Path.Combine(path, "dotnet"));
        var r = Run(dir, path);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("'dotnet' is not on PATH", r.StdErr);
    }

    [SkippableFact]
    public void ABuildFailureShowsTheCompilerErrors()
    {
        Oracle.SkipUnlessPlatform(OperatingSystem.IsLinux(), "run.sh is the Linux/macOS entry point (run.ps1 on Windows)");
        var (dir, path) = StandIn("10.0.401", "Keras.cs(3,1): error CS1002: ; expected", 1);
        var r = Run(dir, path);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error CS1002: ; expected", r.StdErr);
        Assert.Contains("the build failed", r.StdErr);
        Assert.DoesNotContain("ran:", r.StdOut);
    }

    [SkippableFact]
    public void ABuiltAppGetsTheArgumentsAndItsExitCodeIsKept()
    {
        Oracle.SkipUnlessPlatform(OperatingSystem.IsLinux(), "run.sh is the Linux/macOS entry point (run.ps1 on Windows)");
        var (dir, path) = StandIn("11.0.100", "", 0);
        var r = Run(dir, path, "predict", "--model", "a b.h5");
        Assert.Equal(7, r.ExitCode);
        Assert.Contains("ran: src/KerasNet.Console/bin/Release/net10.0/KerasNet.Console.dll predict --model a b.h5", r.StdOut);
        Assert.Equal("", r.StdErr);
    }
}
