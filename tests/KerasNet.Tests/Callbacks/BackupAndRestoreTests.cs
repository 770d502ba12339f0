using KerasNet.Callbacks;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Callbacks;

/// <summary>
/// BackupAndRestore: a fit interrupted (an exception between epochs, or in the middle of an epoch as a kill would
/// leave it) and run again with a fresh model and optimizer ends with weights bit-identical to an uninterrupted fit's.
/// The oracle is the uninterrupted run itself: the same arithmetic with no interruption.
/// </summary>
public class BackupAndRestoreTests
{
    private sealed class Interrupt(string message) : Exception(message);

    private static float[] Flat(Model m) => m.Weights.SelectMany(w => w.Value.ToArray()).ToArray();

    private static Sequential Net(int seed, Func<Optimizer> optimizer)
    {
        KerasRandom.SetRandomSeed(seed);
        var m = new Sequential();
        m.Add(new Conv2D(3, (3, 3), inputShape: (8, 8, 1), activation: "relu"));
        m.Add(new Flatten());
        m.Add(new Dense(2, activation: "softmax"));
        m.Compile(optimizer(), "categorical_crossentropy", ["accuracy"]);
        m.ProgressOutput = new StringWriter();
        return m;
    }

    public static TheoryData<string, bool> Cases => new()
    {
        { "adam", false }, { "adam", true }, { "sgd", false }, { "sgd", true },
    };

    private static Func<Optimizer> OptimizerFor(string name) => name == "adam" ? () => new Adam(0.01) : () => new SGD(0.05, momentum: 0.9, nesterov: true);

    [Theory]
    [MemberData(nameof(Cases))]
    public void ResumedFitEndsBitIdenticalToAnUninterruptedOne(string optimizer, bool midEpoch)
    {
        const int epochs = 5, interruptedAt = 3;
        var (x, y) = Synthetic.Bars(12, size: 8, seed: 4);
        var reference = Net(11, OptimizerFor(optimizer));
        reference.Fit(x, y, batchSize: 4, epochs: epochs, verbose: 0, shuffle: false);
        var expected = Flat(reference);

        var dir = Path.Combine(Oracle.TempDir(), "backup");
        var first = Net(11, OptimizerFor(optimizer));
        // midEpoch: the process "dies" after epoch 3's second batch, its weights already changed since the backup.
        var stop = midEpoch
            ? new LambdaCallback(onBatchEnd: (b, _) => { if (_epoch == interruptedAt && b == 1) throw new Interrupt("killed"); }, onEpochBegin: (e, _) => _epoch = e)
            : new LambdaCallback(onEpochBegin: (e, _) => { if (e == interruptedAt) throw new Interrupt("killed"); });
        Assert.Throws<Interrupt>(() => first.Fit(x, y, batchSize: 4, epochs: epochs, verbose: 0, shuffle: false, callbacks: [new BackupAndRestore(dir), stop]));
        Assert.True(File.Exists(Path.Combine(dir, BackupAndRestore.WeightsFileName)));
        Assert.Equal($"{{\"epoch\": {interruptedAt}, \"batch\": 0}}", File.ReadAllText(Path.Combine(dir, BackupAndRestore.MetadataFileName)));

        // A new process: another initialisation, a fresh optimizer, printing the epochs it runs.
        var resumed = Net(99, OptimizerFor(optimizer));
        Assert.NotEqual(expected, Flat(resumed));
        var callback = new BackupAndRestore(dir);
        var ran = new List<int>();
        var h = resumed.Fit(x, y, batchSize: 4, epochs: epochs, verbose: 1, shuffle: false, callbacks: [callback, new LambdaCallback(onEpochBegin: (e, _) => ran.Add(e))]);
        Assert.Equal(interruptedAt, callback.RestoredEpoch);
        Assert.Equal([3, 4], ran);
        Assert.Equal([3, 4], h.Epoch);
        Assert.Equal(epochs * 3, resumed.Optimizer!.Iterations);
        var text = resumed.ProgressOutput!.ToString()!;
        Assert.StartsWith("Epoch 4/5", text);
        Assert.Equal(expected, Flat(resumed)); // bit for bit
        for (int s = 0; s < resumed.Optimizer.SlotNames.Count; s++)
            foreach (var (a, b) in resumed.TrainableWeights.Zip(reference.TrainableWeights))
                Assert.Equal(reference.Optimizer!.SlotsOf(b)[s], resumed.Optimizer.SlotsOf(a)[s]);
        // A fit that ends normally deletes the backup, as Keras does.
        Assert.False(Directory.Exists(dir));
    }

