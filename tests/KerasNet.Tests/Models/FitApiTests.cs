using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Models;

/// <summary>Fit's verbose=2 text, shuffle modes, Evaluate/Predict steps and returnDict, refusals, and Dense's inputDim.</summary>
public class FitApiTests
{
    internal static Sequential Classifier(int seed)
    {
        KerasRandom.SetRandomSeed(seed);
        var m = new Sequential();
        m.Add(new Dense(5, activation: "tanh", inputDim: 4));
        m.Add(new Dense(3, activation: "softmax"));
        m.Compile(new SGD(0.5), "categorical_crossentropy", ["accuracy"]);
        m.ProgressOutput = new StringWriter();
        return m;
    }

    [SkippableFact]
    public void Verbose2PrintsTfKeras24EpochLines()
    {
        Oracle.RequirePython();
        var m = Classifier(2);
        var (x, y) = FitOptionsTfjsTests.Data(20, seed: 1);
        var h = m.Fit(x, y, batchSize: 6, epochs: 2, verbose: 2, validationSplit: 0.2, shuffle: false);
        string text = m.ProgressOutput!.ToString()!;
        var seconds = Regex.Matches(text, @" - (\d+)s - ").Select(g => g.Groups[1].Value).ToArray();
        Assert.Equal(2, seconds.Length);
        // tf.keras 2.4 (ProgbarLogger + Progbar verbose=2), transcribed: "Epoch e/E" when epochs > 1, then at the end
        // of the epoch '%{digits}d/%d' % (seen, target) + ' - %.0fs' + (' - k: %.4f' if v > 1e-3 else ' - k: %.4e').
        var payload = JsonSerializer.Serialize(new { history = h.history, keys = new[] { "loss", "accuracy", "val_loss", "val_accuracy" }, seconds, target = 3 });
        var expected = Oracle.RunPythonCode("""
            import json, sys, numpy as np
            p = json.loads(sys.argv[1])
            out = []
            for e in range(2):
                out.append('Epoch %d/%d' % (e + 1, 2))
                numdigits = int(np.log10(p['target'])) + 1
                info = ('%' + str(numdigits) + 'd/%d') % (p['target'], p['target']) + ' - %.0fs' % float(p['seconds'][e])
                for k in p['keys']:
                    v = p['history'][k][e]
                    info += ' - %s:' % k
                    info += (' %.4f' % v) if v > 1e-3 else (' %.4e' % v)
                out.append(info)
            sys.stdout.write('\n'.join(out) + '\n')
            """, payload);
        Assert.Equal(expected, text.Replace("\r\n", "\n"));
    }

    [Fact]
    public void Verbose0PrintsNothingAndVerbose3IsRefused()
    {
        var m = Classifier(2);
        var (x, y) = FitOptionsTfjsTests.Data(12, seed: 1);
        m.Fit(x, y, epochs: 2, verbose: 0);
        Assert.Equal("", m.ProgressOutput!.ToString());
        var e = Assert.Throws<KerasNetException>(() => m.Fit(x, y, verbose: 3));
        Assert.Contains("verbose", e.Message);
    }

