#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>Keras activation names.</summary>
public static class Activations
{
    /// <summary>Resolves a Keras activation name; null or "linear" is the identity.</summary>
    public static ActivationKind Parse(string? name) => name switch
    {
        null or "" or "linear" => ActivationKind.Linear,
        "relu" => ActivationKind.Relu,
        "sigmoid" => ActivationKind.Sigmoid,
        "tanh" => ActivationKind.Tanh,
        "softmax" => ActivationKind.Softmax,
        _ => throw new KerasNetException($"Unknown activation '{name}': supported are linear, relu, sigmoid, tanh, softmax."),
    };

    /// <summary>The Keras name of an activation.</summary>
    public static string Name(ActivationKind kind) => kind switch
    {
        ActivationKind.Linear => "linear",
        ActivationKind.Relu => "relu",
        ActivationKind.Sigmoid => "sigmoid",
        ActivationKind.Tanh => "tanh",
        ActivationKind.Softmax => "softmax",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}

/// <summary>
/// The activation at the end of a layer. When the trainer fuses it with the loss (softmax with categorical
/// cross-entropy, sigmoid with binary cross-entropy, as tf.keras does inside fit), the call keeps the pre-activation
/// logits for the loss and passes the incoming gradient straight through, since the loss then gives the gradient
/// with respect to the logits. The decision is the call's (<see cref="CallContext.FuseActivationWithLoss"/>), never the layer's.
/// </summary>
internal sealed class ActivationStage
{
    public ActivationStage(ActivationKind kind) => Kind = kind;

    public ActivationKind Kind { get; }

    /// <summary>
    /// Whether the backend may apply this activation inside the layer's output pass (ReLU or identity, and no logits
    /// to keep for the loss); the layer then skips <see cref="Forward"/>.
    /// </summary>
    public bool FusableIntoOutput(CallContext ctx) => !ctx.FuseActivationWithLoss && Kind is ActivationKind.Linear or ActivationKind.Relu;

    /// <summary>Applies the activation in place on the layer output (bias already added).</summary>
    public void Forward(CallContext ctx, Tensor output)
    {
        if (ctx.FuseActivationWithLoss)
        {
            ctx._logits = Tensor.Ensure(ctx._logits, (ReadOnlySpan<int>)output.Shape);
            output.Span.CopyTo(ctx._logits.Span);
        }
        Backend.Current.Activation(output.Buffer, output.Length, output.Shape[^1], Kind);
    }

    /// <summary>Turns a gradient with respect to the output into one with respect to the pre-activation, in place.</summary>
    public void Backward(CallContext ctx, Tensor grad, Tensor output)
    {
        if (ctx.FuseActivationWithLoss || Kind == ActivationKind.Linear) return;
        Backend.Current.ActivationBackward(grad.Buffer, output.Buffer, grad.Length, grad.Shape[^1], Kind);
    }
}
