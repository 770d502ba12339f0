using System.Text.RegularExpressions;
using KerasNet.Callbacks;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Tests.Models;

[Collection("KerasSession")]
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
            return m.Output!.ToString()!;
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
        var line = m.Output!.ToString()!.Trim();
        Assert.EndsWith($" - loss: {Progbar.FormatValue(h.history["loss"][0])} - accuracy: {Progbar.FormatValue(h.history["accuracy"][0])}", line);
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
