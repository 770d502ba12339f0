#nullable enable
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Console;

/// <summary>
/// The commands on real model files saved by Python Keras (the shared fixtures): how a user compares the port with
/// the original. predict's .npy output must equal the fixtures' independently computed outputs through `compare`.
/// </summary>
public sealed class FixtureCommandsTests
{
    public static TheoryData<string> FullModels => new()
    {
        "ikukang_DeepLearningWithPythonKeras__mnist_cnn.h5",
        "binhgo_Learn-AI__mnist_cnn.h5",
        "KILNETA_CNN_MNIST__mnist_cnn.h5",
        "01110001_ml-mnist__mnist_cnn.h5",
        "Kimthangg_mnist_cnn__mnist_cnn.h5",
        "CypherHK_MLS_A11__mnist_cnn_model.keras",
    };

    [SkippableTheory]
    [MemberData(nameof(FullModels))]
    public void PredictMatchesKerasAndConvertRoundTrips(string file)
    {
        string fixtures = Oracle.RequireFixtures();
        string model = Path.Combine(fixtures, file), stem = Path.GetFileNameWithoutExtension(file);
        string dir = Oracle.TempDir(), outputs = Path.Combine(dir, "y.npy");

        var p = CliRunner.Run("predict", "--model", model, "--input", Path.Combine(fixtures, "inputs", stem + ".npy"), "--output", outputs);
        Assert.True(p.ExitCode == 0, p.Error);
        Assert.Equal(4, p.Out.Split('\n').Count(l => l.Contains('[')));
        var c = CliRunner.Run("compare", outputs, Path.Combine(fixtures, "expected", stem + ".npy"), "--atol", "1e-5");
        Assert.True(c.ExitCode == 0, c.Out);

        var s = CliRunner.Run("summary", "--model", model);
        Assert.True(s.ExitCode == 0, s.Error);
        Assert.Contains("Total params: ", s.Out);

        // Into the other formats and back: the same config and bit-identical weights.
        foreach (var target in new[] { "m.keras", "m.h5", "m.json" })
        {
            string converted = Path.Combine(dir, target);
            var conv = CliRunner.Run("convert", model, converted);
            Assert.True(conv.ExitCode == 0, conv.Error);
            var cmp = CliRunner.Run("compare", model, converted, "--atol", "0");
            Assert.True(cmp.ExitCode == 0, cmp.Out + cmp.Error);
            Assert.Contains("config: equal", cmp.Out);
            Assert.Contains(target.EndsWith(".json") ? "weights: not compared" : "max abs diff 0,", cmp.Out);
        }
        var back = CliRunner.Run("predict", "--json", Path.Combine(dir, "m.json"), "--weights", Path.Combine(dir, "m.weights.h5"),
            "--input", Path.Combine(fixtures, "inputs", stem + ".npy"), "--output", Path.Combine(dir, "y2.npy"));
        Assert.True(back.ExitCode == 0, back.Error);
        Assert.Equal(0, CliRunner.Run("compare", Path.Combine(dir, "y2.npy"), outputs, "--atol", "0").ExitCode);
    }

    [SkippableFact]
    public void JsonPlusWeightsFixturePredictsLikeKeras()
    {
        string fixtures = Oracle.RequireFixtures();
        string outputs = Path.Combine(Oracle.TempDir(), "y.npy");
        var p = CliRunner.Run("predict", "--json", Path.Combine(fixtures, "AykCanDem_digitRecognition__mnist_cnn.json"),
            "--weights", Path.Combine(fixtures, "AykCanDem_digitRecognition__mnist_cnn_weights.h5"),
            "--input", Path.Combine(fixtures, "inputs", "AykCanDem_digitRecognition__mnist_cnn_weights.npy"), "--output", outputs);
        Assert.True(p.ExitCode == 0, p.Error);
        Assert.Equal(0, CliRunner.Run("compare", outputs, Path.Combine(fixtures, "expected", "AykCanDem_digitRecognition__mnist_cnn_weights.npy"), "--atol", "1e-5").ExitCode);
    }

    [SkippableFact]
    public void WeightsOfAnotherArchitectureOrABadJsonExit1NamingTheFile()
    {
        string fixtures = Oracle.RequireFixtures();
        var r = CliRunner.Run("predict", "--json", Path.Combine(fixtures, "AykCanDem_digitRecognition__mnist_cnn.json"),
            "--weights", Path.Combine(fixtures, "KILNETA_CNN_MNIST__mnist_cnn.h5"), "--input", Path.Combine(fixtures, "inputs", "KILNETA_CNN_MNIST__mnist_cnn.npy"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("KILNETA_CNN_MNIST__mnist_cnn.h5", r.Error);
        Assert.Contains("conv2d", r.Error);
        var j = CliRunner.Run("summary", "--model", Path.Combine(fixtures, "manifest.json"));
        CliRunner.AssertOneLineError(j, 1, "manifest.json");
    }

    [SkippableFact]
    public void DifferentArchitecturesCompareUnequalFieldByField()
    {
        string fixtures = Oracle.RequireFixtures();
        var r = CliRunner.Run("compare", Path.Combine(fixtures, "ikukang_DeepLearningWithPythonKeras__mnist_cnn.h5"), Path.Combine(fixtures, "KILNETA_CNN_MNIST__mnist_cnn.h5"));
        Assert.Equal(1, r.ExitCode);
        Assert.Matches(@"config: \d+ difference\(s\)", r.Out);
        Assert.Contains("DIFFERENT", r.Out);
    }
}
