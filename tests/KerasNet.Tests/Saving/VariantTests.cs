#nullable enable
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>Storage variants of other Keras versions load: split attributes, vlen UTF-8, names without ':0', warnings.</summary>
[Collection("KerasSession")]
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

    [SkippableFact]
    public void UnknownOptimizerWeightsAreSkippedWithAWarning()
    {
        var dir = Oracle.RequireFixtures();
        var warnings = new List<string>();
        var saved = Keras.Warning;
        Keras.Warning = warnings.Add;
        try
        {
            // Keras 2.3.1 names RMSprop's state training/RMSprop/accumulator_0_1:0, which carries no variable name.
            var m = Keras.LoadModel(Path.Combine(dir, "ikukang_DeepLearningWithPythonKeras__mnist_cnn.h5"));
            Assert.IsType<KerasNet.Optimizers.RMSprop>(m.Optimizer);
            Assert.True(m.Optimizer!.Iterations > 0);
            var w = Assert.Single(warnings);
            Assert.Contains("skipped 10 optimizer weights", w);
            Assert.Contains("training/RMSprop/accumulator_0_1:0", w);
        }
        finally { Keras.Warning = saved; }
    }
}
