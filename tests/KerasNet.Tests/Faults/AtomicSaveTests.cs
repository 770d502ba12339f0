#nullable enable
using System.Diagnostics;
using KerasNet.Engine;
using KerasNet.Preprocessing.Image;
using KerasNet.Saving;
using KerasNet.Tests.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Faults;

/// <summary>Every writer replaces its target by renaming a finished temporary file, and cleans up after killed writers.</summary>
public class AtomicSaveTests
{
    private readonly string _dir = Oracle.TempDir();

    public static TheoryData<string> Writers => new() { "Save .h5", "Save .keras", "SaveWeights .h5", "SaveWeights .weights.h5", "Npy.Save", "BmpWriter.Save", "ModelCheckpoint" };

    private static void RunWriter(string writer, string path)
    {
        switch (writer)
        {
            case "Save .h5": case "Save .keras": SavingTestUtil.SmallCnn().Save(path); break;
            case "SaveWeights .h5": case "SaveWeights .weights.h5": SavingTestUtil.SmallCnn().SaveWeights(path); break;
            case "Npy.Save": Npy.Save(path, new Tensor(3, 2)); break;
            case "ModelCheckpoint":
                var m = SavingTestUtil.SmallCnn();
                var (x, y) = SavingTestUtil.Data(4);
                m.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, callbacks: [new KerasNet.Callbacks.ModelCheckpoint(path, monitor: "loss")]);
                break;
            default: BmpWriter.Save(path, 2, 2, new byte[12]); break;
        }
    }

    private static string FileName(string writer) => writer switch
    {
        "Save .h5" or "SaveWeights .h5" or "ModelCheckpoint" => "t.h5",
        "Save .keras" => "t.keras",
        "SaveWeights .weights.h5" => "t.weights.h5",
        "Npy.Save" => "t.npy",
        _ => "t.bmp",
    };

    /// <summary>
    /// A hard link to the old file keeps the old bytes when the writer renames a new file over the target, and would
    /// show the new (or half-written) bytes if the writer wrote into the target in place.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Writers))]
    public void WriterReplacesTheTargetByRename(string writer)
    {
        Oracle.SkipUnlessPlatform(!OperatingSystem.IsWindows(), "uses ln");
        var path = Path.Combine(_dir, FileName(writer));
        byte[] old = "old content"u8.ToArray();
        File.WriteAllBytes(path, old);
        var link = Path.Combine(_dir, "link");
        var ln = Oracle.Run("ln", [path, link], null, 20);
        Oracle.RequireOracle(ln.ExitCode == 0, "ln is not available: " + ln.StdErr);
        RunWriter(writer, path);
        Assert.Equal(old, File.ReadAllBytes(link));
        Assert.NotEqual(old, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp", new EnumerationOptions { AttributesToSkip = 0 }));
    }

    [Fact]
    public void FailedWriteKeepsTheOldFileAndNoTemporary()
    {
        var path = Path.Combine(_dir, "keep.bin");
        File.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[1000]);
            throw new InvalidOperationException("writer failed half way");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir, "*", new EnumerationOptions { AttributesToSkip = 0 }));
    }

    [Fact]
    public void TemporaryFilesOfDeadWritersAreDeletedOnTheNextSave()
    {
        // A process id that is certainly gone: a child that has exited and been reaped.
        using var p = Process.Start(new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", "--version")
            { RedirectStandardOutput = true, UseShellExecute = false })!;
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        int dead = p.Id;
        string Temp(string target, int pid) => Path.Combine(_dir, $".{target}.{pid}.{Guid.NewGuid():N}.tmp");
        var stale = Temp("m.npy", dead);
        var ours = Temp("m.npy", Environment.ProcessId);           // this process may still be writing it
        var otherTarget = Temp("m.npy.5", dead);                    // another file's temporary, same prefix
        var unparsable = Path.Combine(_dir, ".m.npy.notapid.tmp");  // not one of ours
        foreach (var f in new[] { stale, ours, otherTarget, unparsable }) File.WriteAllText(f, "partial");
        Npy.Save(Path.Combine(_dir, "m.npy"), new Tensor(2));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(ours));
        Assert.True(File.Exists(otherTarget));
        Assert.True(File.Exists(unparsable));
    }
}