    [ThreadStatic] private static int _epoch;

    [Fact]
    public void AFitWithoutABackupStartsAtItsInitialEpochAndKeepsTheBackupWhenAsked()
    {
        var (x, y) = Synthetic.Bars(8, size: 8);
        var m = Net(1, () => new Adam());
        var dir = Path.Combine(Oracle.TempDir(), "keep");
        var cb = new BackupAndRestore(dir, deleteCheckpoint: false);
        var h = m.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, callbacks: [cb]);
        Assert.Null(cb.RestoredEpoch);
        Assert.Equal([0, 1], h.Epoch);
        Assert.True(File.Exists(cb.WeightsPath));
        // A finished backup resumes past the last epoch: nothing left to run.
        var again = Net(2, () => new Adam());
        var h2 = again.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, callbacks: [new BackupAndRestore(dir)]);
        Assert.Empty(h2.Epoch);
        Assert.Equal(Flat(m), Flat(again));
        Assert.False(File.Exists(cb.WeightsPath));
    }

    [Fact]
    public void ALeftoverTemporaryFileOfAKilledWriteIsIgnored()
    {
        var (x, y) = Synthetic.Bars(8, size: 8);
        var m = Net(1, () => new Adam());
        var dir = Path.Combine(Oracle.TempDir(), "killed");
        var stop = new LambdaCallback(onEpochBegin: (e, _) => { if (e == 1) throw new Interrupt("killed"); });
        Assert.Throws<Interrupt>(() => m.Fit(x, y, batchSize: 4, epochs: 3, verbose: 0, callbacks: [new BackupAndRestore(dir), stop]));
        // What a writer killed mid-save leaves: a partial temporary file beside the complete backup.
        File.WriteAllBytes(Path.Combine(dir, $".{BackupAndRestore.WeightsFileName}.999999.{Guid.NewGuid():N}.tmp"), [0x89, 0x48, 0x44]);
        var resumed = Net(2, () => new Adam());
        var cb = new BackupAndRestore(dir);
        resumed.Fit(x, y, batchSize: 4, epochs: 3, verbose: 0, callbacks: [cb]);
        Assert.Equal(1, cb.RestoredEpoch);
    }

    [Fact]
    public void RefusesWhatItCannotResumeExactly()
    {
        Assert.Contains("save_freq", Assert.Throws<KerasNetException>(() => new BackupAndRestore("b", saveFreq: 10)).Message);
        Assert.Throws<KerasNetException>(() => new BackupAndRestore(""));
        // A backup for a model that is not built yet cannot be restored before the first batch.
        var (x, y) = Synthetic.Bars(8, size: 8);
        var m = Net(1, () => new Adam());
        var dir = Path.Combine(Oracle.TempDir(), "unbuilt");
        m.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, callbacks: [new BackupAndRestore(dir, deleteCheckpoint: false)]);
        var lazy = new Sequential();
        lazy.Add(new Flatten());
        lazy.Add(new Dense(2, activation: "softmax"));
        lazy.Compile(new Adam(), "categorical_crossentropy");
        Assert.Contains("not built", Assert.Throws<KerasNetException>(() => lazy.Fit(x, y, verbose: 0, callbacks: [new BackupAndRestore(dir)])).Message);
    }
}
