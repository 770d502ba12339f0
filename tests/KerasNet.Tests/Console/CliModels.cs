#nullable enable
using System.Globalization;
using System.Text.RegularExpressions;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Console;

/// <summary>Small models and arrays for the fit, featuremaps and multi-input predict tests, built through the API.</summary>
internal static class CliModels
{
    public const int H = 12, W = 10;

    /// <summary>
    /// A small CNN on (12, 10, 3) images with two classes: c1 (6 relu maps) -> pool -> c2 (3 linear maps) -> flatten -> softmax.
    /// Non-square so height and width cannot be swapped unnoticed. Seeded initial weights.
    /// </summary>
    public static Sequential SmallCnn(int seed)
    {
        KerasRandom.SetRandomSeed(seed);
        return new Sequential(
        [
            new Conv2D(6, (3, 3), inputShape: (H, W, 3), activation: "relu", name: "c1"),
            new MaxPooling2D(poolSize: (2, 2), name: "pool"),
            new Conv2D(3, (2, 2), name: "c2"), // linear, so no channel is a dead ReLU
            new Flatten(name: "flat"),
            new Dense(2, activation: "softmax", name: "out"),
        ], name: "small_cnn");
    }

    /// <summary>Images whose class is whether the left half is brighter than the right; one-hot targets.</summary>
    public static (Tensor X, Tensor Y) Images(int n, int seed)
    {
        var rng = new Random(seed);
        var x = new Tensor(n, H, W, 3);
        var y = new Tensor(n, 2);
        for (int i = 0; i < n; i++)
        {
            int cls = i % 2;
            for (int r = 0; r < H; r++)
                for (int c = 0; c < W; c++)
                    for (int ch = 0; ch < 3; ch++)
                    {
                        bool bright = (c < W / 2) == (cls == 0);
                        x[((i * H + r) * W + c) * 3 + ch] = (float)((bright ? 0.6 : 0.1) + 0.3 * rng.NextDouble());
                    }
            y[i * 2 + cls] = 1;
        }
        return (x, y);
    }

    /// <summary>Saves arrays under <paramref name="dir"/> and returns their paths.</summary>
    public static string SaveNpy(string dir, string name, Tensor t)
    {
        string path = Path.Combine(dir, name);
        Npy.Save(path, t);
        return path;
    }

    /// <summary>The "loss: X" value of every epoch line Keras printed.</summary>
    public static double[] EpochLosses(string output) =>
        Regex.Matches(output, @"step - loss: ([0-9.e+-]+)").Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();

    /// <summary>
    /// Two inputs and two outputs without merge layers: in_a (4,) -> dense_a -> out_a (softmax, 2), in_b (3,) ->
    /// out_b (linear, 1). Seeded initial weights.
    /// </summary>
    public static Model TwoBranch(int seed)
    {
        KerasRandom.SetRandomSeed(seed);
        var a = Keras.Input(4, name: "in_a");
        var b = Keras.Input(3, name: "in_b");
        var outA = new Dense(2, activation: "softmax", name: "out_a").Apply(new Dense(5, activation: "relu", name: "dense_a").Apply(a));
        var outB = new Dense(1, name: "out_b").Apply(b);
        return new Model([a, b], [outA, outB], name: "two_branch");
    }

    public static Tensor Random(int seed, params int[] shape)
    {
        var rng = new Random(seed);
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++) t[i] = (float)(rng.NextDouble() * 2 - 1);
        return t;
    }

    /// <summary>Asserts that two models hold bit-identical weights (or that they differ somewhere when <paramref name="equal"/> is false).</summary>
    public static void AssertSameWeights(Model expected, Model actual, bool equal = true)
    {
        var (we, wa) = (expected.Weights, actual.Weights);
        Assert.Equal(we.Count, wa.Count);
        bool same = true;
        for (int i = 0; i < we.Count; i++)
        {
            Assert.Equal(we[i].Shape, wa[i].Shape);
            if (equal) Assert.True(we[i].Value.Span.SequenceEqual(wa[i].Value.Span), $"weight {we[i].FullName} differs");
            else same &= we[i].Value.Span.SequenceEqual(wa[i].Value.Span);
        }
        if (!equal) Assert.False(same, "the weights are all identical");
    }
}
