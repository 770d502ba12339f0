using System.Globalization;
using System.Text.Json.Nodes;
using KerasNet.Callbacks;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.Models;
using KerasNet.Tests.TestUtil;
using KerasNet.Utils;

namespace KerasNet.Tests.Callbacks;

/// <summary>
/// ReduceLROnPlateau and LearningRateScheduler against Oracles/callbacks_lr.py, a line-by-line transcription of
/// tf.keras 2.4's callbacks with the learning rate as a float32 variable: the learning rate after every epoch, the
/// "lr" log, and the printed text must be identical.
/// </summary>
public class LearningRateCallbackTests
{
    private static Sequential Compiled(Optimizer opt)
    {
        var m = new Sequential();
        m.Add(new Dense(2, inputShape: 3));
        m.Compile(opt, "mse");
        m.ProgressOutput = new StringWriter();
        return m;
    }

    private static (string[] Logged, string[] Lr, string Text) Oracle_(JsonObject spec)
    {
        var o = JsonNode.Parse(Oracle.RunPythonScript("callbacks_lr.py", spec.ToJsonString()))!;
        return (o["logged"]!.AsArray().Select(v => (string)v!).ToArray(), o["lr"]!.AsArray().Select(v => (string)v!).ToArray(), (string)o["text"]!);
    }

    public static TheoryData<string, double, double[], string> ReduceCases => new()
    {
        // name, initial lr, monitored values, kwargs (JSON)
        { "patience 2, floor", 0.001, [1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9], """{"patience": 2, "min_lr": 1e-5}""" },
        { "float32 floor quirk", 1e-3, [1, 1, 1, 1, 1, 1, 1], """{"patience": 1, "min_lr": 1e-4, "factor": 0.1}""" },
        { "min_delta", 0.01, [1, 0.99995, 0.9, 0.89999, 0.8, 0.8, 0.8], """{"patience": 1, "min_delta": 1e-4, "factor": 0.5}""" },
        { "cooldown", 0.1, [1, 1, 1, 1, 1, 1, 1, 1, 0.5, 1, 1, 1], """{"patience": 1, "cooldown": 2, "factor": 0.2}""" },
        { "patience 0", 0.1, [3, 2, 2, 1, 1], """{"patience": 0, "factor": 0.5}""" },
        { "max mode on accuracy", 0.05, [0.5, 0.6, 0.55, 0.6, 0.61, 0.7, 0.7, 0.7], """{"monitor": "val_accuracy", "patience": 2, "factor": 0.3}""" },
        { "explicit max on a loss name", 0.05, [0.5, 0.4, 0.3, 0.6], """{"mode": "max", "patience": 1}""" },
    };

    [Theory]
    [MemberData(nameof(ReduceCases))]
    public void ReduceLROnPlateauMatchesTfKeras24(string name, double lr, double[] values, string kwargs)
    {
        Oracle.RequirePython("numpy");
        var kw = JsonNode.Parse(kwargs)!.AsObject();
        var expected = Oracle_(new JsonObject { ["kind"] = "reduce", ["lr"] = lr, ["values"] = new JsonArray(values.Select(v => (JsonNode)v).ToArray()), ["kwargs"] = kw.DeepClone() });
        string monitor = (string?)kw["monitor"] ?? "val_loss";
        var cb = new ReduceLROnPlateau(monitor, factor: (double?)kw["factor"] ?? 0.1, patience: (int?)kw["patience"] ?? 10, verbose: 1,
            mode: (string?)kw["mode"] ?? "auto", minDelta: (double?)kw["min_delta"] ?? 1e-4, cooldown: (int?)kw["cooldown"] ?? 0, minLr: (double?)kw["min_lr"] ?? 0);
        var m = Compiled(new SGD(lr));
        cb.Model = m;
        cb.OnTrainBegin(new Dictionary<string, double>());
        for (int e = 0; e < values.Length; e++)
        {
            var logs = new Dictionary<string, double> { [monitor] = values[e] };
            cb.OnEpochEnd(e, logs);
            Assert.True(expected.Logged[e] == PyText.Repr(logs["lr"]), $"{name}: epoch {e} logged lr {PyText.Repr(logs["lr"])}, Keras {expected.Logged[e]}");
            Assert.True(expected.Lr[e] == PyText.Repr((double)(float)m.Optimizer!.LearningRate), $"{name}: epoch {e} lr {m.Optimizer!.LearningRate}, Keras {expected.Lr[e]}");
        }
        Assert.Equal(expected.Text, m.ProgressOutput!.ToString()!.ReplaceLineEndings("\n"));
        Assert.Contains("ReduceLROnPlateau reducing learning rate", expected.Text); // every case reduces at least once
    }

