#nullable enable
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Bench;

/// <summary>
/// The speed issue's workload: the tutorial CNN on 216 synthetic 64x64x3 images at batch 8 plus 54 validation
/// images at batch 1. Data and weights come from fixed seeds, so every run (and pytorch_epoch.py) sees the same work.
/// </summary>
internal static class Workload
{
    public const int TrainSamples = 216, ValSamples = 54, BatchSize = 8, Side = 64, Channels = 3;

    public static Sequential BuildModel(int seed = 1)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(seed);
        var network = Applications.TutorialCnn.Build(Side, Channels);
        network.Compile(optimizer: "Adam", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        network.ProgressOutput = TextWriter.Null;
        return network;
    }

    /// <summary>Two classes whose pixel levels differ by 0.2, uniform noise of width 0.5 (the smoke test's data).</summary>
    public static (Tensor x, Tensor y) MakeData(int samples, int seed)
    {
        var rng = new Random(seed);
        int size = Side * Side * Channels;
        var x = new Tensor(samples, Side, Side, Channels);
        var y = new Tensor(samples, 2);
        for (int i = 0; i < samples; i++)
        {
            int c = i % 2;
            y[i * 2 + c] = 1;
            for (int j = 0; j < size; j++) x[i * size + j] = (float)rng.NextDouble() * 0.5f + c * 0.2f;
        }
        return (x, y);
    }

    public static ArraySequence TrainSequence() { var (x, y) = MakeData(TrainSamples, 0); return new ArraySequence(x, y, BatchSize, shuffle: true); }

    public static ArraySequence ValSequence() { var (x, y) = MakeData(ValSamples, 1); return new ArraySequence(x, y, 1); }
}
