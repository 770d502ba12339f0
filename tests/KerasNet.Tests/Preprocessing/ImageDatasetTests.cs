using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Preprocessing.Image;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Preprocessing;

/// <summary>
/// Keras.Utils.ImageDatasetFromDirectory against Oracles/dataset_oracle.py: the file list, labels, class names and
/// printed text of a transcription of Keras 2.10's dataset_utils with numpy's RandomState (exact), and the pixels
/// of PIL decoding plus torch's half-pixel bilinear (1e-3: torch's lerp is another float32 formula) and
/// nearest-exact (exact) resizes, or tf_resize_oracle.py's numpy float32 transcriptions of TensorFlow's ResizeArea
/// and ScaleAndTranslate kernels (area, lanczos3, lanczos5, gaussian, mitchellcubic: 1e-5).
/// </summary>
public class ImageDatasetTests
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var dir = Path.Combine(Oracle.TempDir(), "dataset");
        Oracle.RunPythonScript("dataset_oracle.py", "make", dir);
        return dir;
    });

    private static string Dir()
    {
        Oracle.RequirePython("numpy", "PIL", "torch");
        return Folder.Value;
    }

    private static JsonNode Index(JsonObject spec) => JsonNode.Parse(Oracle.RunPythonScript("dataset_oracle.py", "index", spec.ToJsonString()))!;

    private static void AssertListing(JsonNode subset, ImageDataset ds)
    {
        Assert.Equal(subset["file_paths"]!.AsArray().Select(v => (string)v!), ds.FilePaths);
        if (subset["labels"] is JsonArray labels) Assert.Equal(labels.Select(v => (int)v!), ds.Labels!);
        else Assert.Null(ds.Labels);
    }

    public static TheoryData<bool, int?, double?, string?> ListingCases => new()
    {
        { false, null, null, null },
        { true, 123, null, null },
        { true, 7, 0.3, "training" },
        { true, 7, 0.3, "validation" },
        { false, null, 0.2, "validation" },
        { true, 99, 0.05, "training" }, // int(0.05 * 17) = 0 files for validation: Python's [:-0] keeps none
    };

    [Theory]
    [MemberData(nameof(ListingCases))]
    public void ListingMatchesKerasDatasetUtils(bool shuffle, int? seed, double? split, string? subset)
    {
        var dir = Dir();
        var expected = Index(new JsonObject { ["dir"] = dir, ["shuffle"] = shuffle, ["seed"] = seed, ["validation_split"] = split, ["subset"] = subset });
        var text = new StringWriter();
        if (subset == "training" && split == 0.05)
        {
            Assert.Empty(expected["subsets"]![0]!["file_paths"]!.AsArray());
            Assert.Contains("No images found", Assert.Throws<KerasNetException>(() => Keras.Utils.ImageDatasetFromDirectory(dir, shuffle: shuffle, seed: seed, validationSplit: split, subset: subset, output: text)).Message);
            return;
        }
        var ds = Keras.Utils.ImageDatasetFromDirectory(dir, shuffle: shuffle, seed: seed, validationSplit: split, subset: subset, output: text);
        AssertListing(expected["subsets"]![0]!, ds);
        Assert.Equal(expected["class_names"]!.AsArray().Select(v => (string)v!), ds.ClassNames);
        Assert.Equal((string)expected["text"]!, text.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void BothSubsetsClassNamesAndNoLabelsMatchKeras()
    {
        var dir = Dir();
        var expected = Index(new JsonObject { ["dir"] = dir, ["shuffle"] = true, ["seed"] = 123, ["validation_split"] = 0.3, ["subset"] = "both" });
        var text = new StringWriter();
        var (train, val) = Keras.Utils.ImageDatasetFromDirectorySplit(dir, 0.3, 123, output: text);
        AssertListing(expected["subsets"]![0]!, train);
        AssertListing(expected["subsets"]![1]!, val);
        Assert.Equal((string)expected["text"]!, text.ToString().ReplaceLineEndings("\n"));

        var order = new JsonArray("dogs", "birds", "cats");
        expected = Index(new JsonObject { ["dir"] = dir, ["shuffle"] = false, ["seed"] = null, ["class_names"] = order });
        var ds = Keras.Utils.ImageDatasetFromDirectory(dir, classNames: ["dogs", "birds", "cats"], shuffle: false, output: TextWriter.Null);
        AssertListing(expected["subsets"]![0]!, ds);

        // labels=None indexes every image below the folder, root.png included.
        expected = Index(new JsonObject { ["dir"] = dir, ["shuffle"] = true, ["seed"] = 5, ["labels"] = null });
        text = new StringWriter();
        ds = Keras.Utils.ImageDatasetFromDirectory(dir, labels: ImageLabels.None, seed: 5, output: text);
        expected["subsets"]![0]!.AsObject().Remove("labels"); // index_directory's zeros, which the dataset drops
        AssertListing(expected["subsets"]![0]!, ds);
        Assert.Contains(Path.Combine(dir, "root.png"), ds.FilePaths);
        Assert.Equal((string)expected["text"]!, text.ToString().ReplaceLineEndings("\n"));
        Assert.Null(ds.GetBatch(0).Y);

        // Explicit labels follow the sorted file order, then the same shuffle.
        int[] given = Enumerable.Range(0, 17).Select(i => i % 4).ToArray();
        expected = Index(new JsonObject { ["dir"] = dir, ["shuffle"] = true, ["seed"] = 8, ["labels"] = new JsonArray(given.Select(v => (JsonNode)v).ToArray()) });
        ds = Keras.Utils.ImageDatasetFromDirectory(dir, labels: given, seed: 8, output: TextWriter.Null);
        AssertListing(expected["subsets"]![0]!, ds);
    }

    public static TheoryData<string, int, int, string, bool> PixelCases => new()
    {
        { "rgb", 24, 24, "bilinear", false },
        { "grayscale", 16, 20, "nearest", false },
        { "rgba", 20, 30, "bilinear", true },
        { "rgb", 13, 9, "nearest", true },
        { "rgb", 64, 70, "bilinear", false }, // upscaling every file
        { "rgb", 11, 13, "area", false },
        { "rgba", 64, 70, "area", true },
        { "rgb", 13, 9, "lanczos3", true },
        { "grayscale", 40, 45, "lanczos5", false },
        { "rgb", 24, 20, "gaussian", false },
        { "rgba", 16, 20, "mitchellcubic", true },
    };

    [Theory]
    [MemberData(nameof(PixelCases))]
    public void PixelsMatchPilDecodingAndHalfPixelResizes(string colorMode, int h, int w, string interpolation, bool crop)
    {
        var dir = Dir();
        var ds = Keras.Utils.ImageDatasetFromDirectory(dir, labelMode: "categorical", colorMode: colorMode, batchSize: 5, imageSize: (h, w),
            shuffle: false, interpolation: interpolation, cropToAspectRatio: crop, output: TextWriter.Null);
        var npy = Path.Combine(Oracle.TempDir(), "px.npy");
        Oracle.RunPythonScript("dataset_oracle.py", "pixels", new JsonObject
        {
            ["paths"] = new JsonArray(ds.FilePaths.Select(p => (JsonNode)p).ToArray()), ["color_mode"] = colorMode,
            ["size"] = new JsonArray(h, w), ["interpolation"] = interpolation, ["crop"] = crop,
        }.ToJsonString(), npy);
        var expected = Npy.Load(npy);
        int c = colorMode == "rgb" ? 3 : colorMode == "rgba" ? 4 : 1, size = h * w * c;
        // torch's bilinear lerps by another float32 formula; the other methods' oracles transcribe TensorFlow's own.
        double tol = interpolation switch { "nearest" => 0, "bilinear" => 1e-3, _ => 1e-5 }, maxDiff = 0;
        Assert.Equal(4, ds.Count);
        for (int b = 0; b < ds.Count; b++)
        {
            var batch = ds.GetBatch(b);
            Assert.Equal([Math.Min(5, 17 - b * 5), h, w, c], batch.X.Shape);
            Assert.Equal([batch.X.Shape[0], 3], batch.Y!.Shape);
            for (int i = 0; i < batch.X.BatchSize; i++)
            {
                int sample = b * 5 + i;
                for (int k = 0; k < size; k++)
                    maxDiff = Math.Max(maxDiff, Math.Abs(batch.X[i * size + k] - expected[sample * size + k]));
                for (int k = 0; k < 3; k++) Assert.Equal(k == ds.Labels![sample] ? 1f : 0f, batch.Y[i * 3 + k]);
            }
        }
        Assert.True(maxDiff <= tol, $"max difference {maxDiff}");
    }

    [Fact]
    public void ShuffledEpochsArePermutationsAndFitTrainsOnTheDataset()
    {
        var dir = Dir();
        var ds = Keras.Utils.ImageDatasetFromDirectory(dir, labelMode: "categorical", batchSize: 4, imageSize: (12, 12), seed: 3, output: TextWriter.Null);
        var first = ds.EpochOrder.ToArray();
        Assert.Equal(Enumerable.Range(0, 17), first.Order());
        ds.OnEpochEnd();
        Assert.Equal(Enumerable.Range(0, 17), ds.EpochOrder.Order());
        Assert.NotEqual(first, ds.EpochOrder);

        var m = new Sequential();
        m.Add(new Rescaling(1.0 / 255, inputShape: (12, 12, 3)));
        m.Add(new Flatten());
        m.Add(new Dense(3, activation: "softmax"));
        m.Compile("adam", "categorical_crossentropy", ["accuracy"]);
        m.ProgressOutput = new StringWriter();
        var h = m.Fit(ds, epochs: 2, verbose: 0);
        Assert.Equal(2, h.history["loss"].Count);
        Assert.All(h.history["loss"], v => Assert.True(double.IsFinite(v)));

        var sparse = Keras.Utils.ImageDatasetFromDirectory(dir, batchSize: 17, imageSize: (4, 4), shuffle: false, output: TextWriter.Null).GetBatch(0).Y!;
        Assert.Equal([17], sparse.Shape);
    }

    [Fact]
    public void RefusesWhatKerasRefusesAndWhatKerasNetLacks()
    {
        var dir = Dir();
        KerasNetException Refused(Action a) => Assert.Throws<KerasNetException>(a);
        Assert.Contains("exactly 2 class_names", Refused(() => Keras.Utils.ImageDatasetFromDirectory(dir, labelMode: "binary", output: TextWriter.Null)).Message);
        Assert.Contains("provide a `seed`", Refused(() => Keras.Utils.ImageDatasetFromDirectory(dir, validationSplit: 0.2, subset: "training")).Message);
        Assert.Contains("must be set, and inversely", Refused(() => Keras.Utils.ImageDatasetFromDirectory(dir, subset: "training")).Message);
        var unknown = Refused(() => Keras.Utils.ImageDatasetFromDirectory(dir, interpolation: "cubic")).Message;
        Assert.Contains("Expected values are [\"bilinear\", \"nearest\", \"bicubic\", \"area\", \"lanczos3\", \"lanczos5\", \"gaussian\", \"mitchellcubic\"]", unknown);
        Assert.Contains("label_mode", Refused(() => Keras.Utils.ImageDatasetFromDirectory(dir, labelMode: "sparse")).Message);
        Assert.Contains("class_names", Refused(() => Keras.Utils.ImageDatasetFromDirectory(dir, classNames: ["cats", "dogs"], output: TextWriter.Null)).Message);
        Assert.Contains("len(labels)", Refused(() => Keras.Utils.ImageDatasetFromDirectory(dir, labels: new[] { 0, 1 }, output: TextWriter.Null)).Message);
        Assert.Contains("ImageDatasetFromDirectorySplit", Refused(() => Keras.Utils.ImageDatasetFromDirectory(dir, validationSplit: 0.2, subset: "both", seed: 1)).Message);
        Assert.Contains("labels=\"inferred\"", Refused(() => Keras.Utils.ImageDatasetFromDirectory(dir, labels: "infered")).Message);
    }
}