    [Fact]
    public void ReduceLROnPlateauInFitLogsLrAndReducesOnTheTrainingLoss()
    {
        Oracle.RequirePython("numpy");
        KerasRandom.SetRandomSeed(5);
        var (x, y) = Synthetic.Bars(16);
        var m = Synthetic.SmallCnn();
        var cb = new ReduceLROnPlateau("loss", factor: 0.5, patience: 1, minDelta: 0.05, verbose: 1);
        var h = m.Fit(x, y, batchSize: 8, epochs: 6, verbose: 0, callbacks: [cb]);
        var losses = h.history["loss"].ToArray();
        var expected = Oracle_(new JsonObject
        {
            ["kind"] = "reduce", ["lr"] = 0.01, ["values"] = new JsonArray(losses.Select(v => (JsonNode)v).ToArray()),
            ["kwargs"] = new JsonObject { ["monitor"] = "loss", ["factor"] = 0.5, ["patience"] = 1, ["min_delta"] = 0.05 },
        });
        Assert.Equal(expected.Logged, h.history["lr"].Select(PyText.Repr).ToArray());
        Assert.Equal(expected.Lr[^1], PyText.Repr((double)(float)m.Optimizer!.LearningRate));
        Assert.Equal(expected.Text, m.ProgressOutput!.ToString()!.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void ReduceLROnPlateauRefusesBadArguments()
    {
        Assert.Contains("factor >= 1.0", Assert.Throws<KerasNetException>(() => new ReduceLROnPlateau(factor: 1.0)).Message);
        Assert.Contains("mode", Assert.Throws<KerasNetException>(() => new ReduceLROnPlateau(mode: "minimum")).Message);
        Assert.Contains("patience", Assert.Throws<KerasNetException>(() => new ReduceLROnPlateau(patience: -1)).Message);
        var cb = new ReduceLROnPlateau { Model = new Sequential() };
        Assert.Contains("optimizer", Assert.Throws<KerasNetException>(() => cb.OnEpochEnd(0, new Dictionary<string, double>())).Message);
    }

    [Fact]
    public void ReduceLROnPlateauWarnsWhenTheMonitorIsMissing()
    {
        var warnings = new List<string>();
        var old = Keras.Warning;
        Keras.Warning = warnings.Add;
        try
        {
            var m = Compiled(new Adam());
            var cb = new ReduceLROnPlateau(patience: 0) { Model = m };
            cb.OnTrainBegin(new Dictionary<string, double>());
            cb.OnEpochEnd(0, new Dictionary<string, double> { ["loss"] = 1 });
            Assert.Equal(["Learning rate reduction is conditioned on metric `val_loss` which is not available. Available metrics are: loss,lr"], warnings);
            Assert.Equal(0.001, m.Optimizer!.LearningRate); // unchanged
        }
        finally { Keras.Warning = old; }
    }

    public static TheoryData<string, double> ScheduleCases => new() { { "halve", 0.1 }, { "exp", 0.01 }, { "step", 0.5 } };

    private static Func<int, double, double> Schedule(string name) => name switch
    {
        "halve" => (_, lr) => lr * 0.5,
        "exp" => (epoch, lr) => epoch < 2 ? lr : lr * Math.Exp(-0.1),
        _ => (epoch, _) => 0.1 / (1 + epoch / 2),
    };

    [Theory]
    [MemberData(nameof(ScheduleCases))]
    public void LearningRateSchedulerMatchesTfKeras24InFit(string schedule, double lr)
    {
        Oracle.RequirePython("numpy");
        var expected = Oracle_(new JsonObject { ["kind"] = "schedule", ["lr"] = lr, ["epochs"] = 5, ["schedule"] = schedule });
        KerasRandom.SetRandomSeed(2);
        var (x, y) = Synthetic.Bars(8);
        var m = Synthetic.SmallCnn();
        m.Optimizer!.LearningRate = lr;
        var seen = new List<double>();
        var h = m.Fit(x, y, batchSize: 8, epochs: 5, verbose: 0,
            callbacks: [new LearningRateScheduler(Schedule(schedule), verbose: 1), new LambdaCallback(onEpochBegin: (_, _) => seen.Add(m.Optimizer!.LearningRate))]);
        Assert.Equal(expected.Logged, h.history["lr"].Select(PyText.Repr).ToArray());
        Assert.Equal(expected.Lr, seen.Select(PyText.Repr).ToArray()); // the rate is set before the epoch's first batch
        Assert.Equal(expected.Text, m.ProgressOutput!.ToString()!.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void LearningRateSchedulerChangesTheStepsOfThatEpoch()
    {
        // Epoch 1's rate 0 must freeze the weights during epoch 1 only.
        KerasRandom.SetRandomSeed(3);
        var (x, y) = Synthetic.Bars(8);
        var m = Synthetic.SmallCnn();
        m.Compile(new SGD(0.1), "categorical_crossentropy");
        var snapshots = new List<float[]>();
        m.Fit(x, y, batchSize: 4, epochs: 3, verbose: 0, shuffle: false,
            callbacks: [new LearningRateScheduler(epoch => epoch == 1 ? 0.0 : 0.1), new LambdaCallback(onEpochEnd: (_, _) => snapshots.Add(m.Weights.SelectMany(w => w.Value.ToArray()).ToArray()))]);
        Assert.Equal(snapshots[0], snapshots[1]);
        Assert.NotEqual(snapshots[1], snapshots[2]);
        Assert.Throws<KerasNetException>(() => new LearningRateScheduler((Func<int, double, double>)null!));
        var bad = new LearningRateScheduler((_, _) => double.NaN) { Model = m };
        Assert.Contains("finite", Assert.Throws<KerasNetException>(() => bad.OnEpochBegin(0, new Dictionary<string, double>())).Message);
    }
}
