#nullable enable
using System.Runtime.InteropServices;
using KerasNet.Engine;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Console;

/// <summary>
/// The NativeAOT-published <c>kerasnet</c> (issue 17: the library is AOT-compatible where its dependencies allow):
/// published once per test run into the run's temporary folder (minutes), then asked to predict with an .h5 and a
/// .keras model saved by the JIT library here; its outputs must equal the JIT library's. It runs where the NativeAOT
/// compiler package can be restored: always under CI, elsewhere when it is in the NuGet cache (skipped otherwise).
/// </summary>
public sealed class NativeAotTests
{
    // NativeAOT compiles the whole app and the framework: ~2 minutes on a quiet machine, 15 on a loaded one.
    private const int PublishTimeoutSeconds = 3600;

    private static readonly Lazy<(string? Exe, string Log)> Published = new(Publish, LazyThreadSafetyMode.ExecutionAndPublication);

    private static string Rid => RuntimeInformation.RuntimeIdentifier;

    private static bool CompilerAvailable()
    {
        if (Oracle.IsCI) return true;
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Directory.Exists(Path.Combine(cache, $"runtime.{Rid}.microsoft.dotnet.ilcompiler", Environment.Version.ToString()));
    }

    private static (string? Exe, string Log) Publish()
    {
        string root = Oracle.TempDir(), output = Path.Combine(root, "publish");
        // Its own artifacts folder: the publish must not share obj/ with a build of the repository running meanwhile.
        var r = Oracle.Run("dotnet", ["publish", Path.Combine(Oracle.RepoRoot, "src", "KerasNet.Console", "KerasNet.Console.csproj"),
            "-c", "Release", "-r", Rid, "-p:PublishAot=true", "--artifacts-path", Path.Combine(root, "artifacts"), "-o", output, "-nologo"],
            null, PublishTimeoutSeconds);
        string exe = Path.Combine(output, OperatingSystem.IsWindows() ? "KerasNet.Console.exe" : "KerasNet.Console");
        return (r.ExitCode == 0 && File.Exists(exe) ? exe : null, r.StdOut + r.StdErr);
    }

    private static string RequirePublished()
    {
        Oracle.RequireOracle(CompilerAvailable(), $"the NativeAOT compiler package (runtime.{Rid}.Microsoft.DotNet.ILCompiler {Environment.Version}) is not in the NuGet cache; CI restores it.");
        var (exe, log) = Published.Value;
        Assert.True(exe != null, "dotnet publish -p:PublishAot=true failed:\n" + log[^Math.Min(log.Length, 4000)..]);
        return exe!;
    }

    [Fact]
    public void TheAotToolPredictsH5AndKerasFilesAsTheJitLibraryDoes()
    {
        string exe = RequirePublished();
        string dir = Oracle.TempDir();
        var model = CliModels.SmallCnn(seed: 3);
        var (x, _) = CliModels.Images(5, seed: 4);
        var expected = model.Predict(x);
        string input = CliModels.SaveNpy(dir, "x.npy", x);
        foreach (var file in new[] { "m.h5", "m.keras" })
        {
            string path = Path.Combine(dir, file), output = Path.Combine(dir, file + ".y.npy");
            model.Save(path);
            var r = Oracle.Run(exe, ["predict", "--model", path, "--input", input, "--output", output], null, 120);
            Assert.True(r.ExitCode == 0, $"{file}: exit {r.ExitCode}\n{r.StdOut}{r.StdErr}");
            var actual = Npy.Load(output);
            Assert.Equal(expected.Shape, actual.Shape);
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f, $"{file}: output {i}: AOT {actual[i]} vs JIT {expected[i]}");
        }
    }

    [Fact]
    public void TheAotToolSavesAModelThatTheJitLibraryLoads()
    {
        string exe = RequirePublished();
        string dir = Oracle.TempDir();
        var model = CliModels.SmallCnn(seed: 5);
        // A .keras file (Keras 3 weights): writing a Keras 2 .h5 under NativeAOT is not verified yet (its empty float64
        // "no weights" attributes went through a PureHDF generic the rd.xml now lists, untested).
        string json = Path.Combine(dir, "m.json"), weights = Path.Combine(dir, "m.weights.h5"), back = Path.Combine(dir, "back.keras");
        File.WriteAllText(json, model.ToJson());
        model.SaveWeights(weights);
        // convert reads JSON + weights and writes a .keras file: PureHDF's writer under NativeAOT.
        var r = Oracle.Run(exe, ["convert", json, back, "--weights", weights], null, 120);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.StdOut}{r.StdErr}");
        var (x, _) = CliModels.Images(3, seed: 6);
        Tensor expected = model.Predict(x), actual = Keras.LoadModel(back).Predict(x);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
    }
}
