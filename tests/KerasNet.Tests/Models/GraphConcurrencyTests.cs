using System.Collections.Concurrent;
using KerasNet.Callbacks;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;
using NumSharp;
using static KerasNet.Tests.Models.GraphTestKit;

namespace KerasNet.Tests.Models;

/// <summary>
/// Issue 10 (c): one model serves Predict and Evaluate from many threads at once (a layer keeps no per-call state;
/// each call evaluates in a context of its own), training waits for them and they for it, and one model trains on
/// one thread at a time. Answers are compared bit for bit with single-threaded ones: the kernels partition work the
/// same way whichever thread runs it.
/// </summary>
public class GraphConcurrencyTests
{
    private static Sequential ConvNet(int seed)
    {
        KerasBackend.ClearSession();
        KerasRandom.SetRandomSeed(seed);
        var m = new Sequential();
        m.Add(new Conv2D(4, (3, 3), inputShape: (12, 12, 3), activation: "relu"));
        m.Add(new MaxPooling2D(poolSize: (2, 2)));
        m.Add(new Conv2D(6, (3, 3), activation: "relu"));
        m.Add(new Flatten());
        m.Add(new Dense(16, activation: "relu"));
        m.Add(new Dense(3, activation: "softmax"));
        m.Compile(new Adam(0.01), "categorical_crossentropy", ["accuracy"]);
        return m;
    }

    private static (Tensor x, Tensor y) Data(int n, int seed)
    {
        var r = new Random(seed);
        return (Rand(r, 0, 1, n, 12, 12, 3), OneHot(n, 3, seed));
    }

    /// <summary>Samples [start, start + count) of x as an NDArray.</summary>
    private static NDArray Rows(Tensor x, int start, int count)
    {
        var shape = (int[])x.Shape.Clone();
        shape[0] = count;
        return new Tensor(x.Buffer.AsSpan(start * x.SampleSize, count * x.SampleSize).ToArray(), shape).ToNDArray();
    }

    private static Model SavedAndLoaded(string dir)
    {
        var m = ConvNet(1);
        var (x, y) = Data(48, 2);
        m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        var path = Path.Combine(dir, "conv.h5");
        m.Save(path);
        return Keras.LoadModel(path);
    }

