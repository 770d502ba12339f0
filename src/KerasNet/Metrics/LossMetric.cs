#nullable enable
using KerasNet.Engine;
using KerasNet.Losses;

namespace KerasNet.Metrics;

/// <summary>
/// A loss function as a metric (Keras's <c>MeanMetricWrapper(fn=loss)</c>, what compile makes of
/// <c>metrics=["binary_crossentropy"]</c>): the loss of each row (every axis but the last), weighted-averaged over
/// the batches seen. The loss class computes each row, so the metric's arithmetic is the loss's.
/// </summary>
public sealed class LossMetric : MeanMetricWrapper
{
    private Tensor? _pred, _true;
    private readonly bool _sparse;

    /// <summary>Wraps a loss.</summary>
    /// <param name="loss">The loss to average.</param>
    /// <param name="name">The log key (default: the loss's Keras name, "binary_crossentropy").</param>
    public LossMetric(Loss loss, string? name = null) : base(name ?? (loss ?? throw new ArgumentNullException(nameof(loss))).Name)
    {
        Loss = loss;
        _sparse = loss is SparseCategoricalCrossentropy;
    }

    /// <summary>Wraps a loss given by its Keras name ("binary_crossentropy").</summary>
    /// <param name="loss">Any name <see cref="Losses.Loss.Get"/> accepts. Required (Keras's wrapper has no
    /// default).</param>
    /// <param name="name">The log key (default: the name given).</param>
    public LossMetric(string loss, string? name = null) : this(Losses.Loss.Get(loss), name ?? loss) { }

    /// <summary>The wrapped loss.</summary>
    public Loss Loss { get; }

    /// <inheritdoc/>
    public override string ClassName => "MeanMetricWrapper";

    internal override string FunctionName => Loss.Name;

    private protected override bool SparseTargets => _sparse;

    /// <inheritdoc/>
    public override Metric Copy() => new LossMetric(Loss, Name); // losses hold no state between calls, so the copy may share it

    /// <inheritdoc/>
    public override System.Text.Json.Nodes.JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["fn"] = Loss.Name;
        return c;
    }

    private protected override double Row(ReadOnlySpan<float> pred, ReadOnlySpan<float> target)
    {
        // One row as a batch of one: the loss's mean over that batch is its value for the row.
        var p = _pred = Tensor.Ensure(_pred, 1, pred.Length);
        var t = _true = target.Length == pred.Length ? Tensor.Ensure(_true, 1, target.Length) : Tensor.Ensure(_true, 1);
        pred.CopyTo(p.Span);
        target.CopyTo(t.Span);
        return Loss.Compute(p, t, null);
    }
}
