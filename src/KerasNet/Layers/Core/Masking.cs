#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Masks the timesteps whose features all equal <see cref="MaskValue"/>, as <c>keras.layers.Masking</c>: the mask is
/// <c>any(x != mask_value, axis=-1)</c> (shape: the input's without its last axis) and the output is the input with
/// masked timesteps zeroed (<c>x * mask</c>); later layers that support masking skip them. The gradient is the
/// output gradient times the mask (the mask itself is a comparison, with no gradient).
/// </summary>
[KerasLayer("Masking")]
public sealed class Masking : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="maskValue">The value that marks padding (Keras's default 0.0).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>masking</c>, <c>masking_1</c>, ...).</param>
    public Masking(double maskValue = 0.0, Shape? inputShape = null, string? name = null) : base(name, inputShape) =>
        MaskValue = maskValue;

    /// <summary>The layer of a Keras config (every Keras version writes <c>mask_value</c>).</summary>
    internal static Masking FromConfig(LayerConfigReader c) => new(c.Double(0.0, "mask_value"), name: c.Name);

    /// <summary>Keras's <c>mask_value</c>.</summary>
    public double MaskValue { get; }

    /// <summary>Masking makes the mask and passes it on.</summary>
    public override bool SupportsMasking => true;

    internal override bool MayCreateMask => true;

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        if (inputShape.Length == 0) throw new ShapeMismatchException($"Layer '{Name}' (Masking) needs an input of rank >= 1 per sample.");
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        int f = InputShape![^1], rows = inputs.Length / f;
        // The mask is computed with the output (tf.keras's _compute_output_and_mask_jointly), shaped (batch, ...).
        var mask = ctx.MaskScratch(0, inputs.Shape.AsSpan(0, inputs.Rank - 1));
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.BatchSize, OutputShape!);
        var x = inputs.Span;
        var y = output.Span;
        var m = mask.Span;
        float v = (float)MaskValue;
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * f, f);
            bool keep = false;
            for (int j = 0; j < f && !keep; j++) keep = row[j] != v; // IEEE !=, as tf.not_equal (NaN is kept, -0 == 0)
            m[r] = keep ? 1f : 0f;
            if (keep) row.CopyTo(y.Slice(r * f, f));
            else y.Slice(r * f, f).Clear();
        }
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var input = ctx.Inputs[0];
        int f = InputShape![^1], rows = input.Length / f;
        var mask = ctx.MaskScratch(0, input.Shape.AsSpan(0, input.Rank - 1)).Span;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, input.Shape);
        var g = gradOutput.Span;
        var d = gradIn.Span;
        for (int r = 0; r < rows; r++)
        {
            if (mask[r] != 0) g.Slice(r * f, f).CopyTo(d.Slice(r * f, f));
            else d.Slice(r * f, f).Clear();
        }
        return gradIn;
    }

    /// <summary>The mask made by the forward pass: any(x != mask_value, axis=-1).</summary>
    internal override Tensor? ComputeMask(CallContext ctx, Tensor? inputMask)
    {
        var input = ctx.Inputs[0];
        return ctx.MaskScratch(0, input.Shape.AsSpan(0, input.Rank - 1));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["mask_value"] = MaskValue;
        return c;
    }
}
