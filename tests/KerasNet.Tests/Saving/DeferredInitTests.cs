#nullable enable
using KerasNet.Layers;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Saving;

/// <summary>
/// Loading a model file does not run the initializers of the weights it overwrites (issue 17, start-up): the loaded
/// values stay the file's bit for bit, a weight nothing assigns still gets its initializer, and an initializer's shape
/// error is still raised where it was.
/// </summary>
public class DeferredInitTests
{
    private static float[] FreshDenseKernel()
    {
        var d = new Dense(7);
        d.Build([5]);
        return d.Weights[0].Value.ToArray();
    }

    [Theory]
    [InlineData("m.h5")]
    [InlineData("m.keras")]
    public void LoadingKeepsTheFileWeightsAndDrawsNothingFromTheInitStream(string file)
    {
        var m = SavingTestUtil.SmallCnn();
        var path = Path.Combine(Oracle.TempDir(), file);
        m.Save(path);

        // Without a load in between, then with one: the "init" stream must be where the seed left it both times,
        // which it is only if the load drew nothing for the weights it overwrote.
        KerasRandom.SetRandomSeed(77);
        var expected = FreshDenseKernel();
        KerasRandom.SetRandomSeed(77);
        var loaded = Keras.LoadModel(path);
        var after = FreshDenseKernel();
        SavingTestUtil.AssertBitEqual(expected, after, "a kernel initialized after the load");

        Assert.Equal(m.Weights.Count, loaded.Weights.Count);
        for (int i = 0; i < m.Weights.Count; i++)
        {
            SavingTestUtil.AssertBitEqual(m.Weights[i].Value.ToArray(), loaded.Weights[i].Value.ToArray(), m.Weights[i].FullName);
            Assert.Null(loaded.Weights[i].DeferredInitializer);
        }
    }

    [Fact]
    public void AWeightNothingAssignsGetsItsInitializerInCreationOrder()
    {
        float[] kernel = Enumerable.Range(0, 12).Select(i => i * 0.25f).ToArray();
        var eager = new Dense(3, kernelInitializer: new GlorotUniform(seed: 5), biasInitializer: new Constant(0.5));
        eager.Build([4]);

        var lazy = new Dense(3, kernelInitializer: new GlorotUniform(seed: 5), biasInitializer: new Constant(0.5));
        var other = new Dense(2, kernelInitializer: new GlorotUniform(seed: 5));
        var scope = DeferredInit.Begin();
        Assert.NotNull(scope);
        using (scope)
        {
            Assert.Null(DeferredInit.Begin()); // nested: the outer scope completes
            lazy.Build([4]);
            other.Build([4]);
            Assert.NotNull(lazy.Weights[1].DeferredInitializer);
            Assert.All(lazy.Weights[1].Value.ToArray(), v => Assert.Equal(0f, v)); // not filled yet
            lazy.Weights[0].Assign(kernel);
            scope!.Complete();
        }
        SavingTestUtil.AssertBitEqual(kernel, lazy.Weights[0].Value.ToArray(), "assigned kernel");
        SavingTestUtil.AssertBitEqual(eager.Weights[1].Value.ToArray(), lazy.Weights[1].Value.ToArray(), "bias from its initializer");
        Assert.All(lazy.Weights[1].Value.ToArray(), v => Assert.Equal(0.5f, v));
        var otherEager = new Dense(2, kernelInitializer: new GlorotUniform(seed: 5));
        otherEager.Build([4]);
        SavingTestUtil.AssertBitEqual(otherEager.Weights[0].Value.ToArray(), other.Weights[0].Value.ToArray(), "unassigned kernel");
        // Outside a scope nothing is deferred.
        var after = new Dense(3, biasInitializer: new Constant(0.5));
        after.Build([4]);
        Assert.Null(after.Weights[1].DeferredInitializer);
        Assert.All(after.Weights[1].Value.ToArray(), v => Assert.Equal(0.5f, v));
    }

    [Fact]
    public void AScopeLeftWithoutCompletingStillFillsItsWeights()
    {
        var d = new Dense(3, biasInitializer: new Constant(2));
        using (DeferredInit.Begin()) d.Build([4]);
        Assert.Null(d.Weights[1].DeferredInitializer);
        Assert.All(d.Weights[1].Value.ToArray(), v => Assert.Equal(2f, v));
    }

    [Fact]
    public void AShapeTheInitializerCannotFillIsRefusedWhenTheWeightIsCreated()
    {
        string Refusal(Initializer init)
        {
            var conv = new Conv2D(2, (3, 3), kernelInitializer: init);
            return Assert.ThrowsAny<KerasNetException>(() => conv.Build([5, 5, 1])).Message;
        }
        string eagerIdentity = Refusal(new Identity());
        string eagerOrthogonalBias = Assert.ThrowsAny<KerasNetException>(() => new Dense(3, biasInitializer: new Orthogonal()).Build([4])).Message;
        using var scope = DeferredInit.Begin();
        Assert.Equal(eagerIdentity, Refusal(new Identity()));
        Assert.Contains("Identity initializer can only be used for 2-D weights", eagerIdentity);
        Assert.Equal(eagerOrthogonalBias, Assert.ThrowsAny<KerasNetException>(() => new Dense(3, biasInitializer: new Orthogonal()).Build([4])).Message);
        scope!.Complete();
    }

    private sealed class CountingInitializer : Initializer
    {
        public int Fills { get; private set; }
        public override string ClassName => "CountingInitializer";
        public override void Fill(Span<float> values, int[] shape) { Fills++; values.Fill(3); }
        public override System.Text.Json.Nodes.JsonObject GetConfig() => [];
    }

    [Fact]
    public void AUsersInitializerRunsAtOnceEvenInsideAScope()
    {
        var init = new CountingInitializer();
        var d = new Dense(2, kernelInitializer: init);
        using (var scope = DeferredInit.Begin())
        {
            d.Build([2]);
            Assert.Equal(1, init.Fills);
            d.Weights[0].Assign(new float[4]);
            scope!.Complete();
        }
        Assert.Equal(1, init.Fills);
    }
}
