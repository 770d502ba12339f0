#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

// Mask flow, as tf.keras 2.4's base_layer: a layer that supports masking receives its inputs' masks (ctx.InputMasks,
// Keras's `mask` argument of call) and, after its forward pass, its compute_mask result becomes the mask of its
// outputs (_set_mask_metadata). A layer that does not support masking drops any mask it is given: tf.keras 2.4's
// __call__ runs _set_mask_metadata only when supports_masking is set, so the mask silently ends there (Keras 3 warns,
// and so does KerasNet, once per layer). Calling compute_mask itself on such a layer with a mask is Keras's TypeError,
// which is how a wrapper (TimeDistributed) refuses an inner layer that cannot take the mask it would pass.
public abstract partial class Layer
{
    private bool _warnedMaskDropped;

    /// <summary>
    /// Whether a call may produce a mask without receiving one (Embedding with mask_zero, Masking, a model or
    /// wrapper holding one): the graph only does mask work from the first such node on, so a model without masks
    /// pays nothing for them.
    /// </summary>
    internal virtual bool MayCreateMask => false;

    /// <summary>
    /// Keras's <c>compute_mask(inputs, mask)</c> for a layer with one input and one output: the mask of the output
    /// of the call in <paramref name="ctx"/> (after its forward pass), given the input's mask. By default a layer
    /// that supports masking passes the input mask on unchanged; one that does not refuses a mask, as Keras's
    /// TypeError.
    /// </summary>
    /// <exception cref="KerasNetException">The layer does not support masking and <paramref name="inputMask"/> is not null.</exception>
    internal virtual Tensor? ComputeMask(CallContext ctx, Tensor? inputMask)
    {
        if (!SupportsMasking)
        {
            if (inputMask != null)
                throw new KerasNetException($"Layer '{Name}' ({ClassName}) does not support masking, but was passed an input_mask of shape {ShapeUtil.Format(inputMask.Shape)}.");
            return null;
        }
        return inputMask;
    }

    /// <summary>
    /// Keras's <c>compute_mask</c> for a whole node: reads <see cref="CallContext.InputMasks"/> and sets
    /// <see cref="CallContext.OutputMasks"/>. One input and one output go through <see cref="ComputeMask"/>; with
    /// several, Keras's default returns the list of input masks, which its <c>_set_mask_metadata</c> pairs with the
    /// outputs in order. Merge layers override this (logical and).
    /// </summary>
    internal virtual void ComputeMasks(CallContext ctx)
    {
        var ins = ctx.InputMasks;
        var outs = ctx.OutputMasks;
        if (ins.Length == 1 && outs.Length == 1) { outs[0] = ComputeMask(ctx, ins[0]); return; }
        for (int j = 0; j < outs.Length; j++) outs[j] = j < ins.Length ? ins[j] : null;
    }

    /// <summary>
    /// What the graph runs after a node's forward pass while masks are in flight (tf.keras 2.4's
    /// <c>__call__</c>): the output masks of a layer that supports masking, none for one that does not (a mask it
    /// was given is dropped, with a warning the first time, as Keras 3 warns).
    /// </summary>
    internal void PropagateMasks(CallContext ctx)
    {
        if (SupportsMasking || MayCreateMask) { ComputeMasks(ctx); return; }
        Array.Clear(ctx.OutputMasks);
        if (_warnedMaskDropped) return;
        foreach (var m in ctx.InputMasks)
        {
            if (m is null) continue;
            _warnedMaskDropped = true;
            Keras.Warn($"Layer '{Name}' (of type {ClassName}) was passed an input with a mask attached to it. However, this layer does not support masking and will therefore destroy the mask information. Downstream layers will not see the mask.");
            return;
        }
    }

    /// <summary>
    /// Runs the layer eagerly on a batch with an input mask (Keras's <c>layer(x, mask=m)</c>) in a context the
    /// caller keeps; the output mask is then <c>ctx.OutputMasks[0]</c>.
    /// </summary>
    internal Tensor Call(CallContext ctx, Tensor inputs, Tensor? mask, bool training)
    {
        if (!Built) Build(inputs.Shape[1..]);
        ctx.Training = training;
        ctx.Inputs[0] = inputs;
        ctx.InputMasks[0] = mask;
        ctx.HasMasks = true;
        ForwardNode(ctx);
        PropagateMasks(ctx);
        return ctx.Outputs[0];
    }
}