    [Fact]
    public void BatchShuffleKeepsBlocksOfConsecutiveSamplesInANewOrderEachEpoch()
    {
        // tf.keras 2.4's shuffle="batch": the index batches [0..b), [b..2b), ... (the short one last) are shuffled
        // as wholes, then each batch's rows are shuffled.
        int n = 23, b = 5;
        var x = new Tensor(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), n, 1);
        var seq = new ArraySequence([x], null, b, shuffle: true, batchWise: true, seed: 4);
        var orders = new List<int[]>();
        for (int epoch = 0; epoch < 4; epoch++)
        {
            var blocks = new List<int>();
            for (int i = 0; i < seq.Count; i++)
            {
                var rows = seq.GetBatch(i).X.ToArray().Select(v => (int)v).ToArray();
                int block = rows.Min() / b;
                Assert.Equal(Enumerable.Range(block * b, Math.Min(b, n - block * b)), rows.Order());
                blocks.Add(block);
            }
            Assert.Equal(Enumerable.Range(0, seq.Count), blocks.Order());
            orders.Add(blocks.ToArray());
            seq.OnEpochEnd();
        }
        Assert.True(orders.Skip(1).Any(o => !o.SequenceEqual(orders[0])), "the batch order never changed");
        // The same seed gives the same batches.
        var again = new ArraySequence([x], null, b, shuffle: true, batchWise: true, seed: 4);
        Assert.Equal(seq.Count, again.Count);
        var first = new ArraySequence([x], null, b, shuffle: true, batchWise: true, seed: 4);
        for (int i = 0; i < first.Count; i++) Assert.Equal(first.GetBatch(i).X.ToArray(), again.GetBatch(i).X.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData("batch")]
    public void SeededShuffledFitIsReproducible(object shuffle)
    {
        ShuffleMode mode = shuffle is bool s ? s : (string)shuffle;
        var (x, y) = FitOptionsTfjsTests.Data(30, seed: 8);
        float[] Run()
        {
            var m = Classifier(9);
            m.Fit(x, y, batchSize: 4, epochs: 3, verbose: 0, shuffle: mode);
            return m.Weights.SelectMany(w => w.Value.ToArray()).ToArray();
        }
        var a = Run();
        Assert.Equal(a, Run());
        var unshuffled = Classifier(9);
        unshuffled.Fit(x, y, batchSize: 4, epochs: 3, verbose: 0, shuffle: false);
        Assert.NotEqual(a, unshuffled.Weights.SelectMany(w => w.Value.ToArray()).ToArray());
    }

