#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Preprocessing.Image;

namespace KerasNet.Tests.Preprocessing;

/// <summary>Iterator semantics: steps, short last batch, labels per class_mode, shuffling, seeding and prefetching.</summary>
public sealed class IteratorTests
{
    private static DirectoryIterator Flow(string dir, ImageDataGenerator? gen = null, string? classMode = "categorical",
        int batchSize = 4, bool shuffle = false, int? seed = null) =>
        (gen ?? new ImageDataGenerator(rescale: 1.0 / 255)).FlowFromDirectory(dir, targetSize: (9, 7), classMode: classMode,
            batchSize: batchSize, shuffle: shuffle, seed: seed, output: TextWriter.Null);

    [Fact]
    public void StepsLastBatchAndLabelsFollowClassMode()
    {
        var dir = TestImages.Folder(5, 4);
        var it = Flow(dir);
        Assert.Equal(9, it.Samples);
        Assert.Equal(3, it.Count);
        Assert.Equal(2, it.NumClasses);
        Assert.Equal(new[] { 0, 0, 0, 0, 0, 1, 1, 1, 1 }, it.Classes);
        Assert.Equal("a/a0.bmp", it.Filenames[0]);
        var last = it.GetBatch(2);
        Assert.Equal(new[] { 1, 9, 7, 3 }, last.X.Shape);
        Assert.Equal(new[] { 1, 2 }, last.Y!.Shape);
        Assert.Equal(new[] { 0f, 1f }, last.Y.ToArray());

        var first = Flow(dir, classMode: "sparse").GetBatch(1);
        Assert.Equal(new[] { 4 }, first.Y!.Shape);
        Assert.Equal(new[] { 0f, 1f, 1f, 1f }, first.Y.ToArray());
        var binary = Flow(dir, classMode: "binary").GetBatch(1);
        Assert.Equal(new[] { 4, 1 }, binary.Y!.Shape);
        Assert.Equal(new[] { 0f, 1f, 1f, 1f }, binary.Y.ToArray());
        var input = Flow(dir, classMode: "input").GetBatch(0);
        Assert.Equal(input.X.ToArray(), input.Y!.ToArray());
        Assert.Null(Flow(dir, classMode: null).GetBatch(0).Y);
    }

    [Fact]
    public void PixelsAreTheNearestResizedFileTimesRescale()
    {
        var dir = TestImages.Folder(1, 1);
        var it = Flow(dir);
        var x = it.GetBatch(0).X;
        var direct = ImageLoader.Load(Path.Combine(dir, "a", "a0.bmp"), targetSize: (9, 7));
        for (int i = 0; i < direct.Length; i++) Assert.Equal(direct[i] * (float)(1.0 / 255), x[i]);
        // nearest from 17x13 to 7x9: output column 0 reads source column (int)(17/7*0.5) = 1, row (int)(13/9*0.5) = 0
        var src = TestImages.Pattern(17, 13, 0);
        Assert.Equal(src[1 * 3], direct[0]);
    }

