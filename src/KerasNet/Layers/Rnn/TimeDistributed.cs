#nullable enable
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Applies a layer to every timestep of a sequence, as <c>keras.layers.TimeDistributed</c>: an input (batch,
/// timesteps, ...) is viewed as (batch * timesteps, ...), the inner layer runs once on that fold, and its output is
/// viewed back as (batch, timesteps, ...), tf.keras 2.4's reshape path (no copies: the views share the buffers).
/// The inner layer's weights are this layer's, shared by every timestep; its gradients sum over the timesteps by the
/// fold itself. Works with any single-input layer (Dense, Conv2D, Flatten, Dropout, pooling, ...).
/// <para>Masks as tf.keras 2.4's TimeDistributed.compute_mask: the input mask (batch, timesteps, ...) is folded with
/// the input and given to the inner layer; the output mask is the inner layer's own mask unfolded, or, when the
/// inner layer passes none, the input mask reduced to (batch, timesteps) with <c>any</c>. An inner layer that does
/// not support masking (Conv2D, Flatten) refuses a mask, as Keras raises its TypeError there.</para>
/// <para>Not fused with the loss: in tf.keras 2.4 the reshape after the inner softmax keeps <c>fit</c> from seeing
/// the logits, so a categorical cross-entropy on it uses the clipped probabilities, as here.</para>
/// </summary>
[KerasLayer("TimeDistributed")]
public sealed class TimeDistributed : Wrapper
{
    /// <summary>One call's inner context and the views that fold and unfold time.</summary>
    private sealed class State
    {
        public readonly CallContext Inner = new(1, 1);
        public Tensor? In, Out, GradOut, GradIn, MaskIn, MaskOut, MaskAny;
        public readonly Tensor[] Grad = new Tensor[1];
    }

    /// <summary>Wraps <paramref name="layer"/>.</summary>
    /// <param name="layer">The layer applied to every timestep (one input, one output).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c> (timesteps first).</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>time_distributed</c>, ...).</param>
    /// <param name="trainable">Whether the inner layer's weights are trained.</param>
    public TimeDistributed(Layer layer, Shape? inputShape = null, string? name = null, bool trainable = true)
        : base(layer, name, inputShape, trainable)
    {
        if (layer is Merge) throw new KerasNetException($"Layer '{Name}' (TimeDistributed) wraps a layer with one input; '{layer.Name}' ({layer.ClassName}) takes several.");
    }

    /// <summary>The layer of a Keras config (every Keras generation writes <c>{"layer": {"class_name", "config"}}</c>).</summary>
    internal static TimeDistributed FromConfig(LayerConfigReader c) => new(InnerFromConfig(c), name: c.Name, trainable: c.Bool(true, "trainable"));

    internal override int[]? InnerInputShape => InputShape?[1..];

    /// <summary>Passes masks through the fold (tf.keras 2.4 sets supports_masking).</summary>
    public override bool SupportsMasking => true;

    internal override bool MayCreateMask => Layer.MayCreateMask;

    private int[] Inner(int[] inputShape)
    {
        if (inputShape.Length < 2)
            throw new ShapeMismatchException($"Layer '{Name}' (TimeDistributed) should be passed an input_shape with at least 3 dimensions (batch, timesteps, ...), received: {ShapeUtil.FormatWithNone(inputShape)}.");
        return inputShape[1..];
    }

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        Layer.BuildOrCheck([Inner(inputShape)]);
        if (Layer.OutputCount != 1)
            throw new KerasNetException($"Layer '{Name}' (TimeDistributed) wraps a layer with one output; '{Layer.Name}' has {Layer.OutputCount}.");
        NameWeights(Layer.Weights);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var inner = Inner(inputShape);
        var output = Layer.Built && ShapeUtil.Equal(Layer.InputShape!, inner) ? Layer.OutputShape! : Layer.ComputeOutputShape(inner);
        return [inputShape[0], .. output];
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var s = ctx.StateOf<State>();
        int batch = inputs.BatchSize, steps = InputShape![0];
        var inner = s.Inner;
        inner.Training = ctx.Training;
        inner.Inputs[0] = s.In = Tensor.ViewOfBatch(s.In, inputs, batch * steps, Layer.InputShape!);
        if (ctx.InputMask is { } mask)
        {
            inner.InputMasks[0] = s.MaskIn = Fold(s.MaskIn, mask, batch * steps);
            inner.HasMasks = true;
        }
        else if (inner.HasMasks) inner.ClearMasks();
        Layer.ForwardNode(inner);
        return s.Out = Tensor.ViewOfBatch(s.Out, inner.Outputs[0], batch, OutputShape!);
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        var s = (State)ctx.State!;
        int batch = gradOutput.BatchSize, steps = InputShape![0];
        s.Grad[0] = s.GradOut = Tensor.ViewOfBatch(s.GradOut, gradOutput, batch * steps, Layer.OutputShape!);
        Layer.BackwardNode(s.Inner, s.Grad, needInputGrad, sink);
        if (!needInputGrad || s.Inner.InputGrads[0] is not { } gi) return null;
        return s.GradIn = Tensor.ViewOfBatch(s.GradIn, gi, batch, InputShape!);
    }

    /// <summary>tf.keras 2.4's TimeDistributed.compute_mask (reshape path); see the class remarks.</summary>
    internal override Tensor? ComputeMask(CallContext ctx, Tensor? inputMask)
    {
        var s = (State)ctx.State!;
        int batch = ctx.Inputs[0].BatchSize, steps = InputShape![0];
        var innerMask = Layer.ComputeMask(s.Inner, inputMask is null ? null : s.MaskIn);
        if (innerMask != null) return s.MaskOut = Unfold(s.MaskOut, innerMask, batch, steps);
        if (inputMask is null) return null;
        if (inputMask.Rank == 2) return inputMask;
        // any over every mask axis after (batch, timesteps)
        var any = s.MaskAny = Tensor.Ensure(s.MaskAny, batch, steps);
        int rest = inputMask.Length / (batch * steps);
        var src = inputMask.Span;
        var dst = any.Span;
        for (int r = 0; r < batch * steps; r++) dst[r] = src.Slice(r * rest, rest).IndexOfAnyExcept(0f) >= 0 ? 1f : 0f;
        return any;
    }

    // (batch, timesteps, rest...) as (batch * timesteps, rest...), reusing the view.
    private static Tensor Fold(Tensor? view, Tensor mask, int rows)
    {
        if (mask.Rank < 2) throw new ShapeMismatchException($"A TimeDistributed input mask needs (batch, timesteps, ...) axes, got {ShapeUtil.Format(mask.Shape)}.");
        var shape = mask.Shape.AsSpan(2);
        if (view != null && view.Rank == shape.Length + 1 && view.Shape.AsSpan(1).SequenceEqual(shape) && view.BatchSize == rows)
            return Tensor.ViewOf(view, mask, view.Shape);
        return Tensor.ViewOf(view, mask, [rows, .. shape]);
    }

    // (batch * timesteps, rest...) back to (batch, timesteps, rest...).
    private static Tensor Unfold(Tensor? view, Tensor mask, int batch, int steps)
    {
        var shape = mask.Shape.AsSpan(1);
        if (view != null && view.Rank == shape.Length + 2 && view.Shape[0] == batch && view.Shape[1] == steps && view.Shape.AsSpan(2).SequenceEqual(shape))
            return Tensor.ViewOf(view, mask, view.Shape);
        return Tensor.ViewOf(view, mask, [batch, steps, .. shape]);
    }
}
