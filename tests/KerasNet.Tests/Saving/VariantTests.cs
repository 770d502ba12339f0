#nullable enable
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>Storage variants of other Keras versions load: split attributes, vlen UTF-8, names without ':0', warnings.</summary>
public class VariantTests
{
    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void SplitVlenKeras3LegacyNamesLoad(bool byName)
    {
        Oracle.RequirePython("h5py");
        var dir = Oracle.TempDir();
        var m = SavingTestUtil.SmallCnn();
        m.SaveWeights(Path.Combine(dir, "w.h5"));
        Oracle.RunPythonScript("saving_variants.py", Path.Combine(dir, "w.h5"), Path.Combine(dir, "v.h5"));
        KerasRandom.SetRandomSeed(99);
        var other = Keras.ModelFromJson(m.ToJson());
        Assert.NotEqual(SavingTestUtil.AllWeights(m), SavingTestUtil.AllWeights(other));
        other.LoadWeights(Path.Combine(dir, "v.h5"), byName);
        SavingTestUtil.AssertBitEqual(SavingTestUtil.AllWeights(m), SavingTestUtil.AllWeights(other), "weights");
    }

    private static List<string> CaptureWarnings(Action action)
    {
        var warnings = new List<string>();
        var saved = Keras.Warning;
        Keras.Warning = warnings.Add;
        try { action(); }
        finally { Keras.Warning = saved; }
        return warnings;
    }

    [SkippableTheory]
    [InlineData("ikukang_DeepLearningWithPythonKeras__mnist_cnn.h5", "training/RMSprop/accumulator_3_1:0", "conv2d_2", 1)]
    [InlineData("Kimthangg_mnist_cnn__mnist_cnn.h5", "rmsprop/sequential_4_conv2d_13_bias_velocity", "conv2d_13", 1)]
    [InlineData("01110001_ml-mnist__mnist_cnn.h5", "Adam/v/dense/kernel:0", "dense", 0)]
    public void OptimizerStateOfOtherKerasVersionsIsRestored(string file, string weightName, string layer, int weight)
    {
        var dir = Oracle.RequireFixtures();
        Oracle.RequirePython("h5py");
        string path = Path.Combine(dir, file);
        // Keras 2.3 names RMSprop's slots by index, Keras 3 by a flattened path, keras 2.12+ slot-first.
        var py = Oracle.RunPythonCode(
            "import h5py,sys; g=h5py.File(sys.argv[1],'r')['optimizer_weights']; a=g[sys.argv[2]][()].reshape(-1);" +
            "print(len(a)); print(repr(float(a[-1])))", path, weightName).Split('\n');
        KerasNet.Models.Model? m = null;
        var warnings = CaptureWarnings(() => m = Keras.LoadModel(path));
        Assert.Empty(warnings);
        var v = m!.GetLayer(layer).Weights[weight];
        Assert.Equal(int.Parse(py[0]), v.Size);
        int slot = file.StartsWith("0111") ? 1 : 0;
        Assert.Equal(float.Parse(py[1], System.Globalization.CultureInfo.InvariantCulture), m.Optimizer!.SlotsOf(v)[slot][^1]);
        Assert.True(m.Optimizer.Iterations > 0);
    }

    [SkippableFact]
    public void UnknownOptimizerWeightsAreSkippedWithAWarning()
    {
        Oracle.RequirePython("h5py");
        var m = SavingTestUtil.SmallCnn();
        var (x, y) = SavingTestUtil.Data(4);
        m.TrainStep(new KerasNet.Data.Batch(x, y));
        var path = Path.Combine(Oracle.TempDir(), "m.h5");
        m.Save(path);
        Oracle.RunPythonCode("""
            import h5py, sys
            with h5py.File(sys.argv[1], "a") as f:
                g = f["optimizer_weights"]
                g.create_dataset("Adam/mystery_slot:0", data=[1.0, 2.0])
                g.attrs["weight_names"] = [n.encode() if isinstance(n, str) else n for n in g.attrs["weight_names"]] + [b"Adam/mystery_slot:0"]
            """, path);
        KerasNet.Models.Model? loaded = null;
        var w = Assert.Single(CaptureWarnings(() => loaded = Keras.LoadModel(path)));
        Assert.Contains("skipped 1 optimizer weights", w);
        Assert.Contains("Adam/mystery_slot:0", w);
        Assert.Equal(1, loaded!.Optimizer!.Iterations);
        var k = m.TrainableWeights[0];
        Assert.Equal(m.Optimizer!.SlotsOf(k)[1], loaded.Optimizer.SlotsOf(loaded.TrainableWeights[0])[1]);
    }
}