    [Fact]
    public void ShuffleVisitsEverySampleOncePerEpochAndReshuffles()
    {
        var dir = TestImages.Folder(12, 11);
        var it = Flow(dir, batchSize: 5, shuffle: true, seed: 3);
        var orders = new List<int[]>();
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var seen = new List<int>();
            for (int b = 0; b < it.Count; b++)
            {
                var y = it.GetBatch(b).Y!;
                seen.AddRange(it.IndexArray.Skip(b * 5).Take(y.BatchSize));
                for (int i = 0; i < y.BatchSize; i++) Assert.Equal(1f, y[i * 2 + it.Classes[it.IndexArray[b * 5 + i]]]);
            }
            Assert.Equal(Enumerable.Range(0, 23), seen.OrderBy(v => v));
            orders.Add(seen.ToArray());
            it.OnEpochEnd();
        }
        Assert.NotEqual(orders[0], orders[1]);
        Assert.NotEqual(orders[1], orders[2]);
    }

    [Fact]
    public void SeededAugmentationRepeatsWithOrWithoutPrefetchAndInAnyOrder()
    {
        var dir = TestImages.Folder(6, 6);
        ImageDataGenerator Gen() => new(rescale: 1.0 / 255, rotationRange: 30, zoomRange: 0.2, horizontalFlip: true, widthShiftRange: 0.1);
        float[][] Run(bool prefetch, bool reverse, int seed)
        {
            var it = Flow(dir, Gen(), batchSize: 5, shuffle: true, seed: seed);
            it.Prefetch = prefetch;
            var r = new float[it.Count * 2][];
            for (int epoch = 0; epoch < 2; epoch++)
            {
                var idx = Enumerable.Range(0, it.Count);
                foreach (int b in reverse ? idx.Reverse() : idx) r[epoch * it.Count + b] = it.GetBatch(b).X.ToArray();
                it.OnEpochEnd();
            }
            return r;
        }
        var a = Run(true, false, 11);
        Assert.Equal(a, Run(false, false, 11));
        Assert.Equal(a, Run(true, true, 11));
        Assert.NotEqual(a, Run(true, false, 12));
        Assert.NotEqual(a[0], a[3]); // epoch 2 batch 0 differs from epoch 1 batch 0
    }

    [Fact]
    public void FlowOverArraysKeepsRowsTogether()
    {
        var x = new Tensor(7, 4, 3, 2);
        var y = new Tensor(7, 1);
        for (int i = 0; i < 7; i++) { y[i] = i; for (int k = 0; k < 24; k++) x[i * 24 + k] = i * 100 + k; }
        var it = new ImageDataGenerator(rescale: 0.5).Flow(x, y, batchSize: 3, shuffle: true, seed: 5);
        Assert.Equal(3, it.Count);
        for (int b = 0; b < it.Count; b++)
        {
            var batch = it.GetBatch(b);
            for (int i = 0; i < batch.X.BatchSize; i++)
            {
                int row = (int)batch.Y![i];
                for (int k = 0; k < 24; k++) Assert.Equal((row * 100 + k) * 0.5f, batch.X[i * 24 + k]);
            }
        }
        Assert.Throws<ShapeMismatchException>(() => new ImageDataGenerator().Flow(new Tensor(3, 4, 4), null));
    }

    [Fact]
    public void PreprocessingFunctionRunsBeforeRescale()
    {
        var dir = TestImages.Folder(2, 1);
        var gen = new ImageDataGenerator(rescale: 0.5, preprocessingFunction: t => { for (int i = 0; i < t.Length; i++) t[i] = 10; return t; });
        Assert.All(Flow(dir, gen).GetBatch(0).X.ToArray(), v => Assert.Equal(5f, v));
    }

    [Fact]
    public void FeedsFitAndPredictInFilenameOrder()
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(7);
        var dir = TestImages.Folder(6, 5);
        var model = new Sequential();
        model.Add(new Flatten(inputShape: (9, 7, 3)));
        model.Add(new Dense(2, activation: "softmax"));
        model.Compile(optimizer: "Adam", loss: "categorical_crossentropy", metrics: ["accuracy"]);
        model.ProgressOutput = TextWriter.Null;
        var train = Flow(dir, new ImageDataGenerator(rescale: 1.0 / 255, horizontalFlip: true), batchSize: 4, shuffle: true, seed: 1);
        var history = model.Fit(train, epochs: 2, verbose: 0);
        Assert.Equal(2, history.history["loss"].Count);
        var test = Flow(dir, batchSize: 3);
        var p = model.PredictTensor(test);
        Assert.Equal(new[] { 11, 2 }, p.Shape);
        // row i of Predict is file i: predicting that file alone gives the same row
        var one = ImageLoader.Load(Path.Combine(dir, test.Filenames[8]), targetSize: (9, 7));
        for (int k = 0; k < one.Length; k++) one[k] *= (float)(1.0 / 255);
        var single = model.Predict(one.Reshape(1, 9, 7, 3));
        Assert.Equal(p[16], single[0], 5);
    }
}
