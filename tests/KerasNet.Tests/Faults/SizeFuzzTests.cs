#nullable enable
using System.Buffers.Binary;
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Saving;
using KerasNet.Tests.Saving;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Faults;

/// <summary>
/// The fuzzers of <see cref="FuzzTests"/> aimed at sizes: .keras archives whose entries declare random sizes
/// (uncompressed and stored, in the local header, the central directory or both), and model configs whose shapes,
/// filter and unit counts are scaled up at random so their activations range from kilobytes to exabytes. Every
/// case must load or end in a KerasNetException within the deadline and without allocating more than 256 MB; a config
/// that loads must be within the memory budget.
/// </summary>
public sealed class SizeFuzzTests(ITestOutputHelper output)
{
    private readonly string _dir = Oracle.TempDir();

    [Fact]
    public void ArchiveEntriesDeclaringRandomSizes()
    {
        var m = SavingTestUtil.SmallCnn();
        var (x, y) = SavingTestUtil.Data(8);
        m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        string path = Path.Combine(_dir, "m.keras");
        m.Save(path);
        var seed = File.ReadAllBytes(path);
        var headers = CentralHeaders(seed);
        Assert.Equal(3, headers.Count);
        var rng = new Random(141);
        uint[] interesting = [0, 1, 1023, 1u << 20, int.MaxValue, 1u << 31, uint.MaxValue - 1, uint.MaxValue];
        var fuzz = new FuzzHarness(".keras sizes", output);
        string target = Path.Combine(_dir, "x.keras");
        for (int i = 0; i < 400; i++)
        {
            var bytes = (byte[])seed.Clone();
            var (central, local, realSize) = headers[rng.Next(headers.Count)];
            uint value = rng.Next(3) switch
            {
                0 => interesting[rng.Next(interesting.Length)],
                1 => (uint)Math.Max(0, realSize + rng.Next(-2, 3)),
                _ => (uint)rng.NextInt64(0, 1L << 32),
            };
            int field = rng.Next(2) == 0 ? 24 : 20; // uncompressed or compressed size
            string where = rng.Next(3) switch { 0 => "central", 1 => "local", _ => "both" };
            if (where != "local") BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(central + field), value);
            if (where != "central") BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(local + field - 2), value);
            fuzz.Case($"#{i} {(field == 24 ? "uncompressed" : "compressed")} size {value} in {where}", () =>
            {
                File.WriteAllBytes(target, bytes);
                var loaded = Keras.LoadModel(target);
                loaded.Predict(new Tensor([1, .. loaded.InputShape!]));
            }, bytes);
        }
        fuzz.AssertClean();
    }

    [Fact]
    public void ConfigsWithRandomlyScaledActivations()
    {
        var baseModel = new Sequential(
        [
            new Conv2D(8, (3, 3), padding: "same", inputShape: (16, 16, 3), name: "c"),
            new Flatten(name: "f"),
            new Dense(4, name: "d"),
        ]);
        var json = JsonNode.Parse(baseModel.ToJson())!.AsObject();
        var rng = new Random(142);
        // A budget below the harness's 256 MB allocation bound: what loads allocates at most about that much.
        KerasContext.Current.Limits.MaxModelBytes = 128L << 20;
        var fuzz = new FuzzHarness("activation sizes", output);
        int loaded = 0;
        for (int i = 0; i < 300; i++)
        {
            var config = (JsonObject)json.DeepClone();
            var layers = config["config"]!["layers"]!.AsArray();
            int h = Scale(rng, 16), w = Scale(rng, 16), filters = Scale(rng, 8), units = Scale(rng, 4);
            foreach (var layer in layers)
            {
                var c = layer!["config"]!.AsObject();
                if (c["batch_input_shape"] is JsonArray shape) { shape[1] = h; shape[2] = w; }
                if (c.ContainsKey("filters")) c["filters"] = filters;
                if (c.ContainsKey("units")) c["units"] = units;
            }
            string text = config.ToJsonString();
            fuzz.Case($"#{i} input ({h}, {w}, 3), {filters} filters, {units} units", () =>
            {
                var m = Keras.ModelFromJson(text);
                long need = MemoryBudget.WeightBytes(m) + MemoryBudget.Activations(m).Sum(a => a.Bytes);
                Assert.True(need <= KerasContext.Current.Limits.MaxModelBytes, $"loaded a model needing {need} bytes");
                loaded++;
            });
        }
        fuzz.AssertClean();
        output.WriteLine($"{loaded} of 300 configs were within the budget and loaded");
        Assert.InRange(loaded, 10, 290); // both sides of the budget were reached
    }

    // The original size times a power of two (often a small one, so both sides of the budget are reached), sometimes an extreme value.
    private static int Scale(Random r, int original) => r.Next(10) switch
    {
        0 => int.MaxValue,
        1 => 1 << r.Next(31),
        < 6 => original << r.Next(0, 3),
        _ => original << r.Next(0, 15),
    };

    // (central directory header offset, local header offset, uncompressed size) of every entry.
    private static List<(int Central, int Local, long Size)> CentralHeaders(byte[] b)
    {
        var result = new List<(int, int, long)>();
        for (int i = 0; i + 46 <= b.Length; i++)
            if (BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i)) == 0x02014b50)
                result.Add((i, (int)BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i + 42)), BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(i + 24))));
        return result;
    }
}
