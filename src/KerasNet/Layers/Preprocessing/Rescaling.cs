#nullable enable
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's <c>Rescaling</c> (tf.keras 2.4's <c>layers.experimental.preprocessing.Rescaling</c>): every value becomes
/// <c>x * scale + offset</c>, in training and at inference, for inputs of any shape. Scale and offset are cast to
/// float32 first and the product is rounded before the offset is added, as tf.keras computes it.
/// </summary>
[KerasLayer("Rescaling")]
public sealed class Rescaling : Layer
{
    /// <summary>Creates the layer (<c>scale: 1.0 / 255</c> maps [0, 255] to [0, 1]; with <c>offset: -1</c> and
    /// <c>scale: 1.0 / 127.5</c> to [-1, 1]).</summary>
    /// <param name="scale">Multiplier applied to every input value.</param>
    /// <param name="offset">Added after scaling (Keras default 0.0).</param>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='inputShape']"/>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='name']"/>
    /// <param name="trainable">Keras's trainable flag (the layer has no weights).</param>
    public Rescaling(double scale, double offset = 0.0, Shape? inputShape = null, string? name = null, bool trainable = true)
        : base(name, inputShape, trainable)
    {
        if (!double.IsFinite(scale)) throw new KerasNetException($"Rescaling: scale must be a finite number, got {scale}.");
        if (!double.IsFinite(offset)) throw new KerasNetException($"Rescaling: offset must be a finite number, got {offset}.");
        Scale = scale;
        Offset = offset;
    }

    /// <summary>
    /// The layer of a Keras config: tf.keras 2.4 writes only <c>scale</c>, later versions <c>offset</c> too. Keras 3
    /// may serialize a per-channel array as <c>{"class_name": "__numpy__", ...}</c>: only numbers are supported.
    /// </summary>
    internal static Rescaling FromConfig(LayerConfigReader c) =>
        new(Number(c, "scale", null), Number(c, "offset", 0.0), name: c.Name, trainable: c.Bool(true, "trainable"));

    private static double Number(LayerConfigReader c, string key, double? fallback)
    {
        var n = c.Config[key];
        if (n is null) return fallback ?? throw c.Error($"missing field '{key}'.");
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.Number) return v.GetValue<double>();
        throw c.Error($"field '{key}' should be a number, got {n.ToJsonString()} (per-channel {key} arrays are not supported).");
    }

    /// <summary>The factor every value is multiplied by.</summary>
    public double Scale { get; }

    /// <summary>The value added after scaling.</summary>
    public double Offset { get; }

    /// <summary>Keras 3 sets supports_masking: a mask passes through unchanged.</summary>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor input)
    {
        CheckInput(input);
        var output = ctx.Scratch(CallContext.OutputSlot, input.Shape);
        TensorPrimitives.Multiply(input.Span, (float)Scale, output.Span);
        TensorPrimitives.Add(output.Span, (float)Offset, output.Span);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.Shape);
        TensorPrimitives.Multiply(gradOutput.Span, (float)Scale, gradIn.Span);
        return gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["scale"] = Scale;
        c["offset"] = Offset;
        return c;
    }
}
