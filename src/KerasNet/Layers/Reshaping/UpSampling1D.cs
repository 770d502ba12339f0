#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Repeats each step of a (steps, features) sequence <see cref="Size"/> times, as <c>keras.layers.UpSampling1D</c>
/// (backend.repeat_elements along the steps axis); the gradient of a step is the sum over its copies.
/// Config: <c>{"size"}</c>.
/// </summary>
[KerasLayer("UpSampling1D")]
public sealed class UpSampling1D : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="size">The upsampling factor (2 by default, at least 1).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>, (steps, features).</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>up_sampling1d</c>, ...).</param>
    public UpSampling1D(int size = 2, Shape? inputShape = null, string? name = null) : base(name, inputShape) =>
        Size = LayerShapes.AtLeast(size, 1, "UpSampling1D", "size");

    /// <summary>The layer of a Keras config (Keras 1's <c>length</c> for the size).</summary>
    internal static UpSampling1D FromConfig(LayerConfigReader c) => new(c.Int1("size", "length") ?? 2, name: c.Name);

    /// <summary>The upsampling factor.</summary>
    public int Size { get; }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        LayerShapes.Rank(this, inputShape, 2);
        return LayerShapes.Output(this, inputShape, [(int)Math.Min((long)inputShape[0] * Size, int.MaxValue), inputShape[1]], $"size={Size}");
    }

    // (steps, features) is a steps x 1 image of `features` channels, upsampled by (size, 1).

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.BatchSize, OutputShape!);
        Backend.Current.UpsampleNearest(inputs.BatchSize, InputShape![0], 1, InputShape[1], Size, 1, inputs.Buffer, output.Buffer);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.BatchSize, InputShape!);
        Backend.Current.UpsampleNearestBackward(gradOutput.BatchSize, InputShape![0], 1, InputShape[1], Size, 1, gradOutput.Buffer, gradIn.Buffer);
        return gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["size"] = Size;
        return c;
    }
}
