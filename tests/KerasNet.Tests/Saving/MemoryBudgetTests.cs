#nullable enable
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using KerasNet.Tests.Console;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>
/// A model from a file is checked against a memory budget (its weights plus every layer's output for one sample,
/// <see cref="KerasLimits.MaxModelBytes"/>) before its weights are read or any activation exists, and a .keras weights
/// entry is checked against the model its config describes, the limits and 64-bit sizes before it is inflated. The
/// memory a refusal costs is measured (bytes allocated by the loading thread).
/// </summary>
public sealed class MemoryBudgetTests
{
    private readonly string _dir = Oracle.TempDir();

    // A few kilobytes on disk: one 3x3 convolution whose output is 4096 x 4096 x 32 floats (2 GiB) per image.
    private static Sequential HugeActivationModel() =>
        new([new Conv2D(32, (3, 3), padding: "same", inputShape: (4096, 4096, 3), name: "wide_conv")]);

    private string HugeActivationFile()
    {
        string path = Path.Combine(_dir, "huge.h5");
        HugeActivationModel().Save(path);
        return path;
    }

    private static long Allocated(Action a)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        a();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void AnActivationBeyondTheBudgetIsRefusedAtLoadNamingTheLayerShapeAndBytes()
    {
        string path = HugeActivationFile();
        Assert.True(new FileInfo(path).Length < 64 << 10, $"{new FileInfo(path).Length} bytes");
        ModelConfigException? e = null;
        long allocated = Allocated(() => e = Assert.Throws<ModelConfigException>(() => Keras.LoadModel(path)));
        Assert.Contains("layer 'wide_conv' (Conv2D) outputs (None, 4096, 4096, 32), 2,147,483,648 bytes (2.0 GiB) per sample", e!.Message);
        Assert.Contains("memory budget of 2,147,483,648 bytes", e.Message);
        Assert.Contains("MaxModelBytes", e.Message);
        Assert.Contains("--max-model-memory", e.Message);
        Assert.True(allocated < 32 << 20, $"the refusal allocated {allocated / 1e6:F1} MB");

        // model_from_json of the same architecture is checked the same way.
        string json = HugeActivationModel().ToJson();
        Assert.Contains("wide_conv", Assert.Throws<ModelConfigException>(() => Keras.ModelFromJson(json)).Message);

        // Raised for a trusted model, it loads (nothing of the activation's size is allocated by loading).
        KerasContext.Current.Limits.MaxModelBytes = 4L << 30;
        long loading = Allocated(() => Assert.Equal(896, Keras.LoadModel(path).CountParams()));
        Assert.True(loading < 64 << 20, $"loading allocated {loading / 1e6:F1} MB");
    }

    [Fact]
    public void TheCliNamesTheLimitAndItsOptionRaisesIt()
    {
        string path = HugeActivationFile();
        CliRunner.AssertOneLineError(CliRunner.Run("summary", "--model", path), 1, "wide_conv", "(None, 4096, 4096, 32)", "--max-model-memory");
        var ok = CliRunner.Run("summary", "--model", path, "--max-model-memory", "4G");
        Assert.True(ok.ExitCode == 0, ok.Error);
        Assert.Contains("wide_conv (Conv2D)", ok.Out);
        // The model needs 7,168 bytes of weights and gradients + 201,326,592 of input + 2,147,483,648 of output =
        // 2,348,817,408 bytes: 2241 MiB (2,349,858,816) are enough, 2240 MiB (2,348,810,240) are not.
        Assert.Equal(0, CliRunner.Run("summary", "--model", path, "--max-model-memory", "2.5GiB").ExitCode);
        Assert.Equal(0, CliRunner.Run("summary", "--model", path, "--max-model-memory", "2241M").ExitCode);
        CliRunner.AssertOneLineError(CliRunner.Run("summary", "--model", path, "--max-model-memory", "2240M"), 1, "memory budget of 2,348,810,240 bytes");
        foreach (var bad in new[] { "lots", "-1G", "1e3", "0" })
            CliRunner.AssertOneLineError(CliRunner.Run("summary", "--model", path, "--max-model-memory", bad), 2, "--max-model-memory must be a positive size");
    }

    [Fact]
    public void WeightsCountTowardsTheBudget()
    {
        // 524,800 weights: 4.2 MB with their gradient buffers, charged as each weight is created (before it exists).
        var m = new Sequential([new Dense(512, inputShape: 1024, name: "big_dense")]);
        string path = Path.Combine(_dir, "dense.h5");
        m.Save(path);
        KerasContext.Current.Limits.MaxModelBytes = 1L << 20;
        ModelConfigException? e = null;
        long allocated = Allocated(() => e = Assert.Throws<ModelConfigException>(() => Keras.LoadModel(path)));
        Assert.Contains("layer 'big_dense' declares weight 'kernel' of shape (1024, 512), 4,194,304 bytes (4.0 MiB) with its gradient buffer", e!.Message);
        Assert.Contains("past the memory budget of 1,048,576 bytes (1.0 MiB)", e.Message);
        Assert.True(allocated < 2 << 20, $"the refusal allocated {allocated / 1e6:F1} MB");
        KerasContext.Current.Limits.MaxModelBytes = 5L << 20;
        Assert.Equal(524_800, Keras.LoadModel(path).CountParams());
    }

