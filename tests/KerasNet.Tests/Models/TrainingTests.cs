using System.Text.RegularExpressions;
using KerasNet.Callbacks;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Tests.Models;

public class TrainingTests
{
    [Fact]
    public void SmallCnnLearnsSeparableImagesAbove95Percent()
    {
        KerasRandom.SetRandomSeed(7);
        var (x, y) = Synthetic.Bars(240, seed: 3);
        var (vx, vy) = Synthetic.Bars(80, seed: 4);
        var m = Synthetic.SmallCnn();
        var h = m.Fit(x, y, batchSize: 16, epochs: 6, verbose: 0, validationData: (vx, vy));
        var eval = m.Evaluate(new ArraySequence(vx, vy, 16), verbose: 0);
        Assert.True(eval[1] > 0.95, $"validation accuracy {eval[1]}");
        Assert.True(h.history["accuracy"][^1] > 0.95, $"training accuracy {h.history["accuracy"][^1]}");
        Assert.True(h.history["loss"][^1] < h.history["loss"][0], "loss did not decrease");
    }

    [Fact]
    public void HistoryHasOneValuePerEpochForEachKerasKey()
    {
        KerasRandom.SetRandomSeed(1);
        var (x, y) = Synthetic.Bars(40);
        var (vx, vy) = Synthetic.Bars(20, seed: 9);
        var m = Synthetic.SmallCnn();
        var h = m.Fit(x, y, batchSize: 8, epochs: 3, verbose: 0, validationData: (vx, vy));
        Assert.Equal(["accuracy", "loss", "val_accuracy", "val_loss"], h.history.Keys.Order());
        Assert.All(h.history.Values, v => Assert.Equal(3, v.Count));
        Assert.Equal([0, 1, 2], h.Epoch);
        // The last epoch's validation values are those of the final weights.
        var eval = m.Evaluate(vx.ToNDArray(), vy.ToNDArray(), batchSize: 8, verbose: 0);
        Assert.Equal(eval[0], h.history["val_loss"][^1], 6);
        Assert.Equal(eval[1], h.history["val_accuracy"][^1], 6);
        var h2 = m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        Assert.Equal(["accuracy", "loss"], h2.history.Keys.Order());
    }

