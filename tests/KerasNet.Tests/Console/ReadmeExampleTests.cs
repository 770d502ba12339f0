#nullable enable
using System.Text.RegularExpressions;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Console;

/// <summary>
/// The README's "Use it as a library" example is compiled as a console app of its own against the built library
/// (what a user copying it gets: implicit usings, no other code) and run; it must train, save, reload and say so.
/// </summary>
public sealed partial class ReadmeExampleTests
{
    [GeneratedRegex(@"<!-- library-example -->\s*```csharp\n(?<code>.*?)```\s*<!-- /library-example -->", RegexOptions.Singleline)]
    private static partial Regex ExampleBlock();

    /// <summary>The example's code, as the README shows it (also read by .ci/package-check).</summary>
    internal static string Example()
    {
        var readme = File.ReadAllText(Path.Combine(Oracle.RepoRoot, "README.md")).Replace("\r\n", "\n");
        var m = ExampleBlock().Match(readme);
        Assert.True(m.Success, "README.md has no <!-- library-example --> csharp block");
        return m.Groups["code"].Value;
    }

    [Fact]
    public void TheLibraryExampleCompilesRunsAndReloadsItsModel()
    {
        string dir = Oracle.TempDir();
        var build = LibraryApp.Build(dir, new Dictionary<string, string> { ["Program.cs"] = Example() });
        Assert.True(build.ExitCode == 0, build.StdOut + build.StdErr);
        var run = Oracle.Run("dotnet", [Path.Combine(dir, "bin", "Release", "net10.0", "Example.dll")], null, 120, workingDir: dir);
        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        Assert.Contains("Total params: 114", run.StdOut); // 4*16+16 + 16*2+2, as Keras's summary counts them
        var accuracy = double.Parse(Regex.Match(run.StdOut, @"accuracy (\d\.\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(accuracy > 0.8, $"the example did not learn: accuracy {accuracy}");
        Assert.Contains("reloaded predicts the same: True", run.StdOut);
        Assert.True(File.Exists(Path.Combine(dir, "model.h5")));
    }
}
