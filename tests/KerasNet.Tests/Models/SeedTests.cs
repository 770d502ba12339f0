using KerasNet.Data;
using KerasNet.Engine;

namespace KerasNet.Tests.Models;

public class SeedTests
{
    /// <summary>Initialisation, shuffling and dropout under one global seed, two epochs.</summary>
    private static float[] FullRun(int seed)
    {
        KerasRandom.SetRandomSeed(seed);
        var (x, y) = Synthetic.Bars(48, seed: 5);
        var m = Synthetic.SmallCnn(dropout: true);
        m.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, shuffle: true);
        return m.Weights.SelectMany(w => w.Value.ToArray()).ToArray();
    }

    [Fact]
    public void SameSeedGivesBitIdenticalWeightsAndDifferentSeedsDiffer()
    {
        var a = FullRun(123);
        var b = FullRun(123);
        Assert.Equal(a.Select(BitConverter.SingleToInt32Bits), b.Select(BitConverter.SingleToInt32Bits));
        var c = FullRun(124);
        Assert.NotEqual(a, c);
    }

    /// <summary>Training on an augmenting, shuffling ImageDataGenerator flow with dropout, under one global seed.</summary>
    private static float[] AugmentedRun(int seed)
    {
        KerasRandom.SetRandomSeed(seed);
        var (x, y) = Synthetic.Bars(24, seed: 6);
        var gen = new KerasNet.Preprocessing.Image.ImageDataGenerator(rotationRange: 10, widthShiftRange: 0.1, horizontalFlip: true);
        var m = Synthetic.SmallCnn(dropout: true);
        m.Fit(gen.Flow(x, y, batchSize: 8), epochs: 2, verbose: 0);
        return m.Weights.SelectMany(w => w.Value.ToArray()).ToArray();
    }

    [Fact]
    public void SameSeedRepeatsTrainingOnAugmentedBatches()
    {
        var a = AugmentedRun(55);
        Assert.Equal(a.Select(BitConverter.SingleToInt32Bits), AugmentedRun(55).Select(BitConverter.SingleToInt32Bits));
        Assert.NotEqual(a, AugmentedRun(56));
    }

    [Fact]
    public void EachRandomSourceRepeatsUnderTheSeed()
    {
        float[] Init(int s) { KerasRandom.SetRandomSeed(s); return Synthetic.SmallCnn().Weights.SelectMany(w => w.Value.ToArray()).ToArray(); }
        Assert.Equal(Init(5), Init(5));
        Assert.NotEqual(Init(5), Init(6));

        int[] Order(int s)
        {
            KerasRandom.SetRandomSeed(s);
            var ids = new Tensor(20, 1);
            for (int i = 0; i < 20; i++) ids[i] = i;
            var seq = new ArraySequence(ids, null, 20, shuffle: true);
            seq.OnEpochEnd();
            return seq.GetBatch(0).X.ToArray().Select(v => (int)v).ToArray();
        }
        Assert.Equal(Order(9), Order(9));
        Assert.NotEqual(Order(9), Order(10));
        Assert.NotEqual(Enumerable.Range(0, 20), Order(9));

        float[] Mask(int s)
        {
            KerasRandom.SetRandomSeed(s);
            var d = new KerasNet.Layers.Dropout(0.5);
            d.Build([50]);
            var ones = new Tensor(4, 50);
            ones.Span.Fill(1);
            return d.Call(ones, training: true).ToArray();
        }
        Assert.Equal(Mask(3), Mask(3));
        Assert.NotEqual(Mask(3), Mask(4));

        // Re-seeding also repeats the masks of a layer that already exists (as keras.utils.set_random_seed does).
        var existing = new KerasNet.Layers.Dropout(0.5);
        existing.Build([50]);
        var input = new Tensor(2, 50);
        input.Span.Fill(1);
        KerasRandom.SetRandomSeed(3);
        var first = existing.Call(input, training: true).ToArray();
        KerasRandom.SetRandomSeed(3);
        Assert.Equal(first, existing.Call(input, training: true).ToArray());

        double Augment(int s) { KerasRandom.SetRandomSeed(s); return KerasRandom.Stream("augment").NextDouble(); }
        Assert.Equal(Augment(8), Augment(8));
        Assert.NotEqual(Augment(8), Augment(9));
    }
}