    private static void RunThreads(int threads, Action<int> body)
    {
        var errors = new ConcurrentQueue<Exception>();
        using var start = new Barrier(threads);
        var ts = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try { start.SignalAndWait(); body(t); }
            catch (Exception e) { errors.Enqueue(e); }
        })).ToList();
        ts.ForEach(t => t.Start());
        ts.ForEach(t => t.Join());
        if (!errors.IsEmpty) throw new AggregateException(errors);
    }

    [Fact]
    public void LoadedModelPredictsFromEightThreadsWithVaryingBatchSizes_BitIdenticalToOneThread()
    {
        var dir = Oracle.TempDir();
        try
        {
            var m = SavedAndLoaded(dir);
            var (x, _) = Data(40, 3);
            const int calls = 200, threads = 8;
            // Call i: samples [start, start + count) at batch size 1..17.
            var plan = Enumerable.Range(0, calls).Select(i => (start: (i * 7) % 20, count: 1 + (i * 13) % 20, batch: 1 + i % 17)).ToArray();
            var inputs = plan.Select(p => Rows(x, p.start, p.count)).ToArray();
            var expected = plan.Select((p, i) => m.Predict(inputs[i], batchSize: p.batch).ToArray<float>()).ToArray();
            var got = new float[calls][];

            RunThreads(threads, t =>
            {
                for (int i = t; i < calls; i += threads) got[i] = m.Predict(inputs[i], batchSize: plan[i].batch).ToArray<float>();
            });

            for (int i = 0; i < calls; i++) BitEqual(expected[i], got[i], $"call {i} (batch {plan[i].batch}, {plan[i].count} samples)");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void EvaluateFromSeveralThreadsEqualsOneThread()
    {
        var dir = Oracle.TempDir();
        try
        {
            var m = SavedAndLoaded(dir);
            Assert.True(m.IsCompiled);
            var (x, y) = Data(30, 4);
            var (nx, ny) = (x.ToNDArray(), y.ToNDArray());
            int[] batches = [1, 4, 7, 16, 30];
            var expected = batches.Select(b => m.Evaluate(nx, ny, batchSize: b, verbose: 0)).ToArray();
            var got = new double[4, 10][];
            RunThreads(4, t =>
            {
                for (int k = 0; k < 10; k++) got[t, k] = m.Evaluate(nx, ny, batchSize: batches[(t + k) % batches.Length], verbose: 0);
            });
            for (int t = 0; t < 4; t++)
                for (int k = 0; k < 10; k++)
                    Assert.Equal(expected[(t + k) % batches.Length], got[t, k]);
        }
        finally { Directory.Delete(dir, true); }
    }

    /// <summary>A freshly compiled model evaluated by several threads at once: the first batch resolves the
    /// losses and metrics against the outputs, which must happen once, not half by each thread.</summary>
    [Fact]
    public void FirstEvaluateOfACompiledModelFromSeveralThreadsAtOnce()
    {
        var (x, y) = Data(12, 5);
        var (nx, ny) = (x.ToNDArray(), y.ToNDArray());
        var reference = ConvNet(6);
        var expected = reference.Evaluate(nx, ny, batchSize: 4, verbose: 0);
        for (int round = 0; round < 200; round++)
        {
            var m = ConvNet(6);
            var got = new double[8][];
            RunThreads(8, t => got[t] = m.Evaluate(nx, ny, batchSize: 4, verbose: 0));
            foreach (var g in got) Assert.Equal(expected, g);
        }
    }

    /// <summary>A Sequential without an input shape is built by its first call: eight first calls at once build it once.</summary>
    [Fact]
    public void FirstPredictOfAnUnbuiltSequentialFromSeveralThreadsAtOnce()
    {
        var x = Data(6, 12).x;
        float[]? expected = null;
        for (int round = 0; round < 30; round++)
        {
            KerasBackend.ClearSession();
            KerasRandom.SetRandomSeed(13);
            var m = new Sequential();
            m.Add(new Conv2D(3, (3, 3), activation: "relu"));
            m.Add(new Flatten());
            m.Add(new Dense(2, activation: "softmax"));
            var got = new float[8][];
            RunThreads(8, t => got[t] = m.PredictOnBatch(x)[0].ToArray());
            expected ??= got[0];
            foreach (var g in got) BitEqual(expected, g, $"round {round}");
            Assert.Equal(["conv2d", "flatten", "dense"], m.Layers.Select(l => l.Name));
            Assert.Single(m.GetLayer("dense").InboundNodesList);
        }
    }

    /// <summary>
    /// Predict on threads while another thread runs Fit: a prediction never sees half-updated weights, so each one
    /// equals the prediction with the weights after some step (or before the first), and a thread's predictions
    /// never go back in time.
    /// </summary>
    [Fact]
    public void PredictWhileAnotherThreadFits_EachAnswerIsThatOfSomeStepsWeights()
    {
        var m = ConvNet(7);
        var (x, y) = Data(64, 8);
        var probe = Data(5, 9).x;
        var snapshots = new List<List<NDArray>> { m.GetWeights() };
        var recorder = new LambdaCallback(onBatchEnd: (_, _) => snapshots.Add(m.GetWeights()));
        var answers = new ConcurrentQueue<(int thread, int seq, float[] p)>();
        using var fitting = new ManualResetEventSlim();
        int done = 0;
        var fit = new Thread(() =>
        {
            fitting.Set();
            m.Fit(x, y, batchSize: 4, epochs: 2, verbose: 0, callbacks: [recorder]);
            Volatile.Write(ref done, 1);
        });
        fit.Start();
        fitting.Wait();
        RunThreads(3, t =>
        {
            int seq = 0;
            while (Volatile.Read(ref done) == 0 || seq < 3)
                answers.Enqueue((t, seq++, m.PredictOnBatch(probe)[0].ToArray()));
        });
        fit.Join();

        // The prediction of every weight state, single-threaded.
        var byState = snapshots.Select(w => { m.SetWeights(w); return m.PredictOnBatch(probe)[0].ToArray(); }).ToList();
        Assert.Equal(32 + 1, byState.Count);
        int distinct = 0;
        foreach (var group in answers.GroupBy(a => a.thread))
        {
            int last = -1;
            foreach (var (_, seq, p) in group.OrderBy(a => a.seq))
            {
                int state = byState.FindIndex(s => s.AsSpan().SequenceEqual(p));
                Assert.True(state >= 0, $"thread {group.Key}, prediction {seq} matches no step's weights (a torn read)");
                Assert.True(state >= last, $"thread {group.Key}: prediction {seq} is of step {state}, after one of step {last}");
                if (state != last) distinct++;
                last = state;
            }
        }
        Assert.True(distinct >= 3, $"predictions saw only {distinct} weight states; the threads did not overlap the Fit");
    }

    [Fact]
    public void TwoThreadsFittingOneModel_TheSecondGetsAClearError()
    {
        var m = ConvNet(10);
        var (x, y) = Data(32, 11);
        Exception? second = null, secondStep = null;
        var probe = new LambdaCallback(onBatchEnd: (batch, _) =>
        {
            if (batch != 1) return;
            // Fit is running on this thread, between two steps: another thread's Fit and TrainOnBatch are refused.
            var t = new Thread(() =>
            {
                try { m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0); } catch (Exception e) { second = e; }
                try { m.TrainOnBatch(new KerasNet.Data.Batch(x, y)); } catch (Exception e) { secondStep = e; }
            });
            t.Start();
            t.Join();
        });
        var h = m.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, callbacks: [probe]);
        Assert.Equal(2, h.history["loss"].Count);
        foreach (var e in new[] { second, secondStep })
        {
            var k = Assert.IsType<KerasNetException>(e);
            Assert.Contains("already being trained on another thread", k.Message);
            Assert.Contains(m.Name, k.Message);
        }
        // Once the first Fit is over, another thread may train the model.
        var later = new Thread(() => m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0));
        later.Start();
        later.Join();
        // Two Fits started together: one runs, the other is refused (never interleaved steps).
        var outcomes = new ConcurrentQueue<Exception?>();
        RunThreads(2, _ =>
        {
            try { m.Fit(x, y, batchSize: 2, epochs: 3, verbose: 0); outcomes.Enqueue(null); }
            catch (KerasNetException e) { outcomes.Enqueue(e); }
        });
        Assert.Contains(outcomes, o => o is null);
    }
}

