#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Losses;

/// <summary>
/// What Keras's binary and categorical cross-entropies share: <c>from_logits</c>, <c>label_smoothing</c> and
/// <c>axis</c>, their config, and the fusion with the output activation they take logits from.
/// </summary>
public abstract class SmoothedCrossentropy : Loss
{
    /// <summary>Checks and keeps the shared arguments (<paramref name="cls"/> names the loss in errors).</summary>
    private protected SmoothedCrossentropy(bool fromLogits, double labelSmoothing, int axis, string reduction, string name, string cls)
        : base(reduction, name)
    {
        FromLogits = fromLogits;
        LabelSmoothing = CrossEntropy.CheckSmoothing(labelSmoothing, cls);
        Axis = CheckAxis(axis, cls);
    }

    /// <summary>Keras's <c>from_logits</c>.</summary>
    public bool FromLogits { get; }

    /// <summary>Keras's <c>label_smoothing</c>.</summary>
    public double LabelSmoothing { get; }

    /// <summary>Keras's <c>axis</c>.</summary>
    public int Axis { get; }

    /// <summary>The output activation whose logits tf.keras's fit hands this loss (sigmoid or softmax).</summary>
    private protected abstract ActivationKind LogitsOf { get; }

    /// <inheritdoc/>
    /// <remarks>Only over the last axis: the output layer's activation runs over that one.</remarks>
    internal override ActivationKind? FusableActivation => FromLogits || Axis != -1 ? null : LogitsOf;

    private protected override int ReductionAxis => Axis;

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["from_logits"] = FromLogits;
        c["label_smoothing"] = LabelSmoothing;
        c["axis"] = Axis;
        return c;
    }

    private protected override string[] Keras3OnlyKeys => ["axis"];

    private protected override bool TakesLogits => FromLogits;
}
