#nullable enable
using System.IO.Compression;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Tests.Saving;

/// <summary>Small models, data and comparisons shared by the saving tests.</summary>
internal static class SavingTestUtil
{
    /// <summary>A small CNN with every saved layer kind (8x8x1 input, 3 classes).</summary>
    public static Sequential SmallCnn(string optimizer = "adam", double dropout = 0.25)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(1234);
        var m = new Sequential();
        m.Add(new Conv2D(4, (3, 3), inputShape: (8, 8, 1), activation: "relu"));
        m.Add(new MaxPooling2D(poolSize: (2, 2)));
        m.Add(new Conv2D(5, (2, 2), padding: "same"));
        m.Add(new Activation("relu"));
        m.Add(new Flatten());
        m.Add(new Dropout(dropout));
        m.Add(new Dense(6, activation: "relu"));
        m.Add(new Dense(3, activation: "softmax"));
        m.Compile(optimizer: optimizer, loss: "categorical_crossentropy", metrics: ["accuracy"]);
        return m;
    }

    /// <summary>Writes a zip with the given entries (for hand-made, broken .keras archives).</summary>
    public static string WriteArchive(string path, params (string Name, byte[] Data)[] entries)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, data) in entries)
        {
            using var s = zip.CreateEntry(name).Open();
            s.Write(data);
        }
        return path;
    }

    /// <summary>The bytes of one entry of a zip.</summary>
    public static byte[] ReadEntry(string zipPath, string name)
    {
        using var z = ZipFile.OpenRead(zipPath);
        using var ms = new MemoryStream();
        z.GetEntry(name)!.Open().CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>Deterministic inputs in [0, 1) and one-hot targets.</summary>
    public static (Tensor X, Tensor Y) Data(int n, int seed = 7)
    {
        var rng = new Random(seed);
        var x = new Tensor(n, 8, 8, 1);
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        var y = new Tensor(n, 3);
        for (int i = 0; i < n; i++) y[i * 3 + rng.Next(3)] = 1;
        return (x, y);
    }

    public static float[] AllWeights(Model m) => m.Weights.SelectMany(w => w.Value.ToArray()).ToArray();

    public static void AssertBitEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} differs: {expected[i]:R} vs {actual[i]:R}");
    }

    public static void AssertClose(Tensor expected, Tensor actual, double tol, string what)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        Assert.True(worst <= tol, $"{what}: max abs difference {worst:E3} > {tol:E0}");
    }

    /// <summary>config.json of a .keras archive, or the text of a JSON file.</summary>
    public static string ReadConfig(string path)
    {
        if (!path.EndsWith(".keras", StringComparison.Ordinal)) return File.ReadAllText(path);
        using var zip = ZipFile.OpenRead(path);
        using var r = new StreamReader(zip.GetEntry("config.json")!.Open());
        return r.ReadToEnd();
    }
}
