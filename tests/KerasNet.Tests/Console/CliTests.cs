#nullable enable
using KerasNet.Engine;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Console;

/// <summary>Argument handling and the commands that need no model: exit codes 0/1/2 and one-line messages.</summary>
public sealed class CliTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("train", "--help")]
    [InlineData("predict", "--help")]
    [InlineData("evaluate", "--help")]
    [InlineData("summary", "--help")]
    [InlineData("convert", "--help")]
    [InlineData("compare", "--help")]
    [InlineData("fit", "--help")]
    [InlineData("featuremaps", "--help")]
    public void EveryCommandHasHelp(params string[] args)
    {
        var r = CliRunner.Run(args);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:", r.Out);
        Assert.Contains("kerasnet", r.Out);
        Assert.Equal("", r.Error);
    }

    [Theory]
    [InlineData("train --epochs abc", "--epochs")]
    [InlineData("train --epochs 0", "--epochs must be a positive integer")]
    [InlineData("train --image-size 8", "--image-size must be at least 22")]
    [InlineData("--batch-size -1", "--batch-size")]
    [InlineData("train --bogus", "--bogus")]
    [InlineData("nosuchcommand", "nosuchcommand")]
    [InlineData("compare a.npy", "Required argument missing")]
    [InlineData("compare a.npy b.h5", "two .npy arrays or two models")]
    [InlineData("compare a.npy b.npy --rtol -1", "--rtol")]
    [InlineData("predict --images x", "missing --model")]
    [InlineData("predict --model m.h5 --json m.json --images x", "either --model or --json")]
    [InlineData("predict --model m.h5", "exactly one of --input")]
    [InlineData("predict --json m.json --images x", "add --weights")]
    [InlineData("predict --model m.h5 --images x --target-size 0 4", "--target-size")]
    [InlineData("predict --model m.h5 --images x --target-size 4", "--target-size")]
    [InlineData("predict --model m.h5 --images x --color-mode cmyk", "cmyk")]
    [InlineData("predict --model m.h5 --input x.npy --output y.txt", "--output must be a .npy")]
    [InlineData("evaluate --model m.h5", "--images")]
    [InlineData("convert in.json out.h5", "add --weights")]
    [InlineData("predict --model m.h5 --input a.npy --input b.npy --output y.npy --output y.txt", "--output must be a .npy")]
    [InlineData("featuremaps --model m.h5 --image x.png", "--output")]
    [InlineData("featuremaps --model m.h5 --output d", "--image")]
    [InlineData("featuremaps --model m.h5 --image x.png --output d --layers", "--layers")]
    [InlineData("featuremaps --model m.h5 --image x.png --output d --rescale -1", "--rescale")]
    [InlineData("fit --model m.h5 --x a.npy --y b.npy --output o.keras --batch-size 0", "--batch-size")]
    public void BadArgumentsExit2WithOneLine(string args, string expected)
    {
        var r = CliRunner.Run(args.Split(' '));
        CliRunner.AssertOneLineError(r, 2, expected);
        Assert.DoesNotContain("   at ", r.Error);
    }

    [Fact]
    public void OptionsWithoutACommandGoToTrain()
    {
        var r = CliRunner.Run("--epochs", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("kerasnet train: --epochs must be a positive integer", r.Error);
    }

    [Fact]
    public void MissingFilesExit1NamingTheFile()
    {
        string dir = Oracle.TempDir();
        foreach (var args in new[]
        {
            new[] { "summary", "--model", Path.Combine(dir, "absent.h5") },
            ["compare", Path.Combine(dir, "absent.npy"), Path.Combine(dir, "other.npy")],
            ["train", "--data", Path.Combine(dir, "absent")],
            ["predict", "--model", Path.Combine(dir, "absent.keras"), "--input", "x.npy"],
        })
        {
            var r = CliRunner.Run(args);
            CliRunner.AssertOneLineError(r, 1, "absent");
            Assert.DoesNotContain("   at ", r.Error);
        }
    }

    [Fact]
    public void DataFolderWithoutSetsIsAClearError()
    {
        string dir = Oracle.TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "training_set"));
        var r = CliRunner.Run("train", "--data", dir, "--epochs", "1");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("test_set", r.Error);
    }

    [Fact]
    public void CompareNpyExits0OnCopyAnd1OnPerturbedCopy()
    {
        string dir = Oracle.TempDir();
        var rng = new Random(5);
        var t = new Tensor(4, 3, 2);
        for (int i = 0; i < t.Length; i++) t[i] = (float)rng.NextDouble();
        string a = Path.Combine(dir, "a.npy"), b = Path.Combine(dir, "b.npy"), c = Path.Combine(dir, "c.npy"), d = Path.Combine(dir, "d.npy");
        Npy.Save(a, t);
        File.Copy(a, b);
        var perturbed = t.Clone();
        perturbed[7] += 1e-3f;
        Npy.Save(c, perturbed);
        Npy.Save(d, t.Reshape(4, 6));

        var same = CliRunner.Run("compare", a, b);
        Assert.Equal(0, same.ExitCode);
        Assert.Contains("max abs diff 0", same.Out);
        var differ = CliRunner.Run("compare", a, c);
        Assert.Equal(1, differ.ExitCode);
        Assert.Contains("1 of 24 outside", differ.Out);
        Assert.Equal(0, CliRunner.Run("compare", a, c, "--atol", "2e-3").ExitCode);
        var shape = CliRunner.Run("compare", a, d);
        Assert.Equal(1, shape.ExitCode);
        Assert.Contains("(4, 3, 2) != (4, 6)", shape.Out);
    }

    [Fact]
    public void CorruptNpyExits1NamingTheFile()
    {
        string dir = Oracle.TempDir();
        string a = Path.Combine(dir, "bad.npy");
        File.WriteAllText(a, "not numpy");
        var r = CliRunner.Run("compare", a, a);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("bad.npy", r.Error);
    }
}

[Collection(KerasNet.Tests.TestUtil.ProcessWideCollection.Name)] // Directory.SetCurrentDirectory
public sealed class DatasetLocatorTests
{
    [Fact]
    public void DefaultDataIsTheSingleDatasetUnderData()
    {
        string old = Directory.GetCurrentDirectory(), dir = Oracle.TempDir();
        try
        {
            Directory.SetCurrentDirectory(dir);
            // No data/ here: the repository's own data/ (beside KerasNet.sln) is used, as run.sh does.
            Assert.Equal(Path.Combine(Oracle.RepoRoot, "data", "homer_bart_2"), KerasNet.ConsoleApp.Commands.DatasetLocator.Resolve(null));
            foreach (var set in new[] { "training_set", "test_set" }) Directory.CreateDirectory(Path.Combine(dir, "data", "one", set));
            Assert.Equal(Path.Combine("data", "one"), KerasNet.ConsoleApp.Commands.DatasetLocator.Resolve(null));
            foreach (var set in new[] { "training_set", "test_set" }) Directory.CreateDirectory(Path.Combine(dir, "data", "two", set));
            var e = Assert.Throws<KerasNetException>(() => KerasNet.ConsoleApp.Commands.DatasetLocator.Resolve(null));
            Assert.Contains("one, two", e.Message);
            Assert.Contains("--data", e.Message);
        }
        finally { Directory.SetCurrentDirectory(old); }
    }
}
