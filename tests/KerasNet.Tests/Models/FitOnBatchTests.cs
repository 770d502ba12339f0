using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Models;

/// <summary>
/// TrainOnBatch / TestOnBatch / PredictOnBatch on arrays against tfjs-layers (TfjsGraphOracle: one SGD step per
/// batch, the loss before the step, the weights after it), with Keras's reset_metrics and return_dict.
/// </summary>
public class FitOnBatchTests
{
    [SkippableFact]
    public void OnBatchCallsMatchTfjsWithKerasRunningValues()
    {
        Oracle.RequireNodeTfjs();
        KerasRandom.SetRandomSeed(21);
        var m = new Sequential(name: "onbatch");
        m.Add(new Dense(5, activation: "tanh", inputDim: 4, name: "h"));
        m.Add(new Dense(3, activation: "softmax", name: "o"));
        m.Compile(new SGD(0.5), "categorical_crossentropy", ["accuracy"]);
        var (x, y) = FitOptionsTfjsTests.Data(10, seed: 3);
        Tensor Rows(Tensor t, int from, int to) => new(t.ToArray()[(from * t.SampleSize)..(to * t.SampleSize)], [to - from, .. t.Shape[1..]]);
        var (x1, y1, x2, y2) = (Rows(x, 0, 4), Rows(y, 0, 4), Rows(x, 4, 10), Rows(y, 4, 10));
        string json = m.ToJson();
        List<(int[], float[])> weights = m.Weights.Select(w => (w.Value.Shape.ToArray(), w.Value.ToArray())).ToList();
        TfjsGraphOracle.Result Step(Tensor bx, Tensor by)
        {
            var r = TfjsGraphOracle.Run(json, weights, [(bx.Shape, bx.ToArray())], [(by.Shape, by.ToArray())], ["categorical_crossentropy"], sgdLr: 0.5);
            weights = r.WeightsAfter!.Select(w => (w.Shape, w.Values)).ToList();
            return r;
        }
        double Accuracy(TfjsGraphOracle.Result r, Tensor by)
        {
            var p = r.Outputs[0].Values;
            var t = by.ToArray();
            int rows = by.Shape[0], hits = 0;
            for (int i = 0; i < rows; i++)
                if (ArgMax(p.AsSpan(i * 3, 3)) == ArgMax(t.AsSpan(i * 3, 3))) hits++;
            return (double)hits / rows;
        }

        var s1 = Step(x1, y1);
        var s2 = Step(x2, y2);
        var v1 = m.TrainOnBatch(x1.ToNDArray(), y1.ToNDArray(), resetMetrics: false);
        var v2 = m.TrainOnBatch(x2.ToNDArray(), y2.ToNDArray(), resetMetrics: false);
        Assert.Equal(2, v1.Length);
        Assert.Equal(s1.Loss!.Value, v1[0], 5);
        Assert.Equal(Accuracy(s1, y1), v1[1], 9);
        // reset_metrics=False: Keras's values are the running means over both batches, weighted by their sizes.
        Assert.Equal((4 * s1.Loss.Value + 6 * s2.Loss!.Value) / 10, v2[0], 5);
        Assert.Equal((4 * Accuracy(s1, y1) + 6 * Accuracy(s2, y2)) / 10, v2[1], 9);
        AssertWeights(m, weights);

        m.ResetMetrics();
        var s3 = Step(x1, y1);
        var d = m.TrainOnBatch(x1.ToNDArray(), y1.ToNDArray(), returnDict: true);
        Assert.Equal(["loss", "accuracy"], d.Keys);
        Assert.Equal(s3.Loss!.Value, d["loss"], 5); // this batch alone
        Assert.Equal(Accuracy(s3, y1), d["accuracy"], 9);
        AssertWeights(m, weights);

        var s4 = TfjsGraphOracle.Run(json, weights, [(x2.Shape, x2.ToArray())], [(y2.Shape, y2.ToArray())], ["categorical_crossentropy"], sgdLr: 0.5);
        var test = m.TestOnBatch(x2.ToNDArray(), y2.ToNDArray());
        Assert.Equal(s4.Loss!.Value, test[0], 5);
        Assert.Equal(Accuracy(s4, y2), test[1], 9);
        var testDict = m.TestOnBatch(x2.ToNDArray(), y2.ToNDArray(), returnDict: true);
        Assert.Equal(test, testDict.Values);
        AssertWeights(m, weights); // TestOnBatch changes no weight
        var pred = m.PredictOnBatch(x2.ToNDArray()).ToArray<float>();
        Assert.True(pred.Zip(s4.Outputs[0].Values, (a, b) => Math.Abs(a - b)).Max() < 1e-6f);
    }

    private static void AssertWeights(Model m, List<(int[], float[])> expected)
    {
        for (int i = 0; i < expected.Count; i++)
        {
            float max = expected[i].Item2.Zip(m.Weights[i].Value.ToArray(), (a, b) => Math.Abs(a - b)).Max();
            Assert.True(max < 1e-5f, $"weight {i} differs from tfjs by {max}");
        }
    }

    private static int ArgMax(ReadOnlySpan<float> v)
    {
        int k = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[k]) k = i;
        return k;
    }
}
