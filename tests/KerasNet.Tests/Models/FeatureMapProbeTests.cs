#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.Console;

namespace KerasNet.Tests.Models;

/// <summary>
/// <see cref="FeatureMapProbe"/>: its maps equal the layers' outputs computed by calling the layers one after the
/// other (no Functional model involved), from one thread or several at once, and its grey tiles equal matplotlib's
/// <c>imshow(cmap='gray')</c> levels as the featuremaps command's tests transcribe them.
/// </summary>
public sealed class FeatureMapProbeTests
{
    private static (Sequential Network, Tensor X) Setup()
    {
        var network = CliModels.SmallCnn(seed: 3);
        var (x, _) = CliModels.Images(3, seed: 4);
        return (network, x);
    }

    private static Dictionary<string, Tensor> Eager(Sequential network, Tensor x)
    {
        var result = new Dictionary<string, Tensor>();
        foreach (var layer in network.Layers)
        {
            x = layer.Call(x);
            result[layer.Name] = x;
        }
        return result;
    }

    [Fact]
    public void ProbesEveryConv2DLayerByDefaultAndEqualsTheLayersCalledInTurn()
    {
        var (network, x) = Setup();
        var probe = new FeatureMapProbe(network);
        Assert.Equal(["c1", "c2"], probe.Layers.Select(l => l.Name).ToArray());
        Assert.Same(network, probe.Model);
        var maps = probe.Compute(x);
        var eager = Eager(network, x);
        Assert.Equal(2, maps.Count);
        for (int i = 0; i < maps.Count; i++)
        {
            var expected = eager[probe.Layers[i].Name];
            Assert.Equal(expected.Shape, maps[i].Shape);
            var a = maps[i].ToArray();
            var e = expected.ToArray();
            for (int j = 0; j < a.Length; j++) Assert.True(Math.Abs(a[j] - e[j]) <= 1e-5f * (1 + Math.Abs(e[j])), $"{probe.Layers[i].Name}[{j}]: {a[j]} vs {e[j]}");
        }
        // The results are copies: the next call does not overwrite them.
        var before = maps[0].ToArray();
        probe.Compute(x);
        Assert.Equal(before, maps[0].ToArray());
    }

    [Fact]
    public void NamedLayersKeepTheirOrderAndAnswerTheSameFromManyThreads()
    {
        var (network, x) = Setup();
        var probe = new FeatureMapProbe(network, FeatureMapProbe.NamedLayers(network, ["pool", "c1", "pool"]));
        Assert.Equal(["pool", "c1"], probe.Layers.Select(l => l.Name).ToArray());
        var alone = probe.Compute(x).Select(t => t.ToArray()).ToArray();
        var results = new float[8][][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            for (int round = 0; round < 5; round++) results[i] = probe.Compute(x).Select(t => t.ToArray()).ToArray();
        });
        foreach (var r in results)
            for (int k = 0; k < alone.Length; k++) Assert.Equal(alone[k], r[k]);
    }

    [Fact]
    public void RefusesLayersWithoutMapsUnknownNamesForeignLayersAndModelsWithoutConv2D()
    {
        var (network, _) = Setup();
        var e = Assert.Throws<KerasNetException>(() => FeatureMapProbe.NamedLayers(network, ["flat"]));
        Assert.Contains("'flat'", e.Message);
        Assert.Contains("not feature maps", e.Message);
        e = Assert.Throws<KerasNetException>(() => FeatureMapProbe.NamedLayers(network, ["nope"]));
        Assert.Contains("no layer named 'nope'", e.Message);
        Assert.Contains("c1, pool, c2, flat, out", e.Message);
        var other = CliModels.SmallCnn(seed: 9);
        e = Assert.Throws<KerasNetException>(() => new FeatureMapProbe(network, [other.Layers[0]]));
        Assert.Contains("is not a layer of model", e.Message);
        var dense = new Sequential([new Dense(3, inputShape: 4)]);
        e = Assert.Throws<KerasNetException>(() => new FeatureMapProbe(dense));
        Assert.Contains("no Conv2D layer", e.Message);
        Assert.Empty(FeatureMapProbe.Conv2DLayers(dense));
    }

    [Fact]
    public void GreyTilesAreImshowsLevelsPerChannelWithConstantAndNaNChannelsBlack()
    {
        // (1, 3, 4, 3): channel 0 a ramp, channel 1 constant (a dead ReLU), channel 2 a ramp with a NaN and a negative.
        var maps = new Tensor(1, 3, 4, 3);
        for (int i = 0; i < 12; i++)
        {
            maps[i * 3] = i * 0.5f;
            maps[i * 3 + 1] = 2f;
            maps[i * 3 + 2] = i == 5 ? float.NaN : 3 - i;
        }
        var tiles = FeatureMapProbe.GreyTiles(maps);
        Assert.Equal(36, tiles.Length);
        for (int k = 0; k < 3; k++)
            for (int y = 0; y < 3; y++)
                for (int x = 0; x < 4; x++)
                {
                    byte expected = k == 2 && y * 4 + x == 5 ? (byte)0 : Gray(maps, y, x, k);
                    Assert.Equal(expected, tiles[(k * 3 + y) * 4 + x]);
                }
        Assert.Equal(255, tiles[11]); // a channel's maximum is the table's last entry
        Assert.Equal(0, tiles[0]);
        Assert.All(tiles.AsSpan(12, 12).ToArray(), v => Assert.Equal(0, v));
        var e = Assert.Throws<KerasNetException>(() => FeatureMapProbe.GreyTile(maps, 3, new byte[12]));
        Assert.Contains("channel must be 0 to 2", e.Message);
        e = Assert.Throws<KerasNetException>(() => FeatureMapProbe.GreyTile(maps, 0, new byte[11]));
        Assert.Contains("destination must hold 12 bytes", e.Message);
        e = Assert.Throws<KerasNetException>(() => FeatureMapProbe.GreyTiles(new Tensor(3, 4)));
        Assert.Contains("(N, H, W, C)", e.Message);
    }

    /// <summary>The transcription, NaN left out of the min and max as matplotlib's masked normalisation does.</summary>
    private static byte Gray(Tensor maps, int y, int x, int channel)
    {
        int h = maps.Shape[1], w = maps.Shape[2], c = maps.Shape[3];
        bool any = Enumerable.Range(0, h * w).Any(i => float.IsNaN(maps[i * c + channel]));
        return any ? GrayIgnoringNaN(maps, y, x, channel) : FeatureMapsCommandTests.Gray(maps, y, x, channel);
    }

    private static byte GrayIgnoringNaN(Tensor maps, int y, int x, int channel)
    {
        int h = maps.Shape[1], w = maps.Shape[2], c = maps.Shape[3];
        var values = Enumerable.Range(0, h * w).Select(i => (double)maps[i * c + channel]).Where(v => !double.IsNaN(v)).ToArray();
        double min = values.Min(), max = values.Max();
        return max == min ? (byte)0 : (byte)Math.Min(255, Math.Floor((maps[(y * w + x) * c + channel] - min) / (max - min) * 256));
    }
}
