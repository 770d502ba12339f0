#nullable enable
namespace KerasNet.Layers;

// The activity regularizer of a kernel layer: its gradient joins the output's before the layer's own backward pass,
// so every layer built on KernelLayer gets it without code of its own.
public abstract partial class KernelLayer : IActivityRegularized
{
    /// <inheritdoc/>
    internal override void BackwardNode(CallContext ctx, ReadOnlySpan<Engine.Tensor> gradOutputs, bool needInputGrads, GradientSink sink)
    {
        var grad = gradOutputs[0];
        if (ActivityRegularizer is { IsZero: false } r)
            grad = ActivityPenalty.AddGradient(ctx, r, ctx.Outputs[0], grad, ctx.FuseActivationWithLoss ? Stage.Kind : null);
        ctx.InputGrads[0] = Backward(ctx, grad, needInputGrads, sink);
    }
}
