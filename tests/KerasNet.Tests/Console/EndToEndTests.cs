#nullable enable
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Preprocessing.Image;
using KerasNet.Saving;
using KerasNet.Sklearn;
using KerasNet.Tests.TestUtil;
using StbImageSharp;
using KerasNet.Utils;

namespace KerasNet.Tests.Console;

/// <summary>Trains the tutorial once on a tiny generated dataset (2 epochs, 24x24 images) for the end-to-end tests.</summary>
public sealed class TrainedTutorial
{
    public const int ImageSize = 24, TrainPerClass = 8, TestPerClass = 3, Epochs = 2;

    public TrainedTutorial()
    {
        string root = Oracle.TempDir();
        Data = Path.Combine(root, "data");
        Output = Path.Combine(root, "output");
        TinyDataset.Create(Data, TrainPerClass, TestPerClass, size: 30, seed: 1);
        Train = CliRunner.Run("train", "--data", Data, "--epochs", Epochs.ToString(CultureInfo.InvariantCulture),
            "--image-size", ImageSize.ToString(CultureInfo.InvariantCulture), "--seed", "1", "--output", Output);
    }

    public string Data { get; }
    public string Output { get; }
    public CliRunner.Result Train { get; }
    public string Out(string file) => Path.Combine(Output, file);
    public string TestSet => Path.Combine(Data, "test_set");

    /// <summary>predictions.csv as rows of cells (no quoting needed for the generated names).</summary>
    public List<string[]> Predictions => File.ReadAllLines(Out("predictions.csv")).Select(l => l.Split(',')).ToList();
}

/// <summary>Every command end to end, in-process, on the files the tutorial run writes.</summary>
public sealed class EndToEndTests(TrainedTutorial run) : IClassFixture<TrainedTutorial>
{
    private readonly int _samples = TrainedTutorial.TestPerClass * 2;

