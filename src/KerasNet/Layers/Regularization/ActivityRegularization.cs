#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's ActivityRegularization: the identity, adding <c>(l1 * sum(|x|) + l2 * sum(x^2)) / batch_size</c> of its
/// input to the loss (tf.keras 2.4 gives the layer the activity regularizer <c>L1L2(l1, l2)</c>, and divides by the
/// batch size as for any activity regularizer), in training and evaluation alike.
/// </summary>
[KerasLayer("ActivityRegularization")]
public sealed class ActivityRegularization : Layer, IActivityRegularized
{
    private readonly L1L2 _regularizer;

    /// <summary>Creates the layer with Keras's defaults (no penalty).</summary>
    /// <param name="l1">The L1 factor (non-negative).</param>
    /// <param name="l2">The L2 factor (non-negative).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>, for a first layer.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="trainable">Keras's <c>trainable</c> (the layer has no weights; its penalty applies either way).</param>
    public ActivityRegularization(double l1 = 0.0, double l2 = 0.0, Shape? inputShape = null, string? name = null, bool trainable = true)
        : base(name, inputShape, trainable)
    {
        if (!(l1 >= 0) || double.IsInfinity(l1)) throw new KerasNetException($"ActivityRegularization: l1 must be a non-negative number, got {l1}.");
        if (!(l2 >= 0) || double.IsInfinity(l2)) throw new KerasNetException($"ActivityRegularization: l2 must be a non-negative number, got {l2}.");
        L1 = l1;
        L2 = l2;
        _regularizer = new L1L2(l1, l2);
    }

    /// <summary>The layer of a Keras config (Keras 1, 2 and 3 write l1 and l2 alike).</summary>
    internal static ActivityRegularization FromConfig(LayerConfigReader c) =>
        new(c.Double(0, "l1"), c.Double(0, "l2"), name: c.Name, trainable: c.Bool(true, "trainable"));

    /// <summary>The L1 factor.</summary>
    public double L1 { get; }

    /// <summary>The L2 factor.</summary>
    public double L2 { get; }

    /// <summary>The regularizer of the output, <c>L1L2(l1, l2)</c>.</summary>
    public Regularizer ActivityRegularizer => _regularizer;

    Regularizer? IActivityRegularized.ActivityRegularizer => _regularizer;

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor input)
    {
        CheckInput(input);
        return input;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        if (_regularizer.IsZero) return gradOutput;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.Shape);
        return ActivityPenalty.AddGradient(_regularizer, ctx.Outputs[0], gradOutput, null, gradIn);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["l1"] = L1;
        c["l2"] = L2;
        return c;
    }
}
