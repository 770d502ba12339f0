#nullable enable
using KerasNet.Layers;
using KerasNet.Losses;
using KerasNet.Metrics;
using KerasNet.Optimizers;

namespace KerasNet.Models;

public sealed partial class Sequential
{
    private string[] _metricNames = [];

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
        foreach (var l in _layers.OfType<IActivatedLayer>()) l.Stage.FuseWithLoss = false;
        if (Built) ResolveMetrics();
    }

    /// <summary>Creates metric objects and decides the loss fusion once the output shape is known.</summary>
    private void ResolveMetrics()
    {
        if (Metrics.Count == _metricNames.Length && Metrics.Count > 0) return;
        int width = OutputShape is { Length: > 0 } s ? s[^1] : 1;
        Metrics = _metricNames.Select(n => Metric.Get(n, Loss!.Name, width)).ToList();
        // tf.keras's fit computes softmax/sigmoid cross-entropy from the logits; so do we.
        if (_layers.Count > 0 && _layers[^1] is IActivatedLayer last && Loss!.FusableActivation == last.Stage.Kind)
            last.Stage.FuseWithLoss = true;
    }

    private void EnsureCompiled(string what)
    {
        if (!IsCompiled) throw new KerasNetException($"Model '{Name}' must be compiled before {what}: call Compile(optimizer, loss, metrics) first.");
    }
}
