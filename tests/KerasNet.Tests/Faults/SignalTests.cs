#nullable enable
using System.Diagnostics;
using KerasNet.ConsoleApp.Commands;
using KerasNet.ConsoleApp.Reporting;
using KerasNet.Tests.Console;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Faults;

/// <summary>
/// SIGINT and SIGTERM during <c>kerasnet train</c> and <c>fit</c> (separate processes). 20 runs of a short tutorial
/// are interrupted at random moments over a whole run (start-up, training, writing the reports and model, moving them
/// in); after each the output folder must hold one run's consistent set (<see cref="RunRecord.Verify"/>: every file of
/// run.json present with its recorded size and SHA-256, nothing else) and no temporary file or staging folder, and the
/// exit code must be 130 with one line on standard error (or 0 when the run had finished before the signal).
/// The delays are drawn over an uninterrupted run's duration measured first, so they spread over the run whatever the
/// machine's load; the class runs in parallel with the others.
/// </summary>
public sealed class SignalTests(ITestOutputHelper output)
{
    private const int Interrupts = 20;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private static string[] Train(string data, string outDir, int seed) =>
        ["train", "--data", data, "--epochs", "2", "--batch-size", "4", "--image-size", "22", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", outDir];

    [SkippableFact]
    public void SigintAtRandomMomentsOfTrainLeavesOneConsistentSet()
    {
        Oracle.SkipUnlessPlatform(ChildCli.Supported, "sends POSIX signals to child processes (Linux)");
        string dir = Oracle.TempDir(), data = Path.Combine(dir, "data"), outDir = Path.Combine(dir, "out");
        TinyDataset.Create(data, trainPerClass: 4, testPerClass: 2, size: 24, seed: 1);

        var clock = Stopwatch.StartNew();
        using (var first = ChildCli.Start(Train(data, outDir, 0)))
        {
            int code = first.Wait(Limit);
            Assert.True(code == 0, first.Error + first.Out);
        }
        double runSeconds = clock.Elapsed.TotalSeconds;
        Assert.Empty(RunRecord.Verify(outDir));
        output.WriteLine($"an uninterrupted run takes {runSeconds:F1} s");

        var rng = new Random(14);
        var phases = new Dictionary<string, int>();
        int replaced = 0;
        for (int k = 1; k <= Interrupts; k++)
        {
            string before = File.ReadAllText(Path.Combine(outDir, RunRecord.FileName));
            double delay = rng.NextDouble() * runSeconds * 1.1;
            using var child = ChildCli.Start(Train(data, outDir, k));
            Thread.Sleep(TimeSpan.FromSeconds(delay));
            if (!child.HasExited) child.Signal(2);
            int code = child.Wait(Limit);
            string stdout = child.Out, stderr = child.Error;
            string phase = Phase(stdout);
            phases[phase] = phases.GetValueOrDefault(phase) + 1;

            Assert.True(code is 130 or 0, $"interrupt {k} at {delay:F2} s ({phase}): exit {code}\n{stderr}");
            if (code == 130)
            {
                var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                Assert.True(lines.Length == 1 && lines[0].Contains("interrupted by SIGINT", StringComparison.Ordinal), $"interrupt {k}: {stderr}");
            }
            var problems = RunRecord.Verify(outDir);
            Assert.True(problems.Count == 0, $"interrupt {k} at {delay:F2} s ({phase}, exit {code}): {string.Join("; ", problems)}");
            var hidden = Directory.EnumerateFileSystemEntries(outDir).Select(Path.GetFileName).Where(n => n!.StartsWith('.')).ToList();
            Assert.True(hidden.Count == 0, $"interrupt {k} ({phase}): left {string.Join(", ", hidden)}");
            if (File.ReadAllText(Path.Combine(outDir, RunRecord.FileName)) != before) replaced++;
            output.WriteLine($"interrupt {k,2} at {delay,5:F2} s: {phase,-9} exit {code}{(code == 130 ? $"  {stderr.Trim()}" : "")}");
        }
        output.WriteLine($"{Interrupts} interrupts: {string.Join(", ", phases.OrderBy(p => p.Key).Select(p => $"{p.Value} {p.Key}"))}; the set was replaced {replaced} times");
        // The folder still holds a model that loads, with the run record of the run that wrote it.
        var model = Keras.LoadModel(Path.Combine(outDir, "weights.hdf5"));
        Assert.True(model.CountParams() > 0);
        Assert.True(phases.GetValueOrDefault("training") > 0, "no interrupt landed during training");
    }

    [SkippableFact]
    public void SigtermStopsFitAt143AndASecondSignalExitsAtOnce()
    {
        Oracle.SkipUnlessPlatform(ChildCli.Supported, "sends POSIX signals to child processes (Linux)");
        string dir = Oracle.TempDir(), data = Path.Combine(dir, "data"), outDir = Path.Combine(dir, "out");
        TinyDataset.Create(data, trainPerClass: 4, testPerClass: 2, size: 24, seed: 2);

        // fit: many epochs, SIGTERM once training runs; OUT is not written.
        var model = CliModels.SmallCnn(seed: 1);
        model.Compile("adam", "categorical_crossentropy");
        string start = Path.Combine(dir, "start.h5"), trained = Path.Combine(dir, "trained.h5");
        model.Save(start);
        var (x, y) = CliModels.Images(64, seed: 3);
        string xs = CliModels.SaveNpy(dir, "x.npy", x), ys = CliModels.SaveNpy(dir, "y.npy", y);
        using (var fit = ChildCli.Start(["fit", "--model", start, "--x", xs, "--y", ys, "--epochs", "100000", "--batch-size", "8", "--verbose", "2", "--output", trained]))
        {
            Assert.True(fit.WaitForOutput("Epoch 2/", TimeSpan.FromMinutes(2)), fit.Error + fit.Out);
            fit.Signal(15);
            Assert.Equal(143, fit.Wait(Limit));
            Assert.Contains("interrupted by SIGTERM: stopped at the end of epoch", fit.Error);
            Assert.Single(fit.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        Assert.False(File.Exists(trained));
        Assert.Empty(Directory.GetFiles(dir, ".*.tmp"));

        // train: two SIGINTs in a row end the process at once, even mid-batch, with 130. Its epoch is long
        // enough (300 steps) that the first signal's stop at the epoch's end cannot come before the second signal.
        string longData = Path.Combine(dir, "long");
        TinyDataset.Create(longData, trainPerClass: 600, testPerClass: 2, size: 24, seed: 4);
        using (var twice = ChildCli.Start(Train(longData, outDir, 1)))
        {
            Assert.True(twice.WaitForOutput("Epoch 1/", TimeSpan.FromMinutes(2)), twice.Error + twice.Out);
            twice.Signal(2);
            Thread.Sleep(20);
            twice.Signal(2);
            var clock = Stopwatch.StartNew();
            Assert.Equal(130, twice.Wait(Limit));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the second signal took {clock.Elapsed.TotalSeconds:F1} s to end the process");
            Assert.Contains("again: exiting at once", twice.Error);
        }
        // Whatever the forced exit left (its staging folder, when it could not remove it) is removed by the next run.
        using (var next = ChildCli.Start(Train(data, outDir, 2)))
            Assert.True(next.Wait(Limit) == 0, next.Error);
        Assert.Empty(RunRecord.Verify(outDir));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(outDir), e => Path.GetFileName(e).StartsWith('.'));
    }

    // Where the run was when the signal came, from what it had printed.
    private static string Phase(string stdout) =>
        stdout.Contains("Files written to", StringComparison.Ordinal) ? "finished"
        : stdout.Contains("Reloaded from", StringComparison.Ordinal) ? "moving in"
        : stdout.Contains("Feature maps of", StringComparison.Ordinal) || stdout.Contains("precision", StringComparison.Ordinal) ? "saving"
        : stdout.Contains("Epoch 1/", StringComparison.Ordinal) ? "training"
        : "start-up";
}
