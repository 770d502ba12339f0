using KerasNet.Callbacks;
using KerasNet.Models;
using KerasNet.Tests.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Callbacks;

/// <summary>
/// ModelCheckpoint's save_freq in batches (tf.keras 2.4's _should_save_on_batch counting, worked out by hand below)
/// with weights-only files that LoadWeights reads, and EarlyStopping's start_from_epoch (Keras 2.11+).
/// </summary>
public class CheckpointFrequencyTests
{
    private static float[] Flat(Model m) => m.Weights.SelectMany(w => w.Value.ToArray()).ToArray();

    [Theory]
    [InlineData("ckpt-{epoch:02d}-{batch:03d}.weights.h5")]
    [InlineData("ckpt-{epoch:02d}-{batch:03d}.h5")]
    public void SavesEveryNBatchesAcrossEpochsAndTheWeightsLoadBack(string name)
    {
        KerasRandom.SetRandomSeed(8);
        var (x, y) = Synthetic.Bars(12);
        var m = Synthetic.SmallCnn();
        var dir = Oracle.TempDir();
        // 3 batches per epoch, save_freq=2: Keras counts 1, 2 (save after epoch 1's batch 2), 1 (epoch 2's batch 1
        // starts a new epoch: +1), 2 (save after epoch 2's batch 1), 1, 2 (save after epoch 2's batch 3), ...
        var ckpt = new ModelCheckpoint(Path.Combine(dir, name), saveWeightsOnly: true, saveFreq: 2, verbose: 1);
        var snapshots = new Dictionary<(int, int), float[]>();
        int epochNow = 0;
        m.Fit(x, y, batchSize: 4, epochs: 3, verbose: 0, shuffle: false, callbacks:
        [
            new LambdaCallback(onEpochBegin: (e, _) => epochNow = e, onBatchEnd: (b, _) => snapshots[(epochNow, b)] = Flat(m)),
            ckpt,
        ]);
        (int Epoch, int Batch)[] expected = [(0, 1), (1, 0), (1, 2), (2, 1)];
        Assert.Equal(expected.Select(e => Path.Combine(dir, name.Replace("{epoch:02d}", $"{e.Epoch + 1:00}").Replace("{batch:03d}", $"{e.Batch + 1:000}"))), ckpt.SavedPaths);
        var text = m.ProgressOutput!.ToString()!.ReplaceLineEndings("\n");
        foreach (var ((e, b), path) in expected.Zip(ckpt.SavedPaths))
        {
            var fresh = Synthetic.SmallCnn();
            fresh.LoadWeights(path);
            Assert.Equal(snapshots[(e, b)], Flat(fresh));
            Assert.Contains($"\nEpoch {e + 1:00000}: saving model to {path}\n", text);
        }
        Assert.Equal(expected.Length, Directory.GetFiles(dir).Length);
    }

    [Fact]
    public void SaveBestOnlyOnBatchesComparesTheRunningBatchLogs()
    {
        var m = Synthetic.SmallCnn();
        var path = Path.Combine(Oracle.TempDir(), "best.weights.h5");
        var ckpt = new ModelCheckpoint(path, monitor: "loss", saveBestOnly: true, saveWeightsOnly: true, saveFreq: 1) { Model = m };
        ckpt.OnEpochBegin(0, new Dictionary<string, double>());
        double[] loss = [0.9, 0.8, 0.85, 0.7];
        for (int b = 0; b < loss.Length; b++) ckpt.OnTrainBatchEnd(b, new Dictionary<string, double> { ["loss"] = loss[b] });
        ckpt.OnEpochEnd(0, new Dictionary<string, double> { ["loss"] = 0.1 }); // batch frequency: no epoch-end save
        Assert.Equal(3, ckpt.SavedPaths.Count);
        Assert.Equal(0.7, ckpt.Best);
    }

    [Fact]
    public void SaveFreqAcceptsKerasValuesOnly()
    {
        Assert.True(new ModelCheckpoint("a.h5", saveFreq: "epoch").SaveFreq.IsEpoch);
        Assert.Equal(5, new ModelCheckpoint("a.h5", saveFreq: 5).SaveFreq.Batches);
        Assert.Contains("save_freq", Assert.Throws<KerasNetException>(() => new ModelCheckpoint("a.h5", saveFreq: "batch")).Message);
        Assert.Contains("save_freq", Assert.Throws<KerasNetException>(() => new ModelCheckpoint("a.h5", saveFreq: 0)).Message);
    }

    [Fact]
    public void EarlyStoppingIgnoresTheWarmUpEpochs()
    {
        var m = Synthetic.SmallCnn();
        var es = new EarlyStopping(monitor: "val_loss", patience: 1, startFromEpoch: 2) { Model = m };
        es.OnTrainBegin(new Dictionary<string, double>());
        // Epochs 0 and 1 are not monitored: their low values neither set the best nor count.
        double[] v = [0.1, 0.2, 0.5, 0.4, 0.45];
        int stopped = -1;
        for (int e = 0; e < v.Length && stopped < 0; e++)
        {
            es.OnEpochEnd(e, new Dictionary<string, double> { ["val_loss"] = v[e] });
            if (m.StopTraining) stopped = e;
        }
        Assert.Equal(4, stopped);
        Assert.Equal(0.4, es.Best);
        Assert.Throws<KerasNetException>(() => new EarlyStopping(startFromEpoch: -1));
    }
}
