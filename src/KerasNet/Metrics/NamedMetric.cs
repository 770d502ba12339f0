#nullable enable
using KerasNet.Engine;

namespace KerasNet.Metrics;

/// <summary>
/// A metric given to Compile by name: the name is checked when Compile is called and turned into a metric per output
/// on the first batch (tf.keras 2.4 resolves "accuracy" from the shapes of the targets and outputs).
/// </summary>
internal sealed class NamedMetric : Metric
{
    public NamedMetric(string name) : base(name ?? throw new ArgumentNullException(nameof(name))) => MetricRegistry.Check(name);

    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null) =>
        throw new KerasNetException($"Metric '{Name}' is resolved against a model's outputs on its first batch; use Metric.Get(name, yTrueShape, yPredShape) for a metric of your own.");

    public override double Result() => 0;

    public override void ResetState() { }

    public override Metric Copy() => this;
}
