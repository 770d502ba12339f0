#nullable enable
using System.Diagnostics;
using System.Text.Json.Nodes;
using KerasNet.ConsoleApp.Commands;
using KerasNet.ConsoleApp.Reporting;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Console;

/// <summary>
/// <c>train</c> checks its output folder before it trains (a file in the way, a folder in the way of an output file,
/// a read-only folder, a full disk: each refused at once, with exit 1, before the first epoch) and writes its files as
/// one set: staged, then moved in with run.json first and network.json/weights.hdf5 last; leftovers of dead runs are
/// removed at start.
/// </summary>
public sealed class TrainOutputTests
{
    private readonly string _dir = Oracle.TempDir();

    private string Data()
    {
        string data = Path.Combine(_dir, "data");
        if (!Directory.Exists(data)) TinyDataset.Create(data, trainPerClass: 4, testPerClass: 2, size: 24, seed: 5);
        return data;
    }

    private CliRunner.Result Train(string output, int seed = 1) =>
        CliRunner.Run("train", "--data", Data(), "--epochs", "1", "--batch-size", "4", "--image-size", "22", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--output", output);

    private static void RefusedBeforeTraining(CliRunner.Result r, params string[] expected)
    {
        CliRunner.AssertOneLineError(r, 1, expected);
        Assert.DoesNotContain("Epoch 1/", r.Out);
        Assert.DoesNotContain("Found ", r.Out); // not even the data was listed
    }

    [Fact]
    public void AFileWhereTheFolderShouldBeOrAFolderWhereAFileShouldBeIsRefusedBeforeTraining()
    {
        string file = Path.Combine(_dir, "taken");
        File.WriteAllText(file, "x");
        RefusedBeforeTraining(Train(file), "taken", "the output folder is a file");

        string outDir = Path.Combine(_dir, "out");
        Directory.CreateDirectory(Path.Combine(outDir, "weights.hdf5"));
        RefusedBeforeTraining(Train(outDir), "weights.hdf5", "a folder is in the way");

        string nested = Path.Combine(file, "below");
        RefusedBeforeTraining(Train(nested), "cannot create the output folder");
    }

    [SkippableFact]
    public void AReadOnlyFolderIsRefusedBeforeTraining()
    {
        Oracle.SkipUnlessPlatform(OperatingSystem.IsLinux(), "makes a read-only folder with chmod, or as root a read-only tmpfs");
        string ro = Path.Combine(_dir, "ro");
        Directory.CreateDirectory(ro);
        using var mount = ReadOnly(ro);
        Oracle.SkipUnlessPlatform(mount != null, "cannot make a read-only folder here (root without mount permission)");
        RefusedBeforeTraining(Train(ro), "not writable");
    }

    [SkippableFact]
    public void AFullDiskIsRefusedBeforeTraining()
    {
        // The check itself, with the free space given: the tutorial network needs ~10 M weights x 12 bytes.
        string outDir = Path.Combine(_dir, "full");
        var e = Assert.Throws<KerasNetException>(() => OutputSet.Check(outDir, KerasNet.ConsoleApp.Program.TrainOutputs, requiredBytes: 120_000_000, freeBytes: 1_000_000));
        Assert.Contains("the disk has 1.0 MB free, but this run writes about 120.0 MB", e.Message);
        OutputSet.Check(outDir, KerasNet.ConsoleApp.Program.TrainOutputs, requiredBytes: 120_000_000, freeBytes: 200_000_000);

        // A real 2 MB disk (a tmpfs, where mounting is allowed).
        Oracle.SkipUnlessPlatform(OperatingSystem.IsLinux(), "mounts a tmpfs");
        string small = Path.Combine(_dir, "small");
        Directory.CreateDirectory(small);
        using var mount = Mount(small, "size=2m");
        Oracle.SkipUnlessPlatform(mount != null, "cannot mount a small tmpfs here (needs root)");
        var r = Train(small);
        CliRunner.AssertOneLineError(r, 1, "free, but this run writes about");
        Assert.DoesNotContain("Epoch 1/", r.Out);
        Assert.Empty(Directory.GetFileSystemEntries(small));
    }

    [Fact]
    public void ARunWritesItsRecordAndOneConsistentSetAndRemovesLeftoversOfDeadRuns()
    {
        string outDir = Path.Combine(_dir, "out");
        Directory.CreateDirectory(outDir);
        // What a killed earlier run leaves: a staging folder and an atomic writer's temporary file (pid 4999999 never runs).
        string staging = Path.Combine(outDir, $"{OutputSet.StagingPrefix}4999999.{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        File.WriteAllText(Path.Combine(staging, "weights.hdf5"), "half");
        string temp = Path.Combine(outDir, $".weights.hdf5.4999999.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temp, "half");
        File.WriteAllText(Path.Combine(outDir, "notes.txt"), "the user's own file");

        var r = Train(outDir);
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.False(Directory.Exists(staging));
        Assert.False(File.Exists(temp));
        Assert.Equal("the user's own file", File.ReadAllText(Path.Combine(outDir, "notes.txt")));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(outDir), e => Path.GetFileName(e).StartsWith('.'));

        var record = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, RunRecord.FileName)))!.AsObject();
        Assert.Equal(1, record["seed"]!.GetValue<int>());
        Assert.Equal(22, record["image_size"]!.GetValue<int>());
        Assert.Equal(1, record["epochs"]!.GetValue<int>());
        Assert.Equal(["bart", "homer"], record["classes"]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Contains("--image-size", record["arguments"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.True(DateTime.UtcNow - DateTime.Parse(record["date"]!.GetValue<string>(), null, System.Globalization.DateTimeStyles.RoundtripKind) < TimeSpan.FromMinutes(10));
        var files = record["files"]!.AsObject().Select(p => p.Key).ToList();
        foreach (var f in new[] { "weights.hdf5", "network.json", "history.json", "predictions.csv", "feature_maps/conv2d.png" }) Assert.Contains(f, files);
        Assert.DoesNotContain("notes.txt", files);

        // notes.txt is the user's, so the folder as a whole has one file the record does not list; the run's files are all its own.
        var problems = RunRecord.Verify(outDir);
        Assert.Equal(["notes.txt is not part of the recorded run"], problems);
        File.Delete(Path.Combine(outDir, "notes.txt"));
        Assert.Empty(RunRecord.Verify(outDir));

        // Verify notices a file of another run (the check the signal test relies on).
        var history = Path.Combine(outDir, "history.json");
        string kept = File.ReadAllText(history);
        File.WriteAllText(history, kept.Replace("loss", "LOSS"));
        Assert.Equal(["history.json is not the file of this run"], RunRecord.Verify(outDir));
        File.WriteAllText(history, kept);
    }

    [Fact]
    public void FitChecksItsOutputBeforeTrainingAndRemovesDeadWritersTemporaries()
    {
        var model = CliModels.SmallCnn(seed: 2);
        model.Compile("adam", "categorical_crossentropy");
        string start = Path.Combine(_dir, "start.h5");
        model.Save(start);
        var (x, y) = CliModels.Images(8, seed: 1);
        string xs = CliModels.SaveNpy(_dir, "x.npy", x), ys = CliModels.SaveNpy(_dir, "y.npy", y);
        string file = Path.Combine(_dir, "blocker");
        File.WriteAllText(file, "x");
        var r = CliRunner.Run("fit", "--model", start, "--x", xs, "--y", ys, "--output", Path.Combine(file, "m.h5"));
        CliRunner.AssertOneLineError(r, 1, "blocker", "the output folder is a file");
        Assert.DoesNotContain("Epoch 1/", r.Out);
        string folderInTheWay = Path.Combine(_dir, "taken.h5");
        Directory.CreateDirectory(folderInTheWay);
        CliRunner.AssertOneLineError(CliRunner.Run("fit", "--model", start, "--x", xs, "--y", ys, "--output", folderInTheWay), 1, "a folder is in the way");

        string outDir = Path.Combine(_dir, "fitted");
        Directory.CreateDirectory(outDir);
        string stale = Path.Combine(outDir, $".m.h5.4999999.{Guid.NewGuid():N}.tmp"), live = Path.Combine(outDir, $".m.h5.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(stale, "half");
        File.WriteAllText(live, "being written by this process");
        var ok = CliRunner.Run("fit", "--model", start, "--x", xs, "--y", ys, "--output", Path.Combine(outDir, "m.h5"));
        Assert.True(ok.ExitCode == 0, ok.Error);
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live)); // a live writer's file is never touched
    }

    [Fact]
    public void TheSetIsMovedInRecordFirstModelLastAndAnAbandonedSetLeavesThePreviousOne()
    {
        string outDir = Path.Combine(_dir, "set");
        using (var first = OutputSet.Begin(outDir, ["a.txt", "run.json", "weights.hdf5"], 0))
        {
            foreach (var f in new[] { "weights.hdf5", "network.json", "a.txt", "z.txt", "run.json" }) File.WriteAllText(first.PathOf(f), "one " + f);
            Directory.CreateDirectory(first.PathOf("maps"));
            File.WriteAllText(Path.Combine(first.PathOf("maps"), "m.png"), "one map");
            var order = new List<string>();
            first.Commit(first: ["run.json"], last: ["network.json", "weights.hdf5"], moved: order.Add);
            Assert.Equal(["run.json", "a.txt", "maps", "z.txt", "network.json", "weights.hdf5"], order);
        }
        // A second run that stops before its commit: the staging goes, the first run's files stay as they were.
        using (var second = OutputSet.Begin(outDir, ["a.txt"], 0))
        {
            File.WriteAllText(second.PathOf("a.txt"), "two");
            Directory.CreateDirectory(second.PathOf("maps"));
        }
        Assert.Equal("one a.txt", File.ReadAllText(Path.Combine(outDir, "a.txt")));
        Assert.Equal("one map", File.ReadAllText(Path.Combine(outDir, "maps", "m.png")));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(outDir), e => Path.GetFileName(e).StartsWith('.'));
        // A committed folder replaces the old one whole (no file of the old one survives inside it).
        using (var third = OutputSet.Begin(outDir, ["maps/"], 0))
        {
            Directory.CreateDirectory(third.PathOf("maps"));
            File.WriteAllText(Path.Combine(third.PathOf("maps"), "n.png"), "three");
            third.Commit([], []);
        }
        Assert.Equal(["n.png"], Directory.GetFiles(Path.Combine(outDir, "maps")).Select(Path.GetFileName));
    }

    // A folder this process cannot write: chmod 555 for an ordinary user; root ignores permissions, so a read-only tmpfs.
    private static IDisposable? ReadOnly(string dir)
    {
        if (Environment.UserName != "root" && Oracle.Run("chmod", ["555", dir], null, 20).ExitCode == 0)
            return new Cleanup(() => Oracle.Run("chmod", ["755", dir], null, 20));
        return Mount(dir, "ro,size=1m");
    }

    private static IDisposable? Mount(string dir, string options)
    {
        var r = Oracle.Run("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir], null, 20);
        if (r.ExitCode != 0) return null;
        return new Cleanup(() => Oracle.Run("umount", [dir], null, 20));
    }

    private sealed class Cleanup(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
