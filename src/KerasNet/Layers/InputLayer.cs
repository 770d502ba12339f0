#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// The model's input placeholder. tf.keras 2.4 adds one named <c>&lt;first layer&gt;_input</c> when the first layer
/// has an <c>input_shape</c>; it is not listed in <c>model.layers</c>.
/// </summary>
public sealed class InputLayer : Layer
{
    /// <summary>Creates an input of the given per-sample shape.</summary>
    /// <param name="inputShape">One sample's shape without the batch axis (Keras's <c>input_shape</c>, e.g. <c>(28, 28, 1)</c>).</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='name']"/>
    public InputLayer(Shape inputShape, string? name = null)
        : base(name ?? KerasBackend.UniqueName("input"), inputShape)
    {
        if (InputShapeArgument!.Any(d => d <= 0))
            throw new KerasNetException($"InputLayer '{Name}': every dimension of the shape must be positive, got {ShapeUtil.FormatWithNone(InputShapeArgument!)}.");
        Build(InputShapeArgument!);
        var node = new Node(this, [], [(int[])InputShapeArgument!.Clone()]);
        InboundNodesList.Add(node);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    // The input itself.
    internal override int InferenceInvariantSamples => int.MaxValue;

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs) => inputs;

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink) => gradOutput;

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new()
    {
        ["batch_input_shape"] = BatchShapeJson(InputShapeArgument!),
        ["dtype"] = "float32",
        ["sparse"] = false,
        ["ragged"] = false,
        ["name"] = Name,
    };
}