    [Fact]
    public void TrainPrintsTheKerasTextAndWritesEveryFile()
    {
        Assert.True(run.Train.ExitCode == 0, run.Train.Error + run.Train.Out);
        string o = run.Train.Out;
        Assert.Contains($"Found {TrainedTutorial.TrainPerClass * 2} images belonging to 2 classes.", o);
        Assert.Contains($"Found {_samples} images belonging to 2 classes.", o);
        Assert.True(o.IndexOf("Found 16", StringComparison.Ordinal) < o.IndexOf("Found 6", StringComparison.Ordinal));
        Assert.Contains("Total params: ", o);
        Assert.Contains("dense_", o);
        Assert.Contains("Epoch 1/2", o);
        Assert.Contains("Epoch 2/2", o);
        Assert.Contains(" - val_accuracy: ", o);
        Assert.Contains("{'bart': 0, 'homer': 1}", o);
        Assert.Contains("weighted avg", o);
        Assert.Contains("Reloaded from network.json + weights.hdf5: same predictions", o);
        Assert.Contains("Reloaded from weights.hdf5: same predictions", o);
        Assert.Contains($"Feature maps of {Path.Combine("bart", "bart1.bmp")} (conv2d (1, 22, 22, 32), conv2d_1 (1, 9, 9, 32), conv2d_2 (1, 2, 2, 32)) written to", o);
        foreach (var f in new[] { "network.json", "weights.hdf5", "history.json", "history.csv", "loss.png", "accuracy.png",
                     "confusion_matrix.png", "predictions.csv", "classification_report.txt",
                     Path.Combine("feature_maps", "conv2d.png"), Path.Combine("feature_maps", "conv2d_1.png"), Path.Combine("feature_maps", "conv2d_2.png") })
            Assert.True(new FileInfo(run.Out(f)).Length > 0, f);
        Assert.Empty(Directory.GetFiles(run.Output, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void NetworkJsonIsTheTutorialsConfig()
    {
        var json = JsonNode.Parse(File.ReadAllText(run.Out("network.json")))!;
        Assert.Equal("Sequential", (string?)json["class_name"]);
        var layers = json["config"]!["layers"]!.AsArray();
        var classes = layers.Select(l => (string)l!["class_name"]!).Where(c => c != "InputLayer").ToArray();
        Assert.Equal(["Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Flatten", "Dense", "Dense", "Dense"], classes);
        var dense = layers.Where(l => (string?)l!["class_name"] == "Dense").Select(l => l!["config"]!).ToArray();
        Assert.Equal([3137, 3137, 2], dense.Select(d => (int)d["units"]!));
        Assert.Equal(["relu", "relu", "softmax"], dense.Select(d => (string)d["activation"]!));
        var first = layers.First(l => (string?)l!["class_name"] == "Conv2D")!["config"]!;
        Assert.Equal(32, (int)first["filters"]!);
        Assert.Contains($"{TrainedTutorial.ImageSize}, {TrainedTutorial.ImageSize}, 3", json.ToJsonString().Replace(",", ", ").Replace(",  ", ", "));
    }

    [Fact]
    public void HistoryFilesHaveOneValuePerEpoch()
    {
        var history = JsonSerializer.Deserialize<Dictionary<string, double[]>>(File.ReadAllText(run.Out("history.json")))!;
        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy"], history.Keys);
        Assert.All(history.Values, v => Assert.Equal(TrainedTutorial.Epochs, v.Length));
        Assert.All(history["accuracy"].Concat(history["val_accuracy"]), v => Assert.InRange(v, 0, 1));
        var csv = File.ReadAllLines(run.Out("history.csv"));
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", csv[0]);
        Assert.Equal(TrainedTutorial.Epochs + 1, csv.Length);
        Assert.Equal(history["val_loss"][1], double.Parse(csv[2].Split(',')[4], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void PlotsAreNonBlankPngs()
    {
        foreach (var f in new[] { "loss.png", "accuracy.png", "confusion_matrix.png" })
        {
            using var s = File.OpenRead(run.Out(f));
            var img = ImageResult.FromStream(s, ColorComponents.RedGreenBlue);
            Assert.Equal((800, 600), (img.Width, img.Height));
            int colours = Enumerable.Range(0, img.Width * img.Height).Select(i => (img.Data[3 * i] << 16) | (img.Data[3 * i + 1] << 8) | img.Data[3 * i + 2]).Distinct().Count();
            Assert.True(colours > 10, $"{f}: {colours} colours");
        }
    }

    [Fact]
    public void Hdf5ReloadsAndPredictsWhatPredictionsCsvSays()
    {
        var rows = run.Predictions;
        Assert.Equal("file,true_class,predicted_class,bart,homer", string.Join(",", rows[0]));
        Assert.Equal(_samples, rows.Count - 1);
        // The test iterator's order: classes in sorted order, files sorted inside each.
        var expectedFiles = TinyDataset.Classes.SelectMany(c => Enumerable.Range(1, TrainedTutorial.TestPerClass).Select(i => $"{c}{i}.bmp").Order(StringComparer.Ordinal).Select(f => Path.Combine(c, f))).ToArray();
        Assert.Equal(expectedFiles, rows.Skip(1).Select(r => r[0]));
        Assert.Equal(expectedFiles.Select(f => f.Split(Path.DirectorySeparatorChar)[0]), rows.Skip(1).Select(r => r[1]));

        var model = Keras.LoadModel(run.Out("weights.hdf5"));
        var test = new ImageDataGenerator(rescale: 1.0 / 255).FlowFromDirectory(run.TestSet,
            targetSize: (TrainedTutorial.ImageSize, TrainedTutorial.ImageSize), batchSize: 1, classMode: "categorical", shuffle: false);
        var outputs = model.PredictTensor(test);
        for (int i = 0; i < _samples; i++)
        {
            var row = rows[i + 1];
            float p0 = float.Parse(row[3], CultureInfo.InvariantCulture), p1 = float.Parse(row[4], CultureInfo.InvariantCulture);
            Assert.Equal(outputs[2 * i], p0, 6);
            Assert.Equal(outputs[2 * i + 1], p1, 6);
            Assert.Equal(outputs[2 * i + 1] > outputs[2 * i] ? "homer" : "bart", row[2]);
        }
    }

    [SkippableFact]
    public void ReportEqualsScikitLearnForTheSameLabels()
    {
        var rows = run.Predictions.Skip(1).ToList();
        int[] yTrue = rows.Select(r => Array.IndexOf(TinyDataset.Classes, r[1])).ToArray();
        int[] yPred = rows.Select(r => Array.IndexOf(TinyDataset.Classes, r[2])).ToArray();
        string report = File.ReadAllText(run.Out("classification_report.txt"));
        Assert.Equal(SklearnMetrics.ClassificationReport(yTrue, yPred), report);
        Assert.Contains(report, run.Train.Out);

        Oracle.RequirePython("sklearn");
        string file = Path.Combine(Oracle.TempDir(), "labels.json");
        File.WriteAllText(file, JsonSerializer.Serialize(new[] { new Dictionary<string, object?> { ["y_true"] = yTrue, ["y_pred"] = yPred, ["digits"] = 2 } }));
        var sk = JsonNode.Parse(Oracle.RunPythonScript("sklearn_metrics.py", file))![0]!;
        Assert.Equal((string?)sk["report"], report);
        Assert.Contains(PyText.Repr((double)sk["accuracy"]!), run.Train.Out);
    }


    [Fact]
    public void SummaryOfTheSavedModelsEqualsTheTrainingSummary()
    {
        foreach (var args in new[] { new[] { "--model", run.Out("weights.hdf5") }, ["--model", run.Out("network.json")] })
        {
            var r = CliRunner.Run(["summary", .. args]);
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.StartsWith("Model: \"", r.Out);
            Assert.Contains("Total params: ", r.Out);
            Assert.Contains(r.Out.TrimEnd(), run.Train.Out);
        }
    }

    [Fact]
    public void PredictImagesWritesTheOutputsInIteratorOrder()
    {
        string npy = Path.Combine(Oracle.TempDir(), "p.npy");
        var r = CliRunner.Run("predict", "--model", run.Out("weights.hdf5"), "--images", run.TestSet, "--output", npy);
        Assert.True(r.ExitCode == 0, r.Error);
        var y = Npy.Load(npy);
        Assert.Equal([_samples, 2], y.Shape);
        var rows = run.Predictions.Skip(1).ToList();
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.Contains(".bmp")).ToList();
        Assert.Equal(_samples, lines.Count);
        for (int i = 0; i < _samples; i++)
        {
            Assert.Equal(float.Parse(rows[i][3], CultureInfo.InvariantCulture), y[2 * i], 5);
            Assert.StartsWith(rows[i][0], lines[i]);
            Assert.Contains($"({rows[i][2]})", lines[i]);
        }

        // The same images from a flat folder, one file, and as an NHWC .npy give the same outputs.
        string flat = Path.Combine(run.TestSet, "homer");
        var f = CliRunner.Run("predict", "--model", run.Out("weights.hdf5"), "--images", flat);
        Assert.True(f.ExitCode == 0, f.Error);
        Assert.Equal(["homer1.bmp", "homer2.bmp", "homer3.bmp"], f.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split(' ')[0]));
        var one = CliRunner.Run("predict", "--json", run.Out("network.json"), "--weights", run.Out("weights.hdf5"), "--images", Path.Combine(flat, "homer2.bmp"));
        Assert.True(one.ExitCode == 0, one.Error);
        // One image is a different batch shape (other GEMM blocking), so equal to float rounding, not bit for bit.
        var probabilities = one.Out[(one.Out.IndexOf('[') + 1)..one.Out.IndexOf(']')].Split(", ").Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(y[2 * 4], probabilities[0], 1e-6f);
        Assert.Equal(y[2 * 4 + 1], probabilities[1], 1e-6f);

        var files = rows.Select(row => Path.Combine(run.TestSet, row[0])).ToArray();
        int s = TrainedTutorial.ImageSize;
        var x = new Tensor(files.Length, s, s, 3);
        for (int i = 0; i < files.Length; i++)
        {
            var img = ImageLoader.Load(files[i], "rgb", (s, s));
            for (int j = 0; j < img.Length; j++) x[i * img.Length + j] = img[j] * (float)(1.0 / 255);
        }
        string xPath = Path.Combine(Oracle.TempDir(), "x.npy"), y2 = Path.Combine(Oracle.TempDir(), "y2.npy");
        Npy.Save(xPath, x);
        var fromNpy = CliRunner.Run("predict", "--model", run.Out("weights.hdf5"), "--input", xPath, "--output", y2, "--batch-size", "4");
        Assert.True(fromNpy.ExitCode == 0, fromNpy.Error);
        Assert.Equal(0, CliRunner.Run("compare", y2, npy, "--atol", "1e-5").ExitCode);
    }

    [SkippableFact]
    public void PredictOnImagesEqualsPredictOnKerasPreparedArray()
    {
        // The Python side: keras_preprocessing loads the test set as flow_from_directory would, into an NHWC .npy.
        Oracle.RequirePython("keras_preprocessing", "numpy", "PIL");
        string dir = Oracle.TempDir(), x = Path.Combine(dir, "x.npy"), fromPython = Path.Combine(dir, "a.npy"), fromImages = Path.Combine(dir, "b.npy");
        int s = TrainedTutorial.ImageSize;
        var order = Oracle.RunPythonScript("cli_images_to_npy.py", run.TestSet, $"{s}", $"{s}", PyText.Repr(1.0 / 255), x)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(run.Predictions.Skip(1).Select(r => r[0]), order);
        Assert.Equal(0, CliRunner.Run("predict", "--model", run.Out("weights.hdf5"), "--input", x, "--output", fromPython).ExitCode);
        Assert.Equal(0, CliRunner.Run("predict", "--model", run.Out("weights.hdf5"), "--images", run.TestSet, "--output", fromImages).ExitCode);
        var r = CliRunner.Run("compare", fromImages, fromPython, "--atol", "0");
        Assert.True(r.ExitCode == 0, r.Out);
    }

    [Fact]
    public void PredictRejectsAWrongInputShapeWithExit1()
    {
        string xPath = Path.Combine(Oracle.TempDir(), "wrong.npy");
        Npy.Save(xPath, new Tensor(2, 10, 10, 3));
        var r = CliRunner.Run("predict", "--model", run.Out("weights.hdf5"), "--input", xPath);
        CliRunner.AssertOneLineError(r, 1, "(2, 10, 10, 3)");
    }

    [Fact]
    public void TrainDrawsTheFeatureMapsOfTheFirstTestImageAsFeaturemapsDoes()
    {
        // The tutorial's maps are those of the first test image (bart/bart1.bmp); featuremaps on the saved model and
        // that image, with its defaults (the model's input size, rescale 1/255), must draw the same pixels.
        Assert.Equal(["conv2d.png", "conv2d_1.png", "conv2d_2.png"],
            Directory.GetFiles(run.Out("feature_maps")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        string dir = Oracle.TempDir();
        var r = CliRunner.Run("featuremaps", "--model", run.Out("weights.hdf5"), "--image", Path.Combine(run.TestSet, "bart", "bart1.bmp"), "--output", dir, "--npy");
        Assert.True(r.ExitCode == 0, r.Error);
        foreach (var (layer, size) in new[] { ("conv2d", 22), ("conv2d_1", 9), ("conv2d_2", 2) })
        {
            ImageResult Decode(string path) { using var s = File.OpenRead(path); return ImageResult.FromStream(s, ColorComponents.RedGreenBlue); }
            var fromTrain = Decode(Path.Combine(run.Out("feature_maps"), layer + ".png"));
            var fromCommand = Decode(Path.Combine(dir, layer + ".png"));
            var grid = new KerasNet.ConsoleApp.Reporting.FeatureMaps.Grid(32, size, size);
            Assert.Equal((8, 4), (grid.Cols, grid.Rows));
            Assert.Equal((grid.ImageWidth, grid.ImageHeight), (fromTrain.Width, fromTrain.Height));
            Assert.Equal(fromCommand.Data, fromTrain.Data);
            Assert.Equal([1, size, size, 32], Npy.Load(Path.Combine(dir, layer + ".npy")).Shape);
        }
    }

    [Fact]
    public void EvaluateReproducesTheTrainingReport()
    {
        string dir = Oracle.TempDir();
        var r = CliRunner.Run("evaluate", "--model", run.Out("weights.hdf5"), "--images", run.TestSet, "--output", dir, "--batch-size", "1");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("loss: ", r.Out);
        Assert.Contains("accuracy: ", r.Out);
        Assert.Contains("true \\ predicted", r.Out);
        Assert.Equal(File.ReadAllText(run.Out("classification_report.txt")), File.ReadAllText(Path.Combine(dir, "classification_report.txt")));
        Assert.Equal(File.ReadAllText(run.Out("predictions.csv")), File.ReadAllText(Path.Combine(dir, "predictions.csv")));
        Assert.True(new FileInfo(Path.Combine(dir, "confusion_matrix.png")).Length > 0);
    }

    [Fact]
    public void ConvertRoundTripsAndCompareDetectsAPerturbedCopy()
    {
        string dir = Oracle.TempDir(), h5 = run.Out("weights.hdf5");
        string keras = Path.Combine(dir, "m.keras"), json = Path.Combine(dir, "m.json"), back = Path.Combine(dir, "back.h5");
        Assert.Equal(0, CliRunner.Run("convert", h5, keras).ExitCode);
        Assert.Equal(0, CliRunner.Run("convert", keras, json).ExitCode);
        Assert.True(File.Exists(Path.Combine(dir, "m.weights.h5")));
        var c = CliRunner.Run("convert", json, back, "--weights", Path.Combine(dir, "m.weights.h5"));
        Assert.True(c.ExitCode == 0, c.Error);
        foreach (var copy in new[] { keras, back })
        {
            var r = CliRunner.Run("compare", h5, copy);
            Assert.True(r.ExitCode == 0, r.Out + r.Error);
            Assert.Contains("config: equal", r.Out);
            Assert.Contains("max abs diff 0,", r.Out);
        }

        var model = Keras.LoadModel(h5);
        var kernel = model.Weights.First();
        var values = kernel.Value.ToArray();
        values[3] += 1e-3f;
        kernel.Assign(values);
        string perturbed = Path.Combine(dir, "perturbed.hdf5");
        model.Save(perturbed);
        var d = CliRunner.Run("compare", h5, perturbed);
        Assert.Equal(1, d.ExitCode);
        Assert.Contains(kernel.FullName, d.Out);
        Assert.Contains("1 of ", d.Out);
        Assert.Contains("DIFFERENT", d.Out);
        Assert.Equal(0, CliRunner.Run("compare", h5, perturbed, "--atol", "2e-3").ExitCode);
    }

    [Fact]
    public void CorruptImageFailsNamingItOrIsSkippedOnRequest()
    {
        string flat = Oracle.TempDir();
        foreach (var f in Directory.GetFiles(Path.Combine(run.TestSet, "bart"))) File.Copy(f, Path.Combine(flat, Path.GetFileName(f)));
        File.WriteAllBytes(Path.Combine(flat, "broken.bmp"), File.ReadAllBytes(Path.Combine(flat, "bart1.bmp"))[..20]);
        var fail = CliRunner.Run("predict", "--model", run.Out("weights.hdf5"), "--images", flat);
        Assert.Equal(1, fail.ExitCode);
        Assert.Contains("broken.bmp", fail.Error);
        var skip = CliRunner.Run("predict", "--model", run.Out("weights.hdf5"), "--images", flat, "--skip-invalid");
        Assert.True(skip.ExitCode == 0, skip.Error);
        Assert.Contains("Skipped 1 invalid image(s)", skip.Out);
        Assert.Equal(TrainedTutorial.TestPerClass, skip.Out.Split('\n').Count(l => l.StartsWith("bart", StringComparison.Ordinal)));
    }

    [Fact]
    public void CorruptModelFileExits1NamingIt()
    {
        string bad = Path.Combine(Oracle.TempDir(), "corrupt.h5");
        var bytes = File.ReadAllBytes(run.Out("weights.hdf5"))[..4096];
        File.WriteAllBytes(bad, bytes);
        var r = CliRunner.Run("summary", "--model", bad);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("corrupt.h5", r.Error);
        Assert.DoesNotContain("   at ", r.Error);
    }
}
