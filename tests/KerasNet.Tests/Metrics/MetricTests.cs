using KerasNet.Engine;
using KerasNet.Metrics;
using KerasNet.Tests.Models;

namespace KerasNet.Tests.Metrics;

public class MetricTests
{
    [Fact]
    public void AccuracyIsResolvedFromTargetAndOutputShapesAsTfKeras24()
    {
        Assert.IsType<CategoricalAccuracy>(Metric.Get("accuracy", [8, 3], [8, 3]));
        Assert.IsType<BinaryAccuracy>(Metric.Get("accuracy", [8, 1], [8, 1]));
        Assert.IsType<BinaryAccuracy>(Metric.Get("acc", [8], [8, 1]));
        Assert.IsType<SparseCategoricalAccuracy>(Metric.Get("accuracy", [8], [8, 3]));
        Assert.IsType<SparseCategoricalAccuracy>(Metric.Get("accuracy", [8, 1], [8, 3]));
        Assert.Equal("acc", Metric.Get("acc", [8, 3], [8, 3]).Name);
        Assert.Throws<KerasNetException>(() => Metric.Get("precison", [8, 3], [8, 3]));
        Assert.IsType<Precision>(Metric.Get("precision", [8, 3], [8, 3]));

        // binary_crossentropy on two softmax units still reports categorical accuracy in tf.keras 2.4.
        KerasRandom.SetRandomSeed(4);
        var (x, y) = Synthetic.Bars(16);
        var m = Synthetic.SmallCnn(loss: "binary_crossentropy");
        m.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0);
        Assert.IsType<CategoricalAccuracy>(Assert.Single(m.Metrics));

        var s = Synthetic.SmallCnn(loss: "sparse_categorical_crossentropy");
        var labels = new Tensor(16);
        for (int i = 0; i < 16; i++) labels[i] = y[i * 2 + 1];
        var h = s.Fit(x, labels, batchSize: 8, epochs: 2, verbose: 0);
        Assert.IsType<SparseCategoricalAccuracy>(Assert.Single(s.Metrics));
        Assert.InRange(h.history["accuracy"][^1], 0, 1);
    }

    [Fact]
    public void AccuracyMetricsCountHitsAsKeras()
    {
        var pred = new Tensor([0.1f, 0.7f, 0.2f, 0.5f, 0.2f, 0.3f, 0.3f, 0.3f, 0.4f], 3, 3);
        var cat = new CategoricalAccuracy();
        cat.UpdateState(new Tensor([0f, 1, 0, 0, 0, 1, 0, 0, 1], 3, 3), pred);
        Assert.Equal(2.0 / 3, cat.Result(), 12);
        var sparse = new SparseCategoricalAccuracy();
        sparse.UpdateState(new Tensor([1f, 0, 0], 3), pred);
        Assert.Equal(2.0 / 3, sparse.Result(), 12);
        var bin = new BinaryAccuracy();
        bin.UpdateState(new Tensor([1f, 0, 1, 0], 4, 1), new Tensor([0.6f, 0.4f, 0.5f, 0.9f], 4, 1));
        Assert.Equal(0.5, bin.Result(), 12); // 0.5 is not above the 0.5 threshold
        bin.ResetState();
        Assert.Equal(0, bin.Result());
    }
}
