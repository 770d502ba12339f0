using System.Text.Json;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;
using KerasNet.Optimizers;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Models;

/// <summary>
/// TrainOnBatch / TestOnBatch return Keras's values: a scalar loss when the model logs the loss alone, a list
/// otherwise (tf.keras 2.4's train_on_batch: results[0] when len(results) == 1). The loss is checked against numpy's
/// mean squared error of the model's predictions before the step.
/// </summary>
public class BatchValuesTests
{
    private static Sequential Regressor(string[]? metrics)
    {
        KerasRandom.SetRandomSeed(8);
        var m = new Sequential();
        m.Add(new Dense(2, inputDim: 3));
        m.Compile(new SGD(0.1), "mse", metrics);
        return m;
    }

    private static (Tensor X, Tensor Y) Data()
    {
        var r = new Random(2);
        float[] F(int n) => Enumerable.Range(0, n).Select(_ => (float)(r.NextDouble() * 2 - 1)).ToArray();
        return (new Tensor(F(15), 5, 3), new Tensor(F(10), 5, 2));
    }

    private static double NumpyMse(Tensor y, Tensor p) => double.Parse(Oracle.RunPythonCode("""
        import json, sys, numpy as np
        a = json.loads(sys.argv[1])
        sys.stdout.write(repr(float(np.mean(np.square(np.array(a[0], np.float32) - np.array(a[1], np.float32))))))
        """, JsonSerializer.Serialize(new[] { y.Buffer, p.Buffer })), System.Globalization.CultureInfo.InvariantCulture);

    [SkippableFact]
    public void ALossOnlyModelReturnsTheScalarLoss()
    {
        Oracle.RequirePython("numpy");
        var m = Regressor(null);
        var (x, y) = Data();
        double expected = NumpyMse(y, m.Predict(x));
        var test = m.TestOnBatch(new KerasNet.Data.Batch(x, y));
        double trained = m.TrainOnBatch(new KerasNet.Data.Batch(x, y)); // Keras: loss = model.train_on_batch(x, y)
        Assert.True(test.IsScalar);
        Assert.Equal(expected, test.Scalar, 1e-6);
        Assert.Equal(expected, trained, 1e-6);
        Assert.Equal(KerasNet.Utils.PyText.Repr(test.Scalar), test.ToString()); // Python's repr of Keras's float
    }

    [Fact]
    public void AModelWithMetricsReturnsTheListAndRefusesTheScalar()
    {
        var m = Regressor(["mae"]);
        var (x, y) = Data();
        var values = m.TrainOnBatch(new KerasNet.Data.Batch(x, y));
        Assert.False(values.IsScalar);
        double[] list = values;
        Assert.Equal(2, list.Length);
        Assert.Equal(values[1], list[1]);
        var e = Assert.Throws<KerasNetException>(() => { double d = values; return d; });
        Assert.Contains("2 values", e.Message);
        Assert.StartsWith("[", values.ToString());
    }
}
