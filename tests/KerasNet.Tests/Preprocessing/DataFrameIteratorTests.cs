using System.Text.Json.Nodes;
using KerasNet.Preprocessing.Image;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Preprocessing;

/// <summary>
/// ImageDataGenerator.FlowFromCsv against Oracles/dataframe_oracle.py: keras_preprocessing 1.1's DataFrameIterator
/// steps transcribed over the csv module's rows (pandas is not installed), pixels from keras_preprocessing's
/// load_img + img_to_array: file order, classes, text, warnings and every pixel equal.
/// </summary>
public class DataFrameIteratorTests
{
    private static readonly Lazy<(string Dir, string Csv)> Data = new(() =>
    {
        var dir = Path.Combine(Oracle.TempDir(), "frame");
        Oracle.RunPythonScript("dataset_oracle.py", "make", dir);
        var csv = Path.Combine(dir, "labels.csv");
        // Unsorted rows, a quoted name with a comma, a missing file, a non-image name, labels in several orders.
        File.WriteAllText(csv, string.Join("\n",
            "id,filename,class",
            "1,dogs/d03.png,dog",
            "2,cats/c1.png,cat",
            "3,\"cats/sub b/c5.png\",cat",
            "4,birds/b1.png,bird",
            "5,dogs/missing.png,dog",
            "6,cats/notes.txt,cat",
            "7,dogs/d00.png,dog",
            "8,birds/b0.png,bird",
            "9,cats/c2.bmp,cat",
            "10,dogs/d07.png,dog",
            "11,cats/sub/deeper/c4.gif,cat") + "\n");
        return (dir, csv);
    });

    public static TheoryData<string?, string[]?, double, string?, bool, string, string, int, int> Cases => new()
    {
        { "categorical", null, 0, null, true, "rgb", "nearest", 20, 24 },
        { "sparse", null, 0.3, "training", true, "grayscale", "bilinear", 16, 16 },
        { "categorical", null, 0.3, "validation", true, "rgba", "bicubic", 10, 12 },
        { "binary", ["dog", "cat"], 0, null, true, "rgb", "nearest", 8, 8 },
        { null, null, 0, null, true, "rgb", "nearest", 8, 8 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FlowFromCsvMatchesKerasPreprocessing(string? classMode, string[]? classes, double split, string? subset, bool validate,
        string colorMode, string interpolation, int h, int w)
    {
        Oracle.RequirePython("numpy", "PIL", "keras_preprocessing");
        var (dir, csv) = Data.Value;
        var npy = Path.Combine(Oracle.TempDir(), "frame.npy");
        var expected = JsonNode.Parse(Oracle.RunPythonScript("dataframe_oracle.py", new JsonObject
        {
            ["csv"] = csv, ["directory"] = dir, ["x_col"] = "filename", ["y_col"] = "class",
            ["classes"] = classes is null ? null : new JsonArray(classes.Select(c => (JsonNode)c).ToArray()),
            ["class_mode"] = classMode, ["validation_split"] = split, ["subset"] = subset, ["validate_filenames"] = validate,
            ["target_size"] = new JsonArray(h, w), ["color_mode"] = colorMode, ["interpolation"] = interpolation,
        }.ToJsonString(), npy))!;
        var warnings = new List<string>();
        var old = Keras.Warning;
        Keras.Warning = warnings.Add;
        var text = new StringWriter();
        DataFrameIterator it;
        try
        {
            it = new ImageDataGenerator(validationSplit: split).FlowFromCsv(csv, dir, targetSize: (h, w), colorMode: colorMode, classes: classes,
                classMode: classMode, batchSize: 3, shuffle: false, subset: subset, interpolation: interpolation, output: text);
        }
        finally { Keras.Warning = old; }
        Assert.Equal(expected["filenames"]!.AsArray().Select(v => (string)v!), it.Filenames);
        Assert.Equal(expected["classes"]!.AsArray().Select(v => (int)v!), it.Classes);
        Assert.Equal(expected["class_indices"]!.AsObject().Select(p => (p.Key, (int)p.Value!)), it.ClassIndices.Select(p => (p.Key, p.Value)));
        Assert.Equal((string)expected["text"]!, text.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(expected["warnings"]!.AsArray().Select(v => (string)v!), warnings);
        var pixels = Npy.Load(npy);
        int size = pixels.Length / it.Samples;
        for (int b = 0; b < it.Count; b++)
        {
            var batch = it.GetBatch(b);
            for (int i = 0; i < batch.X.BatchSize; i++)
            {
                int sample = b * 3 + i;
                Assert.Equal(pixels.Span.Slice(sample * size, size).ToArray(), batch.X.Span.Slice(i * size, size).ToArray());
                if (classMode == "categorical")
                    for (int k = 0; k < it.ClassIndices.Count; k++) Assert.Equal(k == it.Classes[sample] ? 1f : 0f, batch.Y![i * it.ClassIndices.Count + k]);
                else if (classMode != null) Assert.Equal(it.Classes[sample], batch.Y![i]);
                else Assert.Null(batch.Y);
            }
        }
    }

    [Fact]
    public void RefusesWhatKerasRefusesAndWhatKerasNetLacks()
    {
        Oracle.RequirePython("numpy", "PIL");
        var (dir, csv) = Data.Value;
        var gen = new ImageDataGenerator();
        Assert.Contains("2 classes. Found 3", Assert.Throws<KerasNetException>(() => gen.FlowFromCsv(csv, dir, classMode: "binary", output: TextWriter.Null)).Message);
        Assert.Contains("not supported", Assert.Throws<KerasNetException>(() => gen.FlowFromCsv(csv, dir, classMode: "raw", output: TextWriter.Null)).Message);
        Assert.Contains("x_col=name", Assert.Throws<KerasNetException>(() => gen.FlowFromCsv(csv, dir, xCol: "name", output: TextWriter.Null)).Message);
        var bad = Path.Combine(Oracle.TempDir(), "bad.csv");
        File.WriteAllText(bad, "filename,class\n\"a.png,cat\n");
        Assert.Contains("quoted", Assert.Throws<KerasNetException>(() => gen.FlowFromCsv(bad, output: TextWriter.Null)).Message);
        File.WriteAllText(bad, "filename,class\na.png\n");
        Assert.Contains("fields", Assert.Throws<KerasNetException>(() => gen.FlowFromCsv(bad, output: TextWriter.Null)).Message);
    }
}
