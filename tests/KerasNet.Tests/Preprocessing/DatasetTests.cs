#nullable enable
using System.Buffers.Binary;
using KerasNet.Preprocessing.Image;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Preprocessing;

/// <summary>The committed data/homer_bart_2 folder has the tutorial's layout, counts and file format, and stays small.</summary>
public sealed class DatasetTests
{
    [SkippableFact]
    public void TutorialDatasetHasTheLayoutCountsAndFormat()
    {
        var root = Path.Combine(Oracle.RepoRoot, "data", "homer_bart_2");
        Oracle.RequireOracle(Directory.Exists(root), $"{root} is not present (generate it with src/KerasNet.DataGen).");
        var train = new ImageDataGenerator(rescale: 1.0 / 255).FlowFromDirectory(Path.Combine(root, "training_set"),
            targetSize: (64, 64), batchSize: 8, output: TextWriter.Null);
        var test = new ImageDataGenerator(rescale: 1.0 / 255).FlowFromDirectory(Path.Combine(root, "test_set"),
            targetSize: (64, 64), batchSize: 1, shuffle: false, output: TextWriter.Null);
        Assert.Equal(new Dictionary<string, int> { ["bart"] = 0, ["homer"] = 1 }, train.ClassIndices);
        Assert.Equal(215, train.Samples);
        Assert.Equal(54, test.Samples);
        Assert.Equal(27, train.Count);

        var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories);
        long total = 0;
        int odd = 0;
        foreach (var f in files)
        {
            var b = File.ReadAllBytes(f);
            total += b.Length;
            Assert.True(b.Length < 1_000_000, f);
            Assert.Equal((byte)'B', b[0]);
            Assert.Equal(24, BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(28)));
            Assert.True(BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(22)) > 0, $"{f} is not stored bottom-up");
            int w = BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(18));
            Assert.InRange(w, 128, 608);
            odd += w & 1;
            Assert.Equal(new[] { BinaryPrimitives.ReadInt32LittleEndian(b.AsSpan(22)), w, 3 }, ImageLoader.Load(f).Shape);
        }
        Assert.Equal(269, files.Length);
        Assert.True(total < 6_000_000, $"{total} bytes");
        Assert.InRange(odd, 60, 209);
        for (int b = 0; b < train.Count; b++) train.GetBatch(b);
    }
}
