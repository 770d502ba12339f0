using KerasNet.Callbacks;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Callbacks;

public class ModelCheckpointTests
{
    private static float[] Flat(Model m) => m.Weights.SelectMany(w => w.Value.ToArray()).ToArray();

    [Fact]
    public void SavesEveryEpochUnderTheFormattedName()
    {
        KerasRandom.SetRandomSeed(31);
        var (x, y) = Synthetic.Bars(16);
        var m = Synthetic.SmallCnn();
        var dir = Oracle.TempDir();
        var snapshots = new List<float[]>();
        var ckpt = new ModelCheckpoint(Path.Combine(dir, "w.{epoch:02d}-{loss:.2f}.h5"), saveWeightsOnly: true, verbose: 1);
        var h = m.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0,
            callbacks: [new LambdaCallback(onEpochEnd: (_, _) => snapshots.Add(Flat(m))), ckpt]);
        Assert.Equal(3, ckpt.SavedPaths.Count);
        for (int e = 0; e < 3; e++)
        {
            string expected = Path.Combine(dir, $"w.{e + 1:00}-{((float)h.history["loss"][e]).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}.h5");
            Assert.Equal(expected, ckpt.SavedPaths[e]);
            Assert.True(File.Exists(expected));
            var fresh = Synthetic.SmallCnn();
            fresh.LoadWeights(expected);
            Assert.Equal(snapshots[e], Flat(fresh));
            Assert.Contains($"\nEpoch {e + 1:00000}: saving model to {expected}", m.ProgressOutput!.ToString()!.ReplaceLineEndings("\n"));
        }
    }

    [Fact]
    public void SaveBestOnlyKeepsTheBestEpochAndPrintsKerasMessages()
    {
        var m = Synthetic.SmallCnn();
        var path = Path.Combine(Oracle.TempDir(), "best.h5");
        var ckpt = new ModelCheckpoint(path, saveBestOnly: true, verbose: 1) { Model = m };
        double[] valLoss = [0.5, 0.6, 0.4, 0.4];
        var saved = new List<float[]>();
        for (int e = 0; e < valLoss.Length; e++)
        {
            foreach (var w in m.Weights) w.Value.Span.Fill(e + 1);
            ckpt.OnEpochEnd(e, new Dictionary<string, double> { ["loss"] = 1, ["val_loss"] = valLoss[e] });
        }
        Assert.Equal([path, path], ckpt.SavedPaths);
        Assert.Equal(0.4, ckpt.Best);
        var loaded = Keras.LoadModel(path);
        Assert.All(loaded.Weights, w => Assert.All(w.Value.ToArray(), v => Assert.Equal(3f, v))); // epoch index 2
        var nl = Environment.NewLine;
        Assert.Equal(
            $"{nl}Epoch 00001: val_loss improved from inf to 0.50000, saving model to {path}{nl}" +
            $"{nl}Epoch 00002: val_loss did not improve from 0.50000{nl}" +
            $"{nl}Epoch 00003: val_loss improved from 0.50000 to 0.40000, saving model to {path}{nl}" +
            $"{nl}Epoch 00004: val_loss did not improve from 0.40000{nl}",
            m.ProgressOutput!.ToString());
    }

    [Fact]
    public void AutoModeMaximisesAccuracyAndMissingMonitorSkips()
    {
        var m = Synthetic.SmallCnn();
        var dir = Oracle.TempDir();
        var ckpt = new ModelCheckpoint(Path.Combine(dir, "acc-{epoch}.h5"), monitor: "val_accuracy", saveBestOnly: true, saveWeightsOnly: true) { Model = m };
        double[] acc = [0.5, 0.7, 0.6, 0.9];
        for (int e = 0; e < acc.Length; e++) ckpt.OnEpochEnd(e, new Dictionary<string, double> { ["val_accuracy"] = acc[e] });
        Assert.Equal(new[] { "acc-1.h5", "acc-2.h5", "acc-4.h5" }, ckpt.SavedPaths.Select(Path.GetFileName));
        var minMode = new ModelCheckpoint(Path.Combine(dir, "min-{epoch}.h5"), monitor: "val_accuracy", mode: "min", saveBestOnly: true, saveWeightsOnly: true) { Model = m };
        for (int e = 0; e < acc.Length; e++) minMode.OnEpochEnd(e, new Dictionary<string, double> { ["val_accuracy"] = acc[e] });
        Assert.Equal(new[] { "min-1.h5" }, minMode.SavedPaths.Select(Path.GetFileName));
        var missing = new ModelCheckpoint(Path.Combine(dir, "x.h5"), saveBestOnly: true) { Model = m };
        missing.OnEpochEnd(0, new Dictionary<string, double> { ["loss"] = 1 });
        Assert.Empty(missing.SavedPaths);
        Assert.Throws<KerasNetException>(() => new ModelCheckpoint(Path.Combine(dir, "{val_loss}.h5")) { Model = m }
            .OnEpochEnd(0, new Dictionary<string, double> { ["loss"] = 1 }));
    }

    [Fact]
    public void FullModelCheckpointReloadsAndPredictsTheSame()
    {
        KerasRandom.SetRandomSeed(32);
        var (x, y) = Synthetic.Bars(16);
        var m = Synthetic.SmallCnn();
        var path = Path.Combine(Oracle.TempDir(), "model.h5");
        m.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, callbacks: [new ModelCheckpoint(path)]);
        var loaded = Keras.LoadModel(path);
        Assert.Equal(Flat(m), Flat(loaded));
        Assert.Equal(m.Predict(x).ToArray(), loaded.Predict(x).ToArray());
    }
}
