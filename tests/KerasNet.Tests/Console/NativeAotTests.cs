#nullable enable
using System.Runtime.InteropServices;
using KerasNet.Engine;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Console;

/// <summary>
/// The NativeAOT-published <c>kerasnet</c> (issue 17: the library is AOT-compatible where its dependencies allow):
/// published once per test run into the run's temporary folder (minutes), then asked to predict with an .h5 and a
/// .keras model saved by the JIT library here (its outputs must equal the JIT library's), to convert to .keras, .h5 and
/// .json + .weights.h5 and to fit to an .h5 with optimizer state (PureHDF's writer under NativeAOT: the JIT library must
/// load each file to the same predictions and state). .ci/package-check does the same for a user's app that publishes
/// with NativeAOT against the KerasNet package (the package's build files add PureHDF.rd.xml). It runs where the NativeAOT
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
    public void TheAotToolStaysOnItsOwnBuildWithoutSiblingsAndRefusesAWrongKerasnetIsa()
    {
        string exe = RequirePublished();
        // A plain AOT publish has no x86-64-v3/v4 builds beside it (the tool package does: .ci/package-check).
        var r = Oracle.Run(exe, ["--version"], null, 60, new Dictionary<string, string> { ["KERASNET_STARTUP_TRACE"] = "1" });
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        Assert.Contains("main, NativeAOT x86-64-v1 build", r.StdErr);
        r = Oracle.Run(exe, ["--version"], null, 60, new Dictionary<string, string> { ["KERASNET_ISA"] = "sse9" });
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("KERASNET_ISA='sse9' is not one of x86-64-v1, x86-64-v3, x86-64-v4.", r.StdErr);
        // Asked by name, a level it has no build for is refused (the CPU lacks it, or the file is missing).
        r = Oracle.Run(exe, ["--version"], null, 60, new Dictionary<string, string> { ["KERASNET_ISA"] = "x86-64-v3" });
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("KERASNET_ISA=x86-64-v3", r.StdErr);
    }

    [Theory]
    [InlineData("back.keras")] // Keras 3 archive: config.json + model.weights.h5
    [InlineData("back.h5")]    // Keras 2 full model: string attributes, "no weights" empty float64 arrays, datasets
    [InlineData("back.json")]  // the architecture, with Keras 3 weights beside it in back.weights.h5
    public void TheAotToolSavesAModelThatTheJitLibraryLoads(string output)
    {
        string exe = RequirePublished();
        string dir = Oracle.TempDir();
        var model = CliModels.SmallCnn(seed: 5);
        string json = Path.Combine(dir, "m.json"), weights = Path.Combine(dir, "m.weights.h5"), back = Path.Combine(dir, output);
        File.WriteAllText(json, model.ToJson());
        model.SaveWeights(weights);
        // convert reads JSON + weights with PureHDF's reader and writes OUT with its writer, both under NativeAOT.
        var r = Oracle.Run(exe, ["convert", json, back, "--weights", weights], null, 120);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.StdOut}{r.StdErr}");
        Model loaded;
        if (output.EndsWith(".json", StringComparison.Ordinal))
        {
            loaded = Keras.ModelFromJson(File.ReadAllText(back));
            loaded.LoadWeights(Path.ChangeExtension(back, ".weights.h5"));
        }
        else loaded = Keras.LoadModel(back);
        // The weights are copied, never computed, so the JIT library's predictions are bit-identical.
        var (x, _) = CliModels.Images(3, seed: 6);
        Tensor expected = model.Predict(x), actual = loaded.Predict(x);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i]);
    }

    [Fact]
    public void TheAotToolFitsAndWritesAnH5WithOptimizerStateThatTheJitLibraryResumes()
    {
        string exe = RequirePublished();
        string dir = Oracle.TempDir();
        var model = CliModels.SmallCnn(seed: 7);
        model.Compile(new Adam(0.01), "categorical_crossentropy", ["accuracy"]);
        string start = Path.Combine(dir, "start.h5"), trained = Path.Combine(dir, "trained.h5");
        model.Save(start);
        var (xs, ys) = CliModels.Images(16, seed: 8);
        string x = CliModels.SaveNpy(dir, "x.npy", xs), y = CliModels.SaveNpy(dir, "y.npy", ys);
        // fit's .h5 adds Keras 2's training_config and optimizer_weights: an int64 scalar (Adam/iter:0) and float32 slots.
        var r = Oracle.Run(exe, ["fit", "--model", start, "--x", x, "--y", y, "--epochs", "2", "--batch-size", "4", "--no-shuffle",
            "--verbose", "0", "--output", trained], null, 120);
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}\n{r.StdOut}{r.StdErr}");

        // The same training in the JIT library (no shuffling, no dropout: nothing random). The NativeAOT build may take
        // another vector width than this process, so sums differ in their last bits: compared to a tolerance.
        Model jit = Keras.LoadModel(start), aot = Keras.LoadModel(trained);
        jit.Fit(xs, ys, batchSize: 4, epochs: 2, verbose: 0, shuffle: false);
        Assert.True(aot.IsCompiled);
        Assert.Equal("Adam", aot.Optimizer!.ClassName);
        Assert.Equal(8, aot.Optimizer.Iterations); // 2 epochs of 4 steps
        Assert.Equal(jit.Weights.Count, aot.Weights.Count);
        for (int w = 0; w < jit.Weights.Count; w++)
        {
            var (vj, va) = (jit.Weights[w], aot.Weights[w]);
            Assert.Equal(vj.Shape, va.Shape);
            for (int i = 0; i < vj.Size; i++)
                Assert.True(Math.Abs(vj.Value.Span[i] - va.Value.Span[i]) <= 1e-4f, $"{vj.FullName}[{i}]: AOT {va.Value.Span[i]} vs JIT {vj.Value.Span[i]}");
            float[][] sj = jit.Optimizer!.SlotsOf(vj), sa = aot.Optimizer.SlotsOf(va);
            for (int s = 0; s < sj.Length; s++)
                for (int i = 0; i < sj[s].Length; i++)
                    Assert.True(Math.Abs(sj[s][i] - sa[s][i]) <= 1e-4f * (1 + Math.Abs(sj[s][i])), $"{vj.FullName} slot {s}[{i}]: AOT {sa[s][i]} vs JIT {sj[s][i]}");
        }
        // Resuming from the AOT-written file trains on from its state: one more epoch stays beside the JIT's.
        aot.Fit(xs, ys, batchSize: 4, epochs: 1, verbose: 0, shuffle: false);
        jit.Fit(xs, ys, batchSize: 4, epochs: 1, verbose: 0, shuffle: false);
        Tensor pj = jit.Predict(xs), pa = aot.Predict(xs);
        for (int i = 0; i < pj.Length; i++) Assert.True(Math.Abs(pj[i] - pa[i]) <= 1e-4f, $"output {i}: resumed AOT {pa[i]} vs JIT {pj[i]}");
    }
}