    private string SmallArchive()
    {
        var m = new Sequential([new Dense(2, inputShape: 4, name: "d")]);
        string path = Path.Combine(_dir, $"m{Guid.NewGuid():N}.keras");
        m.Save(path);
        return path;
    }

    [Fact]
    public void AWeightsEntryDeclaring2To31BytesIsAClearErrorNotAnOverflow()
    {
        string path = SmallArchive();
        PatchDeclaredSize(path, "model.weights.h5", 1u << 31);
        long allocated = 0;
        var e = Assert.Throws<InvalidModelFileException>(() => allocated = Allocated(() => Keras.LoadModel(path)));
        Assert.Contains("entry 'model.weights.h5' declares 2147483648 bytes", e.Message);
        Assert.Contains("need at most", e.Message);
        // Into a model built in code (LoadWeights) the same, sized by that model.
        var target = new Sequential([new Dense(2, inputShape: 4)]);
        Assert.Contains("declares 2147483648 bytes", Assert.Throws<InvalidModelFileException>(() => target.LoadWeights(path)).Message);
    }

    [Fact]
    public void AnInflatingWeightsEntryIsRefusedBeforeItIsInflated()
    {
        // A real deflated entry of 64 MiB (zeros, ~64 KB stored): within deflate's ratio, so only the model tells.
        string path = SmallArchive(), bomb = Path.Combine(_dir, "bomb.keras");
        using (var src = ZipFile.OpenRead(path))
        using (var dst = ZipFile.Open(bomb, ZipArchiveMode.Create))
        {
            foreach (var entry in src.Entries.Where(x => x.FullName != "model.weights.h5"))
            {
                using var from = entry.Open();
                using var to = dst.CreateEntry(entry.FullName).Open();
                from.CopyTo(to);
            }
            using var weights = dst.CreateEntry("model.weights.h5", CompressionLevel.Optimal).Open();
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 64; i++) weights.Write(zeros);
        }
        Assert.True(new FileInfo(bomb).Length < 1 << 20);
        InvalidModelFileException? e = null;
        long allocated = Allocated(() => e = Assert.Throws<InvalidModelFileException>(() => Keras.LoadModel(bomb)));
        Assert.Contains($"declares {64 << 20} bytes, but the weights of the model in config.json", e!.Message);
        Assert.True(allocated < 8 << 20, $"the refusal allocated {allocated / 1e6:F1} MB (the entry would inflate to 67 MB)");
    }

    [Fact]
    public void DeclaredSizesAreCheckedAgainstTheLimitAndTheRealData()
    {
        string path = SmallArchive();
        long weights = new ZipArchive(File.OpenRead(path)).GetEntry("model.weights.h5")!.Length;
        KerasContext.Current.Limits.MaxArchiveWeightsBytes = weights - 1;
        Assert.Contains($"more than the {weights - 1}-byte limit (KerasContext.Current.Limits.MaxArchiveWeightsBytes)", Assert.Throws<InvalidModelFileException>(() => Keras.LoadModel(path)).Message);
        KerasContext.Current.Limits.MaxArchiveWeightsBytes = KerasLimits.DefaultMaxArchiveWeightsBytes;
        Keras.LoadModel(path);

        // A header that claims fewer bytes than the entry holds: the copy stops at the claim and says so.
        string lying = SmallArchive();
        uint size = (uint)new ZipArchive(File.OpenRead(lying)).GetEntry("config.json")!.Length;
        PatchDeclaredSize(lying, "config.json", size - 10);
        Assert.Contains("holds more data than it declares", Assert.Throws<InvalidModelFileException>(() => Keras.LoadModel(lying)).Message);
    }

    /// <summary>Rewrites an entry's uncompressed size in its local header and in the central directory.</summary>
    private static void PatchDeclaredSize(string zipPath, string entry, uint size)
    {
        var b = File.ReadAllBytes(zipPath);
        var name = Encoding.UTF8.GetBytes(entry);
        bool patched = false;
        for (int i = 0; i + 46 <= b.Length; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i)) != 0x02014b50) continue; // central directory header
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(i + 28));
            if (!b.AsSpan(i + 46, nameLength).SequenceEqual(name)) continue;
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(i + 24), size);
            int local = (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i + 42));
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(local + 22), size);
            patched = true;
        }
        Assert.True(patched, $"{entry} not found in {zipPath}");
        File.WriteAllBytes(zipPath, b);
    }
}
