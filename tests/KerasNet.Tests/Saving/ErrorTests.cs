#nullable enable
using System.IO.Compression;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>Bad model files and configs end in a KerasNetException that names the file and the problem.</summary>
public class ErrorTests
{
    private static string SavedModel(string name = "m.h5")
    {
        var path = Path.Combine(Oracle.TempDir(), name);
        SavingTestUtil.SmallCnn().Save(path);
        return path;
    }

    [Theory]
    [InlineData(50)]
    [InlineData(2000)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void TruncatedH5NamesTheFile(double keep)
    {
        var path = SavedModel();
        var bytes = File.ReadAllBytes(path);
        int n = keep > 1 ? (int)keep : (int)(bytes.Length * keep);
        File.WriteAllBytes(path, bytes[..n]);
        var e = Assert.ThrowsAny<KerasNetException>(() => Keras.LoadModel(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void RandomBytesAreNotHdf5()
    {
        var path = Path.Combine(Oracle.TempDir(), "noise.h5");
        var bytes = new byte[4096];
        new Random(3).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsAny<KerasNetException>(() => Keras.LoadModel(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not an HDF5 file", e.Message);
        Assert.Contains("file not found", Assert.ThrowsAny<KerasNetException>(() => Keras.LoadModel(path + ".missing")).Message);
    }

    [Fact]
    public void UnknownLayerClassAndMissingFieldAreNamed()
    {
        var json = SavingTestUtil.SmallCnn().ToJson();
        var e = Assert.ThrowsAny<KerasNetException>(() => Keras.ModelFromJson(json.Replace("\"MaxPooling2D\"", "\"MaxPooling3D\"")));
        Assert.Contains("unknown layer class 'MaxPooling3D'", e.Message);
        Assert.Contains("max_pooling2d", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => Keras.ModelFromJson(json.Replace("\"units\": 6, ", "")));
        Assert.Contains("missing field 'units'", e.Message);
        Assert.Contains("'dense'", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => Keras.ModelFromJson(json.Replace("\"units\": 6, ", "\"units\": 2000000000, ")));
        Assert.Contains("'dense'", e.Message);
        Assert.Contains("weights", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => Keras.ModelFromJson(json.Replace("\"pool_size\": [2, 2]", "\"pool_size\": [20, 20]")));
        Assert.Contains("'max_pooling2d'", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => Keras.ModelFromJson(json[..(json.Length / 2)]));
        Assert.Contains("invalid JSON", e.Message);
        e = Assert.ThrowsAny<KerasNetException>(() => Keras.ModelFromJson("{\"class_name\": \"Functional\", \"config\": {}}"));
        Assert.Contains("'Functional'", e.Message);
    }

    [Fact]
    public void KerasArchiveWithTraversalOrMissingEntriesIsRefused()
    {
        var good = SavedModel("ok.keras");
        byte[] Entry(string n) => SavingTestUtil.ReadEntry(good, n);
        var (meta, config, weights) = (Entry("metadata.json"), Entry("config.json"), Entry("model.weights.h5"));

        var traversal = SavingTestUtil.WriteArchive(Path.Combine(Oracle.TempDir(), "bad.keras"), ("metadata.json", meta), ("config.json", config), ("model.weights.h5", weights), ("../../evil.sh", [1, 2]));
        var e = Assert.ThrowsAny<KerasNetException>(() => Keras.LoadModel(traversal));
        Assert.Contains("path traversal", e.Message);
        Assert.Contains("../../evil.sh", e.Message);

        var missing = SavingTestUtil.WriteArchive(Path.Combine(Oracle.TempDir(), "bad.keras"), ("metadata.json", meta), ("config.json", config));
        e = Assert.ThrowsAny<KerasNetException>(() => Keras.LoadModel(missing));
        Assert.Contains("no 'model.weights.h5' entry", e.Message);
        Assert.Contains(missing, e.Message);

        var notZip = Path.Combine(Oracle.TempDir(), "plain.keras");
        File.WriteAllText(notZip, "{}");
        Assert.Contains("not a valid .keras", Assert.ThrowsAny<KerasNetException>(() => Keras.LoadModel(notZip)).Message);
    }

    [Theory]
    [InlineData("w.h5")]
    [InlineData("w.weights.h5")]
    public void WeightsOfAnotherArchitectureNameLayerAndShapes(string file)
    {
        var path = Path.Combine(Oracle.TempDir(), file);
        SavingTestUtil.SmallCnn().SaveWeights(path);
        KerasBackend.ClearSession();
        var other = new Sequential();
        other.Add(new Conv2D(4, (3, 3), inputShape: (8, 8, 1), activation: "relu"));
        other.Add(new MaxPooling2D(poolSize: (2, 2)));
        other.Add(new Conv2D(5, (2, 2), padding: "same"));
        other.Add(new Activation("relu"));
        other.Add(new Flatten());
        other.Add(new Dropout(0.25));
        other.Add(new Dense(7, activation: "relu"));
        other.Add(new Dense(3, activation: "softmax"));
        var before = SavingTestUtil.AllWeights(other);
        var e = Assert.ThrowsAny<ShapeMismatchException>(() => other.LoadWeights(path));
        Assert.Contains("'dense'", e.Message);
        Assert.Contains(ShapeUtil.Format([45, 7]), e.Message);
        Assert.Contains(ShapeUtil.Format([45, 6]), e.Message);
        Assert.Contains(path, e.Message);
        // Nothing was assigned: the first layers fit but the load is all or nothing.
        Assert.Equal(before, SavingTestUtil.AllWeights(other));
    }

    [SkippableFact]
    public void AbsurdDeclaredSizeIsRefusedBeforeAllocating()
    {
        Oracle.RequirePython("h5py");
        var path = Path.Combine(Oracle.TempDir(), "huge.h5");
        // h5py allocates contiguous storage lazily, so the file is tiny but declares a 4 TB kernel.
        Oracle.RunPythonCode("""
            import h5py, sys
            with h5py.File(sys.argv[1], "w") as f:
                f.attrs["layer_names"] = [b"dense"]
                g = f.create_group("dense")
                g.attrs["weight_names"] = [b"dense/kernel:0"]
                g.create_dataset("dense/kernel:0", shape=(1 << 20, 1 << 20), dtype="f4")
            """, path);
        Assert.True(new FileInfo(path).Length < 100_000);
        KerasBackend.ClearSession();
        var m = new Sequential([new Dense(4, inputShape: 3)]);
        var e = Assert.ThrowsAny<KerasNetException>(() => m.LoadWeights(path));
        Assert.Contains("dense/kernel:0", e.Message);
        Assert.Contains(path, e.Message);
    }
}
