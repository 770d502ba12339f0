using KerasNet.Callbacks;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Tests.Models;

namespace KerasNet.Tests.Callbacks;

public class EarlyStoppingTests
{
    private static Sequential Tiny()
    {
        var m = new Sequential();
        m.Add(new Dense(2, inputShape: 3));
        m.ProgressOutput = new StringWriter();
        return m;
    }

    /// <summary>Feeds one monitored value per epoch; before each epoch end the weights are set to the epoch number.</summary>
    private static int Drive(EarlyStopping es, Sequential m, string key, params double[] values)
    {
        es.Model = m;
        es.OnTrainBegin(new Dictionary<string, double>());
        for (int e = 0; e < values.Length; e++)
        {
            foreach (var w in m.Weights) w.Value.Span.Fill(e);
            es.OnEpochEnd(e, new Dictionary<string, double> { [key] = values[e], ["other"] = 0 });
            if (m.StopTraining) return e;
        }
        return -1;
    }

    [Fact]
    public void StopsAfterPatienceEpochsWithoutImprovement()
    {
        var m = Tiny();
        var es = new EarlyStopping(patience: 2);
        Assert.Equal(3, Drive(es, m, "val_loss", 1.0, 0.9, 0.95, 0.91, 0.5));
        Assert.Equal(0.9, es.Best);
        Assert.Equal(3, es.StoppedEpoch);
        m.StopTraining = false;
        Assert.Equal(0, Drive(new EarlyStopping(patience: 0), m, "val_loss", double.PositiveInfinity));
    }

    [Fact]
    public void MinDeltaIsRequiredToCountAsImprovement()
    {
        var m = Tiny();
        // 0.96 is within 0.05 of 1.0, so it does not improve; patience 1 stops there.
        Assert.Equal(1, Drive(new EarlyStopping(minDelta: 0.05, patience: 1), m, "val_loss", 1.0, 0.96, 0.5));
        m.StopTraining = false;
        Assert.Equal(-1, Drive(new EarlyStopping(minDelta: -0.05, patience: 1), m, "val_loss", 1.0, 0.94, 0.88)); // |minDelta| is used
    }

    [Fact]
    public void AutoModeMaximisesAccuracyLikeMonitorsAndMinimisesOthers()
    {
        var m = Tiny();
        Assert.Equal(-1, Drive(new EarlyStopping("val_accuracy", patience: 1), m, "val_accuracy", 0.5, 0.6, 0.7));
        m.StopTraining = false;
        Assert.Equal(1, Drive(new EarlyStopping("val_accuracy", patience: 1), m, "val_accuracy", 0.5, 0.4, 0.7));
        m.StopTraining = false;
        Assert.Equal(1, Drive(new EarlyStopping("val_loss", patience: 1), m, "val_loss", 0.5, 0.6));
        m.StopTraining = false;
        Assert.Equal(1, Drive(new EarlyStopping("val_loss", patience: 1, mode: "max"), m, "val_loss", 0.5, 0.4));
        m.StopTraining = false;
        Assert.Equal(1, Drive(new EarlyStopping("acc", patience: 1, mode: "min"), m, "acc", 0.5, 0.6));
        Assert.Throws<KerasNetException>(() => new EarlyStopping(mode: "minimum"));
    }

    [Fact]
    public void BaselineMustBeBeaten()
    {
        var m = Tiny();
        Assert.Equal(1, Drive(new EarlyStopping(baseline: 0.5, patience: 2, restoreBestWeights: true), m, "val_loss", 0.6, 0.55, 0.1));
        m.StopTraining = false;
        Assert.Equal(-1, Drive(new EarlyStopping(baseline: 0.5, patience: 2), m, "val_loss", 0.6, 0.4, 0.45));
    }

    [Fact]
    public void RestoresTheBestEpochsWeightsWhenStopping()
    {
        var m = Tiny();
        var es = new EarlyStopping(patience: 2, restoreBestWeights: true, verbose: 1);
        Assert.Equal(3, Drive(es, m, "val_loss", 1.0, 0.4, 0.5, 0.6));
        Assert.All(m.Weights, w => Assert.All(w.Value.ToArray(), v => Assert.Equal(1f, v))); // epoch 1's weights
        es.OnTrainEnd(new Dictionary<string, double>());
        Assert.Equal($"Restoring model weights from the end of the best epoch.{Environment.NewLine}Epoch 00004: early stopping{Environment.NewLine}", m.ProgressOutput!.ToString());

        var noRestore = Tiny();
        Drive(new EarlyStopping(patience: 2), noRestore, "val_loss", 1.0, 0.4, 0.5, 0.6);
        Assert.All(noRestore.Weights, w => Assert.All(w.Value.ToArray(), v => Assert.Equal(3f, v)));
    }

    [Fact]
    public void MissingMonitorIsIgnored()
    {
        var m = Tiny();
        Assert.Equal(-1, Drive(new EarlyStopping("val_loss", patience: 0), m, "loss", 1, 2, 3));
    }

    [Fact]
    public void EndsFitEarlyAndHistoryHasTheEpochsRun()
    {
        KerasRandom.SetRandomSeed(11);
        var (x, y) = Synthetic.Bars(32);
        var m = Synthetic.SmallCnn();
        // Loss falls every epoch, so with mode "max" only epoch 0 is "best": training stops after epoch 1.
        var h = m.Fit(x, y, batchSize: 8, epochs: 10, verbose: 0, callbacks: [new EarlyStopping("loss", mode: "max", patience: 1, verbose: 1)]);
        Assert.Equal(2, h.history["loss"].Count);
        Assert.Contains("Epoch 00002: early stopping", m.ProgressOutput!.ToString());
    }
}
