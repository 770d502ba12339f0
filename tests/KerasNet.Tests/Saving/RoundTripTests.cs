#nullable enable
using KerasNet.Data;
using KerasNet.Models;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>Save then load gives the same model, the same predictions and the same continued training.</summary>
public class RoundTripTests
{
    [Theory]
    [InlineData("model.h5", "adam")]
    [InlineData("model.hdf5", "rmsprop")]
    [InlineData("model.keras", "adam")]
    [InlineData("model.keras", "sgd")]
    public void SaveLoadModelResumesTrainingExactly(string file, string optimizer)
    {
        var m = SavingTestUtil.SmallCnn(optimizer, dropout: 0);
        var (x, y) = SavingTestUtil.Data(6);
        var batch = new Batch(x, y);
        m.TrainStep(batch);
        m.TrainStep(batch);
        var path = Path.Combine(Oracle.TempDir(), file);
        m.Save(path);
        var loaded = Keras.LoadModel(path);

        Assert.Equal(m.ToJson(), loaded.ToJson());
        Assert.Equal(m.Optimizer!.GetType(), loaded.Optimizer!.GetType());
        Assert.Equal(2, loaded.Optimizer.Iterations);
        SavingTestUtil.AssertBitEqual(m.Predict(x).ToArray(), loaded.Predict(x).ToArray(), "predictions");

        var (x2, y2) = SavingTestUtil.Data(6, seed: 99);
        foreach (var model in new[] { m, loaded })
        {
            model.TrainStep(new Batch(x2, y2));
            model.TrainStep(batch);
        }
        SavingTestUtil.AssertBitEqual(SavingTestUtil.AllWeights(m), SavingTestUtil.AllWeights(loaded), "weights after 2 more steps");
        // The continued training really moved the weights (so the comparison above is not vacuous).
        Assert.NotEqual(SavingTestUtil.AllWeights(Keras.LoadModel(path)), SavingTestUtil.AllWeights(loaded));
    }

    [Fact]
    public void H5ToKerasToH5KeepsEveryBit()
    {
        var m = SavingTestUtil.SmallCnn();
        var (x, y) = SavingTestUtil.Data(4);
        m.TrainStep(new Batch(x, y));
        var dir = Oracle.TempDir();
        m.Save(Path.Combine(dir, "a.h5"));
        Keras.LoadModel(Path.Combine(dir, "a.h5")).Save(Path.Combine(dir, "b.keras"));
        var back = Keras.LoadModel(Path.Combine(dir, "b.keras"));
        back.Save(Path.Combine(dir, "c.h5"));
        var final = Keras.LoadModel(Path.Combine(dir, "c.h5"));
        SavingTestUtil.AssertBitEqual(SavingTestUtil.AllWeights(m), SavingTestUtil.AllWeights(final), "weights");
        var slots = (Model s) => s.TrainableWeights.SelectMany(v => s.Optimizer!.SlotsOf(v).SelectMany(a => a)).ToArray();
        SavingTestUtil.AssertBitEqual(slots(m), slots(final), "optimizer slots");
        Assert.Equal(m.ToJson(), final.ToJson());
    }

    [Theory]
    [InlineData("w.h5", false)]
    [InlineData("w.h5", true)]
    [InlineData("w.weights.h5", false)]
    public void SaveWeightsLoadWeightsRestoresPredictions(string file, bool byName)
    {
        var m = SavingTestUtil.SmallCnn();
        var (x, _) = SavingTestUtil.Data(3);
        var path = Path.Combine(Oracle.TempDir(), file);
        m.SaveWeights(path);
        var fresh = SavingTestUtil.SmallCnn(); // same names, new random weights
        KerasRandom.SetRandomSeed(55);
        var other = Keras.ModelFromJson(m.ToJson());
        Assert.NotEqual(SavingTestUtil.AllWeights(m), SavingTestUtil.AllWeights(other));
        other.LoadWeights(path, byName);
        SavingTestUtil.AssertBitEqual(m.Predict(x).ToArray(), other.Predict(x).ToArray(), "predictions");
        Assert.NotNull(fresh);
    }

    [Fact]
    public void LoadWeightsFromKerasArchive()
    {
        var m = SavingTestUtil.SmallCnn();
        var path = Path.Combine(Oracle.TempDir(), "m.keras");
        m.Save(path);
        KerasRandom.SetRandomSeed(77);
        var other = Keras.ModelFromJson(m.ToJson());
        other.LoadWeights(path);
        SavingTestUtil.AssertBitEqual(SavingTestUtil.AllWeights(m), SavingTestUtil.AllWeights(other), "weights");
    }

    [Theory]
    [InlineData("fresh.keras")]
    [InlineData("fresh.h5")]
    public void UntrainedCompiledModelSavesNoOptimizerSlots(string file)
    {
        var m = SavingTestUtil.SmallCnn();
        var path = Path.Combine(Oracle.TempDir(), file);
        m.Save(path);
        Assert.DoesNotContain(m.TrainableWeights, m.Optimizer!.HasSlots);
        var loaded = Keras.LoadModel(path);
        Assert.True(loaded.IsCompiled);
        Assert.Equal(0, loaded.Optimizer!.Iterations);
        Assert.DoesNotContain(loaded.TrainableWeights, loaded.Optimizer.HasSlots);
        SavingTestUtil.AssertBitEqual(SavingTestUtil.AllWeights(m), SavingTestUtil.AllWeights(loaded), "weights");
    }

    [Fact]
    public void SaveReplacesAnExistingFileAtomically()
    {
        var m = SavingTestUtil.SmallCnn();
        var dir = Oracle.TempDir();
        var path = Path.Combine(dir, "m.h5");
        File.WriteAllText(path, "old");
        m.Save(path);
        Assert.Single(Directory.GetFiles(dir));
        Assert.Equal(m.ToJson(), Keras.LoadModel(path).ToJson());
    }
}
