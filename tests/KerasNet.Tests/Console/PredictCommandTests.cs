#nullable enable
using KerasNet.Engine;
using KerasNet.Models;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Console;

/// <summary><c>kerasnet predict</c> with repeated <c>--input</c> and <c>--output</c>: one array per model input and output.</summary>
public sealed class PredictCommandTests
{
    private readonly string _dir = Oracle.TempDir();

    private (string Model, string X) SavedCnn()
    {
        var model = CliModels.SmallCnn(seed: 8);
        string path = Path.Combine(_dir, "cnn.h5");
        model.Save(path);
        return (path, CliModels.SaveNpy(_dir, "x.npy", CliModels.Images(5, seed: 2).X));
    }

    [Fact]
    public void CountsOfInputsAndOutputsMustMatchTheModel()
    {
        var (model, x) = SavedCnn();
        string y = Path.Combine(_dir, "y.npy"), y2 = Path.Combine(_dir, "y2.npy");
        CliRunner.AssertOneLineError(CliRunner.Run("predict", "--model", model, "--input", x, "--output", y, "--output", y2), 2,
            "model 'small_cnn' has 1 output (out) but 2 --output were given; give --output once per output, in that order.");
        CliRunner.AssertOneLineError(CliRunner.Run("predict", "--model", model, "--input", x, "--input", x), 2,
            "model 'small_cnn' has 1 input (c1_input) but 2 --input were given");
        CliRunner.AssertOneLineError(CliRunner.Run("predict", "--model", model, "--input", x, "--output", y, "--output", y), 2, "the same --output file is given twice");
        CliRunner.AssertOneLineError(CliRunner.Run("predict", "--model", model, "--input", x, "--images", x), 2, "exactly one of --input");
        Assert.False(File.Exists(y) || File.Exists(y2));

        var ok = CliRunner.Run("predict", "--model", model, "--input", x, "--output", y);
        Assert.True(ok.ExitCode == 0, ok.Error);
        Assert.Equal([5, 2], Npy.Load(y).Shape);
        Assert.Contains($"Wrote {y} (5, 2)", ok.Out);
    }

    [Fact]
    public void RepeatedInputsAndOutputsFeedAndSaveEveryArrayInOrder()
    {
        var network = CliModels.TwoBranch(seed: 5);
        string model = Path.Combine(_dir, "two.keras");
        network.Save(model);
        Tensor a = CliModels.Random(1, 5, 4), b = CliModels.Random(2, 5, 3);
        string pa = CliModels.SaveNpy(_dir, "a.npy", a), pb = CliModels.SaveNpy(_dir, "b.npy", b);
        string ya = Path.Combine(_dir, "ya.npy"), yb = Path.Combine(_dir, "yb.npy");

        var r = CliRunner.Run("predict", "--model", model, "--input", pa, "--input", pb, "--output", ya, "--output", yb);
        Assert.True(r.ExitCode == 0, r.Error + r.Out);
        var expected = network.PredictOnBatch(a, b);
        Tensor gotA = Npy.Load(ya), gotB = Npy.Load(yb);
        Assert.Equal([5, 2], gotA.Shape);
        Assert.Equal([5, 1], gotB.Shape);
        Assert.True(expected[0].Span.SequenceEqual(gotA.Span));
        Assert.True(expected[1].Span.SequenceEqual(gotB.Span));
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Count(l => l.Contains("out_a: ") && l.Contains("out_b: ")));
        Assert.Contains($"Wrote {yb} (5, 1) (output 'out_b')", r.Out);

        CliRunner.AssertOneLineError(CliRunner.Run("predict", "--model", model, "--input", pa, "--input", pb, "--output", ya), 2,
            "has 2 outputs (out_a, out_b) but 1 --output was given");
        CliRunner.AssertOneLineError(CliRunner.Run("predict", "--model", model, "--input", pa), 2,
            "has 2 inputs (in_a, in_b) but 1 --input was given");
        CliRunner.AssertOneLineError(CliRunner.Run("predict", "--model", model, "--input", pb, "--input", pa), 1,
            $"--input #1 ({pb}): shape (5, 3)", "input 'in_a', which expects (None, 4)");
        CliRunner.AssertOneLineError(CliRunner.Run("predict", "--model", model, "--images", _dir), 1, "images feed a model with one input");
    }
}
