#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Losses;
using KerasNet.Metrics;
using KerasNet.Optimizers;

namespace KerasNet.Models;

public sealed partial class Sequential
{
    private string[] _metricNames = [];
    private bool _metricsResolved;

    /// <summary>The optimizer given to Compile.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>The loss given to Compile.</summary>
    public Loss? Loss { get; private set; }

    /// <summary>The compiled metrics (resolved after the output width is known).</summary>
    public IReadOnlyList<Metric> Metrics { get; private set; } = [];

    /// <summary>The metric names as given to Compile ("accuracy").</summary>
    public IReadOnlyList<string> MetricNames => _metricNames;

    /// <summary>Whether Compile has been called.</summary>
    public bool IsCompiled => Optimizer != null && Loss != null;

    /// <summary>Configures training, e.g. <c>Compile(optimizer: "Adam", loss: "categorical_crossentropy", metrics: ["accuracy"])</c>.</summary>
    public void Compile(string optimizer = "rmsprop", string loss = "categorical_crossentropy", string[]? metrics = null) =>
        Compile(Optimizers.Optimizer.Get(optimizer), Losses.Loss.Get(loss), metrics);

    /// <summary>Configures training with an optimizer object.</summary>
    public void Compile(Optimizer optimizer, string loss, string[]? metrics = null) =>
        Compile(optimizer, Losses.Loss.Get(loss), metrics);

    /// <summary>Configures training with optimizer and loss objects.</summary>
    public void Compile(Optimizer optimizer, Loss loss, string[]? metrics = null)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        Loss = loss ?? throw new ArgumentNullException(nameof(loss));
        _metricNames = metrics ?? [];
        Metrics = [];
        _metricsResolved = false;
        ConfigureLossFusion();
    }

    /// <summary>
    /// Creates the metric objects on the first batch: tf.keras 2.4 resolves "accuracy" from the shapes of the
    /// targets and outputs (see <see cref="Metric.Get(string, int[], int[])"/>), not from the loss.
    /// </summary>
    private void ResolveMetrics(Tensor yTrue)
    {
        if (_metricsResolved) return;
        var yPredShape = ShapeUtil.WithBatch(yTrue.BatchSize, OutputShape!);
        Metrics = _metricNames.Select(n => Metric.Get(n, yTrue.Shape, yPredShape)).ToList();
        ConfigureLossFusion();
        _metricsResolved = true;
    }

    // tf.keras's fit computes softmax/sigmoid cross-entropy from the logits of the output layer; so do we.
    private void ConfigureLossFusion()
    {
        foreach (var l in _layers.OfType<IActivatedLayer>()) l.Stage.FuseWithLoss = false;
        if (Loss != null && _layers.Count > 0 && _layers[^1] is IActivatedLayer last && Loss.FusableActivation == last.Stage.Kind)
            last.Stage.FuseWithLoss = true;
    }

    private void EnsureCompiled(string what)
    {
        if (!IsCompiled) throw new KerasNetException($"Model '{Name}' must be compiled before {what}: call Compile(optimizer, loss, metrics) first.");
    }
}