    [Fact]
    public void ValidationSplitHoldsOutTheLastSamplesBeforeShuffling()
    {
        KerasRandom.SetRandomSeed(10);
        var (x, y) = Synthetic.Bars(40);
        var m = Synthetic.SmallCnn();
        var h = m.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, validationSplit: 0.25);
        Assert.Equal(2, h.history["val_loss"].Count);
        // Keras: split_at = int(40 * 0.75) = 30, so samples 30..39 validate.
        var tail = new Tensor(x.Buffer.AsSpan(30 * 100, 10 * 100).ToArray(), 10, 10, 10, 1);
        var tailY = new Tensor(y.Buffer.AsSpan(30 * 2, 10 * 2).ToArray(), 10, 2);
        var eval = m.Evaluate(new ArraySequence(tail, tailY, 8), verbose: 0);
        Assert.Equal(eval[0], h.history["val_loss"][^1], 1e-6);
        Assert.Throws<KerasNetException>(() => m.Fit(x, y, validationSplit: 1.0, verbose: 0));
    }

    [Fact]
    public void EvaluateReturnsLossAndAccuracyComputedFromThePredictions()
    {
        KerasRandom.SetRandomSeed(2);
        var (x, y) = Synthetic.Bars(30);
        var m = Synthetic.SmallCnn();
        m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        var r = m.Evaluate(new ArraySequence(x, y, 7), verbose: 0);
        Assert.Equal(2, r.Length);
        var p = m.PredictArray(new ArraySequence(x, null, 30));
        double loss = 0, hits = 0;
        for (int i = 0; i < 30; i++)
        {
            int cls = y[i * 2 + 1] == 1 ? 1 : 0;
            loss -= Math.Log(p[i, cls]);
            if ((p[i, 1] > p[i, 0] ? 1 : 0) == cls) hits++;
        }
        Assert.Equal(loss / 30, r[0], 5);
        Assert.Equal(hits / 30, r[1], 10);
    }

    [Fact]
    public void PredictKeepsInputOrderAcrossBatchesAndAShortLastBatch()
    {
        KerasRandom.SetRandomSeed(3);
        var (x, _) = Synthetic.Bars(23);
        var m = Synthetic.SmallCnn();
        var batched = m.PredictArray(new ArraySequence(x, null, 5));
        var nd = m.Predict(x.ToNDArray(), batchSize: 4);
        Assert.Equal(new[] { 23, 2 }, nd.shape.Select(d => (int)d));
        for (int i = 0; i < 23; i++)
        {
            var one = new Tensor(x.Buffer.AsSpan(i * 100, 100).ToArray(), 1, 10, 10, 1);
            var single = m.Predict(one);
            for (int j = 0; j < 2; j++)
            {
                Assert.Equal(single[j], batched[i, j], 5);
                Assert.Equal(single[j], nd.GetSingle(i, j), 5);
            }
        }
    }

    [Fact]
    public void VerboseOutputFollowsKeras24Lines()
    {
        KerasRandom.SetRandomSeed(5);
        var (x, y) = Synthetic.Bars(24);
        var (vx, vy) = Synthetic.Bars(8, seed: 2);
        string Run(int verbose, int epochs, bool validation)
        {
            var m = Synthetic.SmallCnn();
            m.Fit(x, y, batchSize: 8, epochs: epochs, verbose: verbose, validationData: validation ? (vx, vy) : null);
            return m.ProgressOutput!.ToString()!;
        }
        Assert.Equal("", Run(0, 2, true));

        const string v = @"\d\.\d{4}";
        var one = Run(1, 2, true).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, one.Length);
        Assert.Equal("Epoch 1/2", one[0]);
        Assert.Equal("Epoch 2/2", one[2]);
        Assert.Matches(new Regex($@"^3/3 \[==============================\] - \d+s \d+(us|ms|s)/step - loss: {v} - accuracy: {v} - val_loss: {v} - val_accuracy: {v}$"), one[1]);

        var single = Run(1, 1, false).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(new Regex($@"^3/3 \[=+\] - \d+s \d+(us|ms|s)/step - loss: {v} - accuracy: {v}$"), Assert.Single(single)); // no "Epoch 1/1"

        var two = Run(2, 2, true).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, two.Length);
        Assert.Matches(new Regex($@"^3/3 - \d+s - loss: {v} - accuracy: {v} - val_loss: {v} - val_accuracy: {v}$"), two[3]);
    }

    [Fact]
    public void PrintedEpochValuesAreTheHistoryValues()
    {
        KerasRandom.SetRandomSeed(6);
        var (x, y) = Synthetic.Bars(24);
        var m = Synthetic.SmallCnn();
        var h = m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 2);
        var line = m.ProgressOutput!.ToString()!.Trim();
        Assert.EndsWith($" - loss: {Progbar.FormatValue(h.history["loss"][0])} - accuracy: {Progbar.FormatValue(h.history["accuracy"][0])}", line);
    }

    [Theory]
    [InlineData("softmax", "categorical_crossentropy")]
    [InlineData("sigmoid", "binary_crossentropy")]
    public void FirstStepOfAModelBuiltAfterCompileUsesTheCorrectGradient(string activation, string loss)
    {
        // The model is compiled before its input shape is known, so the loss fusion is set up on the first batch.
        KerasRandom.SetRandomSeed(8);
        var m = new Sequential();
        m.Add(new Dense(3, activation: activation));
        m.Compile(new KerasNet.Optimizers.SGD(0.5), loss);
        m.Build([4]);
        var rng = new Random(2);
        var x = Synthetic.Uniform(rng, -1, 1, 5, 4);
        var y = new Tensor(5, 3);
        for (int i = 0; i < 5; i++) y[i * 3 + i % 3] = 1;
        var w0 = m.Weights.Select(w => w.Value.ToArray()).ToList();
        var p = m.Predict(x);
        m.TrainStep(new Batch(x, y));
        // Softmax + categorical and sigmoid + binary cross-entropy both give dL/dz = (p - y) / N per output
        // (binary is averaged over the 3 outputs too); w -= lr * x^T dL/dz, b -= lr * sum(dL/dz).
        double scale = loss == "binary_crossentropy" ? 1.0 / 15 : 1.0 / 5;
        var kernel = m.Weights.First().Value;
        var bias = m.Weights.Last().Value;
        for (int o = 0; o < 3; o++)
        {
            double db = 0;
            for (int n = 0; n < 5; n++) db += (p[n * 3 + o] - y[n * 3 + o]) * scale;
            Assert.Equal(w0[1][o] - 0.5 * db, bias[o], 1e-5);
            for (int i = 0; i < 4; i++)
            {
                double dw = 0;
                for (int n = 0; n < 5; n++) dw += x[n * 4 + i] * (p[n * 3 + o] - y[n * 3 + o]) * scale;
                Assert.Equal(w0[0][i * 3 + o] - 0.5 * dw, kernel[i * 3 + o], 1e-5);
            }
        }
    }

    [Fact]
    public void SigmoidOutputTrainsOnFlatBinaryLabelsAsOnColumnLabels()
    {
        var (x, y) = Synthetic.Bars(32);
        var flat = new Tensor(32);
        for (int i = 0; i < 32; i++) flat[i] = y[i * 2 + 1];
        Dictionary<string, List<double>> Run(Tensor labels)
        {
            KerasRandom.SetRandomSeed(9);
            var m = new Sequential();
            m.Add(new Flatten(inputShape: (10, 10, 1)));
            m.Add(new Dense(1, activation: "sigmoid"));
            m.Compile("adam", "binary_crossentropy", ["accuracy"]);
            return m.Fit(x, labels, batchSize: 8, epochs: 2, verbose: 0).history;
        }
        var a = Run(flat);
        var b = Run(new Tensor(flat.ToArray(), 32, 1));
        Assert.Equal(b["loss"], a["loss"]);
        Assert.Equal(b["accuracy"], a["accuracy"]);
        Assert.True(a["loss"][1] < a["loss"][0]);
    }

    [Fact]
    public void FitRequiresCompileAndMatchingTargets()
    {
        var m = new Sequential();
        m.Add(new Dense(2, inputShape: 3));
        var ex = Assert.Throws<KerasNetException>(() => m.Fit(new Tensor(4, 3), new Tensor(4, 2), verbose: 0));
        Assert.Contains("compile", ex.Message, StringComparison.OrdinalIgnoreCase);
        m.Compile("sgd", "mse");
        Assert.Throws<ShapeMismatchException>(() => m.Fit(new Tensor(4, 3), new Tensor(4, 5), verbose: 0));
        Assert.Throws<ShapeMismatchException>(() => m.Fit(new Tensor(4, 3), new Tensor(3, 2), verbose: 0));
    }
}

internal static class TensorTestExtensions
{
    public static NumSharp.NDArray ToNDArray(this Tensor t) => NDArrays.FromTensor(t);
}
