#nullable enable
using System.Runtime.CompilerServices;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>A layer whose outputs carry Keras's <c>activity_regularizer</c> (the trainer adds its penalty to the loss).</summary>
internal interface IActivityRegularized
{
    /// <summary>The regularizer of every output of the layer, or null.</summary>
    Regularizer? ActivityRegularizer { get; }
}

/// <summary>
/// tf.keras 2.4's activity regularization (<c>Layer._handle_activity_regularization</c>): each output <c>y</c> of a
/// call adds <c>regularizer(y) / batch_size</c> to the loss, in training and in evaluation alike. The trainer sums
/// the values (<see cref="Of"/>); the layer's backward pass adds the gradient to its output's (AddGradient).
/// </summary>
internal static class ActivityPenalty
{
    private sealed class Buffer
    {
        public Tensor? Grad;
    }

    // The combined gradient of one call, kept with the call's context (not the layer's, which serves many calls)
    // and reused from step to step. The context's scratch slots belong to the layer, hence a table of our own.
    private static readonly ConditionalWeakTable<CallContext, Buffer> Buffers = new();

    /// <summary>The penalty one output adds to the loss: <c>regularizer(y) / batch_size</c>.</summary>
    public static double Of(Regularizer r, Tensor y) => r.Apply(y.Span, y.Shape, default, 0) / y.BatchSize;

    /// <summary>
    /// <paramref name="gradOutput"/> plus the gradient of <see cref="Of"/> with respect to <paramref name="y"/>, in
    /// a buffer of <paramref name="ctx"/> (gradOutput is read-only). With <paramref name="fusedActivation"/> (the
    /// layer's activation fused with the loss, so gradOutput is the gradient of its pre-activation values), the
    /// penalty's gradient goes through the activation's Jacobian first.
    /// </summary>
    public static Tensor AddGradient(CallContext ctx, Regularizer r, Tensor y, Tensor gradOutput, ActivationKind? fusedActivation)
    {
        var buffer = Buffers.GetValue(ctx, _ => new Buffer());
        var into = buffer.Grad = Tensor.Ensure(buffer.Grad, (ReadOnlySpan<int>)gradOutput.Shape);
        return AddGradient(r, y, gradOutput, fusedActivation, into);
    }

    /// <summary>As <see cref="AddGradient(CallContext, Regularizer, Tensor, Tensor, ActivationKind?)"/>, into a tensor of the caller's.</summary>
    public static Tensor AddGradient(Regularizer r, Tensor y, Tensor gradOutput, ActivationKind? fusedActivation, Tensor into)
    {
        if (!ShapeUtil.Equal(y.Shape, gradOutput.Shape) || !ShapeUtil.Equal(into.Shape, gradOutput.Shape))
            throw new ShapeMismatchException($"Activity regularization: output {ShapeUtil.Format(y.Shape)}, gradient {ShapeUtil.Format(gradOutput.Shape)} and buffer {ShapeUtil.Format(into.Shape)} differ.");
        float scale = 1f / y.BatchSize;
        if (fusedActivation is { } kind && kind != ActivationKind.Linear)
        {
            into.Clear();
            r.Apply(y.Span, y.Shape, into.Span, scale);
            Backend.Current.ActivationBackward(into.Buffer, y.Buffer, into.Length, into.Shape[^1], kind);
            System.Numerics.Tensors.TensorPrimitives.Add(into.Span, gradOutput.Span, into.Span);
            return into;
        }
        gradOutput.Span.CopyTo(into.Span);
        r.Apply(y.Span, y.Shape, into.Span, scale);
        return into;
    }
}
