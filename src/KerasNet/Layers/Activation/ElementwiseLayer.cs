#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// A weightless layer that maps each input to an output of the same shape (the activation layers): the output and
/// the input gradient live in the call's scratch tensors, and the backward pass reads the call's input and output.
/// </summary>
public abstract class ElementwiseLayer : Layer
{
    /// <summary>Sets the common Keras arguments.</summary>
    private protected ElementwiseLayer(Shape? inputShape, string? name) : base(name, inputShape) { }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    /// <summary>y = f(x), both shaped like the input.</summary>
    private protected abstract void Apply(CallContext ctx, Tensor x, Tensor y);

    /// <summary>gradIn = dL/dx from gradOut = dL/dy, the call's input x and output y.</summary>
    private protected abstract void Gradient(CallContext ctx, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn);

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.Shape);
        Apply(ctx, inputs, output);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.Shape);
        Gradient(ctx, ctx.Inputs[0], ctx.Outputs[0], gradOutput, gradIn);
        return gradIn;
    }

    /// <summary>A float argument as tf.keras 2.4 writes it: cast to float32 (K.cast_to_floatx), then to a Python float.</summary>
    private protected static double Floatx(double value) => (float)value;

    /// <summary>Refuses NaN and infinite arguments, naming the layer class and argument.</summary>
    private protected static double Finite(double value, string layer, string argument) =>
        double.IsFinite(value) ? value : throw new KerasNetException($"{layer}: {argument} must be a finite number, got {value}.");
}