    [Fact]
    public void ArrayFitAllocatesNothingPerStep()
    {
        var (x, y) = FitOptionsTfjsTests.Data(400, seed: 8);
        var (xs, ys) = FitOptionsTfjsTests.Data(40, seed: 8);
        var m = Classifier(1);
        m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0); // warm: buffers, resolution
        m.Fit(xs, ys, batchSize: 8, epochs: 1, verbose: 0);
        long Measure(Tensor a, Tensor b)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            m.Fit(a, b, batchSize: 8, epochs: 1, verbose: 0);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        long small = Measure(xs, ys), large = Measure(x, y);
        // 45 more steps; the sample order array grows by 4 bytes a sample (32 a step of 8): allow that and nothing else.
        Assert.True(large - small <= 45 * 32 + 512, $"{(large - small) / 45.0:F0} bytes per extra step ({small} for 5 steps, {large} for 50)");
    }

    [SkippableFact]
    public void EvaluateStepsAndReturnDict()
    {
        Oracle.RequirePython("numpy");
        var m = Classifier(4);
        var (x, y) = FitOptionsTfjsTests.Data(13, seed: 2);
        var all = m.Evaluate(x.ToNDArray(), y.ToNDArray(), batchSize: 4, verbose: 0);
        var dict = m.Evaluate(x.ToNDArray(), y.ToNDArray(), returnDict: true, batchSize: 4, verbose: 0);
        Assert.Equal(m.MetricsNames, dict.Keys);
        Assert.Equal(all, dict.Values);
        // steps=2 of batch 4: the first 8 rows; with steps alone the batch is ceil(13 / 2) = 7, so 2 steps are all 13.
        var p = m.Predict(x.ToNDArray(), batchSize: 13, verbose: 0).ToArray<float>();
        string code = """
            import json, sys, numpy as np
            a = json.loads(sys.argv[1]); p = np.array(a['p'], dtype=np.float64).reshape(-1, 3); y = np.array(a['y']).reshape(-1, 3)
            def ev(rows):
                pp = np.clip(p[rows], 1e-7, 1 - 1e-7)
                return [float(np.mean(-np.sum(y[rows] * np.log(pp), axis=1))), float(np.mean(np.argmax(p[rows], 1) == np.argmax(y[rows], 1)))]
            print(json.dumps([ev(slice(0, 8)), ev(slice(0, 13))]))
            """;
        var expected = JsonSerializer.Deserialize<double[][]>(Oracle.RunPythonCode(code, JsonSerializer.Serialize(new { p, y = y.ToArray() })))!;
        var two = m.Evaluate(x.ToNDArray(), y.ToNDArray(), batchSize: 4, verbose: 0, steps: 2);
        var byDefault = m.Evaluate(x.ToNDArray(), y.ToNDArray(), verbose: 0, steps: 2);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(expected[0][i], two[i], 5);
            Assert.Equal(expected[1][i], byDefault[i], 5);
        }
        Assert.Equal(new long[] { 8, 3 }, m.Predict(x.ToNDArray(), batchSize: 4, steps: 2).shape.Select(d => (long)d));
        Assert.Equal(p.Take(24), m.Predict(x.ToNDArray(), batchSize: 4, steps: 2).ToArray<float>());
    }

    [Fact]
    public void ContradictoryOrInvalidOptionsAreRefused()
    {
        var m = Classifier(4);
        var (x, y) = FitOptionsTfjsTests.Data(10, seed: 2);
        Assert.Contains("validation_split and validation_data", Assert.Throws<KerasNetException>(() => m.Fit(x, y, validationSplit: 0.2, validationData: (x, y), verbose: 0)).Message);
        Assert.Contains("validation_freq", Assert.Throws<KerasNetException>(() => m.Fit(x, y, validationFreq: 0, verbose: 0)).Message);
        Assert.Contains("\"batch\"", Assert.Throws<KerasNetException>(() => m.Fit(x, y, shuffle: "sample", verbose: 0)).Message);
        Assert.Contains("steps_per_epoch", Assert.Throws<KerasNetException>(() => m.Fit(x, y, stepsPerEpoch: 0, verbose: 0)).Message);
        Assert.Contains("not sufficient to split", Assert.Throws<KerasNetException>(() => m.Fit(x, y, validationSplit: 0.95, verbose: 0)).Message);
        Assert.Contains("returnDict", Assert.Throws<KerasNetException>(() => m.Evaluate(x.ToNDArray(), y.ToNDArray(), returnDict: false, verbose: 0)).Message);
        Assert.Equal(ShuffleMode.Batch, (ShuffleMode)"BATCH");
    }

    [Fact]
    public void DenseInputDimIsKerasInputShapeOfOneAxis()
    {
        var a = new Sequential([new Dense(32, inputDim: 784, name: "h"), new Dense(10, name: "o")], name: "m");
        var b = new Sequential([new Dense(32, inputShape: 784, name: "h"), new Dense(10, name: "o")], name: "m");
        Assert.Equal("(None, 784)", ShapeText(a));
        Assert.Contains("[null, 784]", a.ToJson());
        Assert.Equal(b.ToJson(), a.ToJson());
        Assert.Contains("disagree", Assert.Throws<KerasNetException>(() => new Dense(3, inputShape: 5, inputDim: 4)).Message);
        Assert.Contains("positive", Assert.Throws<KerasNetException>(() => new Dense(3, inputDim: 0)).Message);
        _ = new Dense(3, inputShape: 4, inputDim: 4); // the same shape twice is accepted
    }

    [Fact]
    public void ValidationOnABatchSourceWithStepsAndFrequency()
    {
        var (x, y) = FitOptionsTfjsTests.Data(16, seed: 5);
        var (vx, vy) = FitOptionsTfjsTests.Data(9, seed: 6);
        var m = Classifier(6);
        // Arrays trained, a batch source validated (every 2nd epoch, its first 2 batches of 3).
        var h = m.Fit(x.ToNDArray(), y.ToNDArray(), new ArraySequence(vx, vy, 3), batchSize: 4, epochs: 4, verbose: 0,
            validationSteps: 2, validationFreq: 2);
        Assert.Equal(4, h.history["loss"].Count);
        Assert.Equal(2, h.history["val_loss"].Count);
        var first6 = m.Evaluate(new ArraySequence(vx, vy, 6), verbose: 0, steps: 1);
        Assert.Equal(first6[0], h.history["val_loss"][^1], 6);
        Assert.Equal(first6[1], h.history["val_accuracy"][^1], 6);
        // The same on the batch-source Fit, validating after the listed epochs.
        var h2 = m.Fit(new ArraySequence(x, y, 4), epochs: 3, verbose: 0, validationData: new ArraySequence(vx, vy, 3), validationFreq: new[] { 1, 3 });
        Assert.Equal(2, h2.history["val_loss"].Count);
        Assert.Equal(m.Evaluate(new ArraySequence(vx, vy, 9), verbose: 0)[0], h2.history["val_loss"][^1], 6);
    }

    private static string ShapeText(Model m) => "(None, " + string.Join(", ", m.Inputs[0].Shape) + ")";
}
