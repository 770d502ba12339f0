using KerasNet.Callbacks;
using KerasNet.Engine;
using KerasNet.Tests.Models;
using KerasNet.Tests.TestUtil;
using KerasNet.Utils;

namespace KerasNet.Tests.Callbacks;

public class CallbackTests
{
    [Fact]
    public void TerminateOnNaNStopsAtTheFirstInvalidBatchAndPrintsKerasMessage()
    {
        KerasRandom.SetRandomSeed(12);
        var (x, y) = Synthetic.Bars(24);
        for (int i = 8 * 100; i < 9 * 100; i++) x[i] = float.NaN; // sample 8: the second batch of 8, unshuffled
        var m = Synthetic.SmallCnn();
        int batches = 0;
        var h = m.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, shuffle: false,
            callbacks: [new LambdaCallback(onBatchEnd: (_, _) => batches++), new TerminateOnNaN()]);
        Assert.Equal(2, batches);
        Assert.Equal($"Batch 1: Invalid loss, terminating training{Environment.NewLine}", m.ProgressOutput!.ToString());
        Assert.Single(h.history["loss"]);
        Assert.True(double.IsNaN(h.history["loss"][0]));

        var plain = Synthetic.SmallCnn();
        var ex = Assert.Throws<NonFiniteLossException>(() => plain.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, shuffle: false));
        Assert.Contains("batch 2", ex.Message);
    }

    [Fact]
    public void LambdaCallbackSeesKerasHookOrder()
    {
        KerasRandom.SetRandomSeed(13);
        var (x, y) = Synthetic.Bars(12);
        var m = Synthetic.SmallCnn();
        var events = new List<string>();
        var cb = new LambdaCallback(
            onTrainBegin: _ => events.Add("train_begin"),
            onEpochBegin: (e, _) => { events.Add($"epoch_begin {e}"); m.ProgressOutput!.WriteLine($"begin {e}"); },
            onBatchBegin: (b, _) => events.Add($"batch_begin {b}"),
            onBatchEnd: (b, logs) => events.Add($"batch_end {b} {string.Join(",", logs.Keys.Order())}"),
            onEpochEnd: (e, logs) => events.Add($"epoch_end {e} {string.Join(",", logs.Keys.Order())}"),
            onTrainEnd: _ => events.Add("train_end"));
        m.Fit(x, y, batchSize: 8, epochs: 2, verbose: 1, validationData: (x, y), callbacks: [cb]);
        Assert.Equal(new[]
        {
            "train_begin",
            "epoch_begin 0", "batch_begin 0", "batch_end 0 accuracy,loss", "batch_begin 1", "batch_end 1 accuracy,loss",
            "epoch_end 0 accuracy,loss,val_accuracy,val_loss",
            "epoch_begin 1", "batch_begin 0", "batch_end 0 accuracy,loss", "batch_begin 1", "batch_end 1 accuracy,loss",
            "epoch_end 1 accuracy,loss,val_accuracy,val_loss",
            "train_end",
        }, events);
        var lines = m.ProgressOutput!.ToString()!.Split(Environment.NewLine);
        Assert.Equal("Epoch 1/2", lines[0]); // the progress logger comes first, as in Keras
        Assert.Equal("begin 0", lines[1]);
    }

    [Fact]
    public void CsvLoggerWritesKerasFormatAndAppends()
    {
        KerasRandom.SetRandomSeed(14);
        var (x, y) = Synthetic.Bars(16);
        var m = Synthetic.SmallCnn();
        var path = Path.Combine(Oracle.TempDir(), "log.csv");
        var h = m.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, validationData: (x, y), callbacks: [new CSVLogger(path)]);
        var text = File.ReadAllText(path);
        var rows = text.Split("\r\n");
        Assert.Equal(5, rows.Length); // header, 3 rows, empty after the last terminator
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", rows[0]);
        Assert.Equal("", rows[4]);
        for (int e = 0; e < 3; e++)
        {
            var f = rows[e + 1].Split(',');
            Assert.Equal(e.ToString(), f[0]);
            string[] keys = ["accuracy", "loss", "val_accuracy", "val_loss"];
            for (int k = 0; k < 4; k++) Assert.Equal((float)h.history[keys[k]][e], float.Parse(f[k + 1], System.Globalization.CultureInfo.InvariantCulture));
        }

        m.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, validationData: (x, y), callbacks: [new CSVLogger(path, append: true)]);
        var appended = File.ReadAllText(path).Split("\r\n");
        Assert.Equal(7, appended.Length);
        Assert.Single(appended, r => r.StartsWith("epoch"));
        Assert.StartsWith("1,", appended[5]);

        m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, callbacks: [new CSVLogger(path, separator: ";")]);
        var semi = File.ReadAllText(path).Split("\r\n");
        Assert.Equal("epoch;accuracy;loss", semi[0]);
        Assert.Equal(3, semi.Length);
    }

    [Fact]
    public void CsvLoggerWritesNaForKeysMissingWhenStopped()
    {
        var path = Path.Combine(Oracle.TempDir(), "na.csv");
        var m = Synthetic.SmallCnn();
        var log = new CSVLogger(path) { Model = m };
        log.OnTrainBegin(new Dictionary<string, double>());
        log.OnEpochEnd(0, new Dictionary<string, double> { ["loss"] = 0.5, ["val_loss"] = 0.25 });
        m.StopTraining = true;
        log.OnEpochEnd(1, new Dictionary<string, double> { ["loss"] = 1e-5 });
        log.OnTrainEnd(new Dictionary<string, double>());
        Assert.Equal("epoch,loss,val_loss\r\n0,0.5,0.25\r\n1,9.999999747378752e-06,NA\r\n", File.ReadAllText(path)); // repr(float(np.float32(1e-5)))
    }

    [SkippableFact]
    public void ReprOfFloat32LogValuesEqualsPython()
    {
        Oracle.RequirePython("numpy");
        float[] values = [0.6931472f, 0.5f, 1e-5f, 1.5e-7f, 100f, 0.0001f, 12345.678f, 1e16f, 3.4e38f, -0.1f, 0.1f, 1f / 3, 0.96875f, 123456790f, 2.5e-5f, 0f];
        var args = values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        // tf.keras 2.4 turns scalar float32 metrics into Python floats (.item()) before callbacks see them.
        var py = Oracle.RunPythonCode("import sys, numpy as np\nfor a in sys.argv[1:]: print(repr(np.float32(a).item()))", args);
        Assert.Equal(py.Split('\n', StringSplitOptions.RemoveEmptyEntries), values.Select(v => PyText.Repr((double)v)));
    }
}
