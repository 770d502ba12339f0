#nullable enable
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>Average pooling over 2-D windows; with 'same' padding only in-image pixels are averaged (TensorFlow).</summary>
[KerasLayer("AveragePooling2D", "AvgPool2D")]
public sealed class AveragePooling2D : Pooling2D
{
    /// <summary>Creates the layer (pool 2x2, strides = pool size, 'valid' by default).</summary>
    /// <param name="poolSize">Window (height, width), or one int for both; null is Keras's default (2, 2).</param>
    /// <param name="strides">Step between windows; null (Keras's default) is the pool size.</param>
    /// <param name="padding">"valid" (Keras's default: only whole windows) or "same" (output ceil(size / stride), windows padded at the bottom/right); case-insensitive.</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='dataFormat']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='inputShape']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='name']"/>
    public AveragePooling2D(Size2? poolSize = null, Size2? strides = null, string padding = "valid",
        string dataFormat = "channels_last", Shape? inputShape = null, string? name = null)
        : base(poolSize, strides, padding, dataFormat, inputShape, name) { }

    /// <summary>The layer of a Keras config (Keras 1's <c>border_mode</c> and <c>dim_ordering</c> included).</summary>
    internal static AveragePooling2D FromConfig(LayerConfigReader c)
    {
        var (pool, strides, padding, format) = PoolingArgsOf(c);
        return new AveragePooling2D(pool, strides, padding, format, name: c.Name);
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        var (saved, output) = Prepare(ctx, inputs);
        Backend.Current.AvgPoolForward(saved.Geo, saved.Input.Buffer, output.Buffer);
        return Result(output);
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        var saved = ctx.StateOf<Saved>();
        var gradIn = GradIn(ctx, saved);
        if (!needInputGrad) return null;
        Backend.Current.AvgPoolBackward(saved.Geo, gradOutput.Buffer, gradIn.Buffer);
        return gradIn;
    }
}
