#nullable enable
using KerasNet;
using KerasNet.Callbacks;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Preprocessing.Image;

namespace KerasNet.DataGen;

/// <summary>
/// Trains the tutorial's network on the generated folders with the tutorial's generators, seeded as
/// <c>kerasnet train --seed N</c> seeds them (global seed and the training flow's shuffle), to check the difficulty.
/// </summary>
internal static class TutorialCheck
{
    public static void Run(string dataDir, int epochs, int seed)
    {
        KerasRandom.SetRandomSeed(seed);
        var network = KerasNet.Applications.TutorialCnn.Build();
        network.Compile(optimizer: "Adam", loss: "categorical_crossentropy", metrics: ["accuracy"]);

        var trainGen = new ImageDataGenerator(rescale: 1.0 / 255, rotationRange: 7, horizontalFlip: true, zoomRange: 0.2);
        var train = trainGen.FlowFromDirectory(Path.Combine(dataDir, "training_set"), targetSize: (64, 64), batchSize: 8, classMode: "categorical", shuffle: true, seed: seed);
        var testGen = new ImageDataGenerator(rescale: 1.0 / 255);
        var test = testGen.FlowFromDirectory(Path.Combine(dataDir, "test_set"), targetSize: (64, 64), batchSize: 1, classMode: "categorical", shuffle: false);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var history = network.Fit(train, epochs: epochs, verbose: 0, validationData: test, callbacks: [new EpochPrinter(sw)]);
        // The issue's criterion: the mean validation accuracy over the last ten epochs (41-50 of 50).
        var val = history.history["val_accuracy"];
        int tail = Math.Min(10, val.Count);
        Console.WriteLine($"SEED {seed} mean_val_acc_last{tail} {val.Skip(val.Count - tail).Average():F4} final {val[^1]:F4} " +
            $"epoch10 {val[Math.Min(9, val.Count - 1)]:F4} max {val.Max():F4}");
        Console.WriteLine($"Training: {sw.Elapsed.TotalSeconds:F1} s; batch building {train.LoadSeconds:F2} s (waited {train.WaitSeconds:F2} s) for training, {test.LoadSeconds:F2} s for validation.");
    }

    private sealed class EpochPrinter(System.Diagnostics.Stopwatch sw) : Callback
    {
        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) =>
            Console.WriteLine($"epoch {epoch + 1,3}: loss {logs["loss"]:F4} acc {logs["accuracy"]:F4} val_loss {logs["val_loss"]:F4} val_acc {logs["val_accuracy"]:F4} ({sw.Elapsed.TotalSeconds:F0} s)");
    }
}
