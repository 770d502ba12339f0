using KerasNet.Callbacks;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Callbacks;

/// <summary>
/// KerasNet's one deviation from tf.keras 2.4's ModelCheckpoint: a model whose weights or monitored value are not
/// finite is never saved, so a diverged model cannot replace the last good checkpoint (tf.keras 2.4 overwrites it).
/// </summary>
public class ModelCheckpointFiniteTests
{
    [Fact]
    public void ADivergedModelNeverReplacesTheLastGoodCheckpoint()
    {
        KerasRandom.SetRandomSeed(7);
        var (x, y) = Synthetic.Bars(16);
        var m = Synthetic.SmallCnn();
        var path = Path.Combine(Oracle.TempDir(), "last.h5");
        var warnings = new List<string>();
        KerasContext.Current.Warning = warnings.Add;
        var ckpt = new ModelCheckpoint(path); // save_best_only false: tf.keras saves every epoch, whatever the model
        m.Compile(new SGD(0.01), "categorical_crossentropy");
        m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, callbacks: [ckpt]);
        byte[] good = File.ReadAllBytes(path);
        Assert.Single(ckpt.SavedPaths);

        // A learning rate that makes the loss overflow: TerminateOnNaN stops the epoch, the checkpoint keeps the good file.
        m.Compile(new SGD(1e30), "categorical_crossentropy");
        m.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, callbacks: [new TerminateOnNaN(), ckpt]);
        Assert.Contains(m.Weights, w => w.Value.ToArray().Any(v => !float.IsFinite(v)));
        Assert.Equal(good, File.ReadAllBytes(path));
        Assert.Single(ckpt.SavedPaths);
        Assert.Equal([0], ckpt.SkippedNonFinite);
        var warning = Assert.Single(warnings);
        Assert.Contains($"ModelCheckpoint: epoch 1: not saving the model to {path}", warning);
        Assert.Contains("a diverged model never replaces a checkpoint", warning);
        Assert.True(Keras.LoadModel(path).Weights.All(w => w.Value.ToArray().All(float.IsFinite)));
    }

    [Theory]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, false)]
    [InlineData(0.25, true)]
    public void ANonFiniteMonitoredValueIsNotSavedEvenWithFiniteWeights(double valLoss, bool saved)
    {
        var m = Synthetic.SmallCnn();
        var path = Path.Combine(Oracle.TempDir(), "m.h5");
        KerasContext.Current.Warning = _ => { };
        foreach (bool best in new[] { false, true })
        {
            var ckpt = new ModelCheckpoint(path, saveBestOnly: best) { Model = m };
            ckpt.OnEpochEnd(0, new Dictionary<string, double> { ["loss"] = 1, ["val_loss"] = valLoss });
            Assert.Equal(saved, ckpt.SavedPaths.Count == 1);
            Assert.Equal(saved, File.Exists(path));
            if (File.Exists(path)) File.Delete(path);
        }
        // Without the monitored key in the logs (no validation), only the weights decide.
        var plain = new ModelCheckpoint(path) { Model = m };
        plain.OnEpochEnd(0, new Dictionary<string, double> { ["loss"] = 1 });
        Assert.True(File.Exists(path));
    }
}
