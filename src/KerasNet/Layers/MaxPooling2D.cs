#nullable enable
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>Max pooling over 2-D windows; the gradient goes to the first maximum of each window.</summary>
[KerasLayer("MaxPooling2D", "MaxPool2D")]
public sealed class MaxPooling2D : Pooling2D
{
    /// <summary>Creates the layer (pool 2x2, strides = pool size, 'valid' by default).</summary>
    /// <param name="poolSize">Window (height, width), or one int for both; null is Keras's default (2, 2).</param>
    /// <param name="strides">Step between windows; null (Keras's default) is the pool size.</param>
    /// <param name="padding">"valid" (Keras's default: only whole windows) or "same" (output ceil(size / stride), windows padded at the bottom/right); case-insensitive.</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='dataFormat']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='inputShape']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='name']"/>
    public MaxPooling2D(Size2? poolSize = null, Size2? strides = null, string padding = "valid",
        string dataFormat = "channels_last", Shape? inputShape = null, string? name = null)
        : base(poolSize, strides, padding, dataFormat, inputShape, name) { }

    /// <summary>The layer of a Keras config (Keras 1's <c>border_mode</c> and <c>dim_ordering</c> included).</summary>
    internal static MaxPooling2D FromConfig(LayerConfigReader c)
    {
        var (pool, strides, padding, format) = PoolingArgsOf(c);
        return new MaxPooling2D(pool, strides, padding, format, name: c.Name);
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        var (saved, output) = Prepare(ctx, inputs);
        if (ctx.Training && saved.Argmax.Length < output.Length) saved.Argmax = new int[output.Length];
        Backend.Current.MaxPoolForward(saved.Geo, saved.Input.Buffer, output.Buffer, ctx.Training ? saved.Argmax : Array.Empty<int>());
        return Result(output);
    }

    /// <inheritdoc/>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        var saved = ctx.StateOf<Saved>();
        var gradIn = GradIn(ctx, saved);
        if (!needInputGrad) return null;
        Backend.Current.MaxPoolBackward(saved.Geo, gradOutput.Buffer, saved.Argmax, gradIn.Buffer);
        return gradIn;
    }
}
