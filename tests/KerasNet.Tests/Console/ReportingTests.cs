#nullable enable
using KerasNet.Callbacks;
using KerasNet.ConsoleApp.Commands;
using KerasNet.ConsoleApp.Reporting;
using KerasNet.Engine;
using KerasNet.Tests.TestUtil;
using KerasNet.Utils;

namespace KerasNet.Tests.Console;

public sealed class ReportingTests
{
    [Theory]
    [InlineData(1.0, "1.0")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1.5e-7, "1.5e-07")]
    [InlineData(123456.0, "123456.0")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(-2.5, "-2.5")]
    [InlineData(0.9259259259259259, "0.9259259259259259")]
    public void FloatReprMatchesPython(double v, string python) => Assert.Equal(python, PyText.Repr(v));

    [Fact]
    public void DictAndStringReprMatchPython()
    {
        Assert.Equal("{'bart': 0, 'homer': 1}", PyText.Repr(new Dictionary<string, int> { ["bart"] = 0, ["homer"] = 1 }));
        Assert.Equal("\"it's\"", PyText.Repr("it's"));
        Assert.Equal("'a\\\\b'", PyText.Repr("a\\b"));
    }

    [SkippableFact]
    public void FloatReprMatchesPythonOnRandomValues()
    {
        Oracle.RequirePython("numpy");
        var rng = new Random(3);
        var values = Enumerable.Range(0, 300).Select(_ => (rng.NextDouble() - 0.3) * Math.Pow(10, rng.Next(-9, 18))).ToArray();
        var floats = values.Select(v => (float)v).ToArray();
        string file = Path.Combine(Oracle.TempDir(), "v.json");
        File.WriteAllText(file, System.Text.Json.JsonSerializer.Serialize(values));
        var lines = Oracle.RunPythonCode(
            "import json,sys,numpy as np\nv=json.load(open(sys.argv[1]))\nfor x in map(float, v): print(repr(x), repr(np.float32(x)).replace('np.float32(','').rstrip(')'))", file)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < values.Length; i++)
        {
            var parts = lines[i].Split(' ');
            Assert.Equal(parts[0], PyText.Repr(values[i]));
            Assert.Equal(parts[1], PyText.Repr(floats[i]));
        }
    }

    [Fact]
    public void HistoryFilesHoldEveryEpoch()
    {
        var h = new History();
        h.OnEpochEnd(0, new Dictionary<string, double> { ["loss"] = 0.5, ["accuracy"] = 0.75, ["val_loss"] = 0.6, ["val_accuracy"] = 0.7 });
        h.OnEpochEnd(1, new Dictionary<string, double> { ["loss"] = 0.25, ["accuracy"] = 1, ["val_loss"] = 0.4, ["val_accuracy"] = 0.8 });
        string dir = Oracle.TempDir();
        TrainingFiles.WriteHistoryJson(Path.Combine(dir, "h.json"), h);
        TrainingFiles.WriteHistoryCsv(Path.Combine(dir, "h.csv"), h);
        var json = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, double[]>>(File.ReadAllText(Path.Combine(dir, "h.json")))!;
        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy"], json.Keys);
        Assert.Equal([0.25 * 2, 0.25], json["loss"]);
        Assert.Equal(
            "epoch,accuracy,loss,val_accuracy,val_loss\n0,0.75,0.5,0.7,0.6\n1,1.0,0.25,0.8,0.4\n",
            File.ReadAllText(Path.Combine(dir, "h.csv")));
    }

    [Fact]
    public void PredictionsCsvQuotesAndOrdersColumns()
    {
        string path = Path.Combine(Oracle.TempDir(), "p.csv");
        TrainingFiles.WritePredictions(path, ["bart/b1.bmp", "homer/h,1.bmp"], [0, 1], [0, 0], new float[,] { { 0.75f, 0.25f }, { 0.5f, 0.5f } }, ["bart", "homer"]);
        Assert.Equal("file,true_class,predicted_class,bart,homer\nbart/b1.bmp,bart,bart,0.75,0.25\n\"homer/h,1.bmp\",homer,bart,0.5,0.5\n", File.ReadAllText(path));
    }

    [Fact]
    public void ArgmaxTakesTheFirstMaximumAndThresholdsOneOutput()
    {
        Assert.Equal([1, 0, 2], Classification.PredictedClasses(new Tensor([0.1f, 0.8f, 0.1f, 0.4f, 0.4f, 0.2f, 0, 0, 1], 3, 3)));
        Assert.Equal([1, 0, 0], Classification.PredictedClasses(new Tensor([0.9f, 0.2f, 0.5f], 3, 1)));
    }

    [Fact]
    public void JsonDiffNamesEveryDifferingField()
    {
        var a = System.Text.Json.Nodes.JsonNode.Parse("""{"class_name":"Sequential","config":{"layers":[{"units":3137,"use_bias":true},{"rate":0.5}]},"v":1}""");
        var b = System.Text.Json.Nodes.JsonNode.Parse("""{"class_name":"Sequential","config":{"layers":[{"units":577,"use_bias":true},{"rate":0.5}]},"v":1.0,"extra":2}""");
        var d = JsonDiff.Differences(a, b);
        Assert.Equal(["config.layers[0].units: 3137 != 577", "extra: only in B (2)"], d);
    }

    [Fact]
    public void ArrayDiffFollowsAllclose()
    {
        var d = ArrayDiff.Of([1f, 2f, float.NaN, 0.001f], [1f, 2.5f, float.NaN, 0f], atol: 2e-3, rtol: 0.1);
        Assert.Equal(0.5, d.MaxAbs, 6);
        Assert.Equal(double.PositiveInfinity, d.MaxRel); // 0.001 against a reference of 0
        Assert.Equal(1, d.Outside); // 0.5 > 2e-3 + 0.1 * 2.5, while 0.001 <= 2e-3; NaN against NaN counts as equal
        Assert.Equal(1, ArrayDiff.Of([float.NaN], [1f], 1, 1).Outside);
    }
}

public sealed class NumSharpArgmaxTests
{
    [Fact]
    public void TutorialsArgmaxAgreesWithClassification()
    {
        // Program.Tutorial uses np.argmax(previsoes, axis: 1) on Predict's NDArray, as the Python does.
        var rng = new Random(11);
        var t = new KerasNet.Engine.Tensor(37, 3);
        for (int i = 0; i < t.Length; i++) t[i] = (float)rng.NextDouble();
        using var nd = KerasNet.Models.NDArrays.FromTensor(t);
        using var argmax = NumSharp.np.argmax(nd, axis: 1);
        int[] viaNumSharp = argmax.astype(NumSharp.NPTypeCode.Int32).ToArray<int>();
        Assert.Equal(KerasNet.ConsoleApp.Commands.Classification.PredictedClasses(t), viaNumSharp);
    }
}
