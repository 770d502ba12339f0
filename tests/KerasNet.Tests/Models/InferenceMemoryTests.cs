#nullable enable
using KerasNet.Applications;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Tests.TestUtil;
using Xunit.Abstractions;

namespace KerasNet.Tests.Models;

/// <summary>
/// One predict call at batch 1024 on the tutorial network grows its evaluation buffers to about 0.2 GB (every layer's
/// output for 1024 images; the inference convolutions unfold nothing and, fused with their pools, never store their
/// unpooled output). After the call the model keeps at most
/// <see cref="KerasLimits.MaxRetainedInferenceBytes"/> of them: measured as the managed heap after a full collection,
/// before and after the call. With the bound raised, the same call keeps more than the bound (the measurement can fail).
/// </summary>
[Collection(ProcessWideCollection.Name)] // gigabytes of buffers: it runs alone
public sealed class InferenceMemoryTests(ITestOutputHelper output)
{
    private const int Batch = 1024;

    private static long Heap()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    [Fact]
    public void ABatchOf1024IsNotPinnedForTheLifeOfTheModel()
    {
        KerasRandom.SetRandomSeed(1);
        var model = TutorialCnn.Build();
        var rng = new Random(2);
        var x = new Tensor(Batch, 64, 64, 3);
        for (int i = 0; i < x.Length; i++) x[i] = (float)rng.NextDouble();
        var first = model.PredictOnBatch(new Tensor(x.Buffer.AsSpan(0, 8 * x.SampleSize).ToArray(), 8, 64, 64, 3))[0];

        long before = Heap();
        var y = model.PredictOnBatch(x)[0];
        long afterOnBatch = Heap();
        model.PredictTensor(new ArraySequence(x, null, Batch));
        long afterPredict = Heap();
        long bound = KerasLimits.DefaultMaxRetainedInferenceBytes;
        output.WriteLine($"heap before {before / 1e6:F0} MB; after PredictOnBatch(1024) {afterOnBatch / 1e6:F0} MB; after Predict(batch 1024) {afterPredict / 1e6:F0} MB (bound {bound / 1e6:F0} MB)");
        // The call's own output (1024 x 2) and nothing of its buffers beyond the bound stay.
        Assert.True(afterOnBatch - before < bound, $"PredictOnBatch kept {(afterOnBatch - before) / 1e6:F0} MB");
        Assert.True(afterPredict - before < bound, $"Predict kept {(afterPredict - before) / 1e6:F0} MB");
        // The rows are what a small batch gives (released buffers change nothing in the results).
        for (int i = 0; i < first.Length; i++) Assert.True(Math.Abs(first[i] - y[i]) <= 1e-5f);

        // Raising the bound keeps the buffers, so the first measurement is not vacuous.
        KerasContext.Current.Limits.MaxRetainedInferenceBytes = long.MaxValue;
        model.PredictOnBatch(x);
        long kept = Heap();
        output.WriteLine($"with the bound raised: heap {kept / 1e6:F0} MB after the same call");
        Assert.True(kept - before > bound, $"with the bound raised only {(kept - before) / 1e6:F0} MB were kept");
        KerasContext.Current.Limits.MaxRetainedInferenceBytes = KerasLimits.DefaultMaxRetainedInferenceBytes;
        model.PredictOnBatch(x);
        long released = Heap();
        output.WriteLine($"back to the default bound: heap {released / 1e6:F0} MB after the next batch-1024 call");
        Assert.True(released - before < bound);
        GC.KeepAlive(model);
        GC.KeepAlive(x);
    }
}
