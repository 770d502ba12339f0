using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Callbacks;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Models;

/// <summary>
/// Which rows each epoch trains and validates on: Fit on arrays against tf.keras 2.4's schedule transcribed in numpy
/// (Oracles/fit_numpy_linear.py: validation_split's rows, steps_per_epoch running past one pass or out of data, the
/// default batch sizes, validation_steps, validation_batch_size, validation_freq) on a linear Dense model with mean
/// squared error and SGD, where every batch shows in the History and the weights.
/// </summary>
public class FitScheduleTests
{
    public sealed record Case(string Name, int N, int? BatchSize, int Epochs, int InitialEpoch, int? StepsPerEpoch,
        double ValidationSplit, int? ValidationBatchSize, int? ValidationSteps, int[]? ValidationFreqEpochs, int ValidationFreq = 1)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases => new()
    {
        new("split_last_quarter", 10, 4, 2, 0, null, 0.25, null, null, null),
        new("split_uneven", 11, 3, 2, 0, null, 0.33, null, null, null),
        new("steps_below_one_pass", 10, 4, 2, 0, 2, 0.2, 3, 1, null),
        new("steps_past_one_pass", 10, 3, 2, 0, 5, 0.3, null, null, null),
        new("steps_run_out", 9, 4, 3, 1, 7, 0, null, null, null),
        new("batch_from_steps", 10, null, 2, 0, 3, 0.2, null, 1, null),
        new("validation_every_2nd", 12, 5, 4, 0, null, 0.25, 2, null, null, 2),
        new("validation_at_listed", 12, 5, 4, 0, null, 0.25, null, null, [1, 4]),
    };

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void FitFollowsKerasSchedule(Case c)
    {
        Oracle.RequirePython("numpy");
        KerasRandom.SetRandomSeed(3);
        var rng = new Random(c.N);
        var x = new Tensor(Enumerable.Range(0, c.N * 3).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray(), c.N, 3);
        var y = new Tensor(Enumerable.Range(0, c.N * 2).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray(), c.N, 2);
        var m = new Sequential();
        m.Add(new Dense(2, inputDim: 3));
        m.Compile(new SGD(0.1), "mean_squared_error");
        var warnings = new List<string>();
        var previous = KerasContext.Current.Warning;
        KerasContext.Current.Warning = warnings.Add;
        var dir = Oracle.TempDir();
        Npy.Save(Path.Combine(dir, "x.npy"), x);
        Npy.Save(Path.Combine(dir, "y.npy"), y);
        Npy.Save(Path.Combine(dir, "w.npy"), m.Weights[0].Value);
        Npy.Save(Path.Combine(dir, "b.npy"), m.Weights[1].Value);
        var spec = new JsonObject
        {
            ["batch_size"] = c.BatchSize, ["epochs"] = c.Epochs, ["initial_epoch"] = c.InitialEpoch, ["steps_per_epoch"] = c.StepsPerEpoch,
            ["validation_split"] = c.ValidationSplit, ["validation_batch_size"] = c.ValidationBatchSize, ["validation_steps"] = c.ValidationSteps,
            ["validation_freq"] = c.ValidationFreqEpochs is { } list ? new JsonArray(list.Select(e => (JsonNode)e).ToArray()) : c.ValidationFreq,
            ["lr"] = 0.1,
        };
        File.WriteAllText(Path.Combine(dir, "spec.json"), spec.ToJsonString());
        Oracle.RunPythonScript("fit_numpy_linear.py", dir);
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "result.json")));

        History h;
        try
        {
            h = m.Fit(x, y, batchSize: c.BatchSize, epochs: c.Epochs, verbose: 0, validationSplit: c.ValidationSplit, shuffle: false,
                initialEpoch: c.InitialEpoch, stepsPerEpoch: c.StepsPerEpoch, validationSteps: c.ValidationSteps,
                validationBatchSize: c.ValidationBatchSize, validationFreq: c.ValidationFreqEpochs is { } e ? e : c.ValidationFreq);
        }
        finally { KerasContext.Current.Warning = previous; }

        var root = expected.RootElement;
        Assert.Equal(root.GetProperty("epochs").EnumerateArray().Select(v => v.GetInt32()), h.Epoch);
        var hist = root.GetProperty("history");
        Assert.Equal(hist.EnumerateObject().Select(p => p.Name).Order(), h.history.Keys.Order());
        foreach (var key in hist.EnumerateObject())
        {
            var want = key.Value.EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(want.Length, h.history[key.Name].Count);
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(want[i] - h.history[key.Name][i]) <= 1e-5 * Math.Max(1, Math.Abs(want[i])), $"{c.Name}: {key.Name}[{i}] numpy {want[i]} KerasNet {h.history[key.Name][i]}");
        }
        var w = root.GetProperty("w").EnumerateArray().Select(v => v.GetDouble()).Concat(root.GetProperty("b").EnumerateArray().Select(v => v.GetDouble())).ToArray();
        var got = m.Weights[0].Value.ToArray().Concat(m.Weights[1].Value.ToArray()).Select(v => (double)v).ToArray();
        Assert.True(w.Zip(got, (a, b) => Math.Abs(a - b)).Max() < 1e-5, $"{c.Name}: weights differ from numpy");
        bool ranOut = c.Name == "steps_run_out";
        Assert.Equal(ranOut ? 1 : 0, warnings.Count(s => s.StartsWith("Your input ran out of data; interrupting training.", StringComparison.Ordinal)));
        if (ranOut) Assert.Contains("(in this case, 14 batches)", warnings[0]); // (epochs - initial_epoch) * steps_per_epoch
    }
}