/// <summary>
/// Concurrent Evaluate with sparse_categorical_crossentropy. Fails today: SparseCategoricalCrossentropy.Compute
/// builds its one-hot targets in a field of the loss object (_oneHot), which concurrent Evaluate calls of one model
/// share (the loss runs under the model's read lock, so Fit's step is safe; two Evaluates are not). Outside the core
/// files of this branch: reported, to be fixed in Losses (a per-call or per-context buffer), then un-skipped.
/// </summary>
public class GraphConcurrencySparseTests
{
    [Fact]
    public void EvaluateWithSparseCrossEntropyFromSeveralThreadsEqualsOneThread()
    {
        KerasBackend.ClearSession();
        var m = new Sequential();
        m.Add(new Dense(8, activation: "relu", inputShape: 6));
        m.Add(new Dense(4, activation: "softmax"));
        SetRandomWeights(m, 1);
        m.Compile("adam", "sparse_categorical_crossentropy", ["accuracy"]);
        var r = new Random(2);
        var x = Rand(r, -1, 1, 64, 6).ToNDArray();
        var y = new Tensor(Enumerable.Range(0, 64).Select(i => (float)(i % 4)).ToArray(), 64).ToNDArray();
        int[] batches = [1, 3, 8, 64];
        var expected = batches.Select(b => m.Evaluate(x, y, batchSize: b, verbose: 0)).ToArray();
        var got = new double[4][][];
        using var go = new Barrier(4);
        var ts = Enumerable.Range(0, 4).Select(t => new Thread(() =>
        {
            go.SignalAndWait();
            got[t] = Enumerable.Range(0, 300).Select(k => m.Evaluate(x, y, batchSize: batches[(t + k) % 4], verbose: 0)).ToArray();
        })).ToList();
        ts.ForEach(t => t.Start());
        ts.ForEach(t => t.Join());
        for (int t = 0; t < 4; t++)
            for (int k = 0; k < 300; k++) Assert.Equal(expected[(t + k) % 4], got[t][k]);
    }
}
