#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>Applies an activation function to its input.</summary>
public sealed class Activation : Layer, IActivatedLayer
{
    private Tensor? _output, _gradIn;

    /// <summary>Creates the layer, e.g. <c>new Activation("relu")</c>.</summary>
    public Activation(string activation, Shape? inputShape = null, string? name = null) : base(name, inputShape) =>
        Stage = new ActivationStage(Activations.Parse(activation));

    /// <summary>The activation.</summary>
    public ActivationKind Kind => Stage.Kind;

    internal ActivationStage Stage { get; }
    ActivationStage IActivatedLayer.Stage => Stage;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        CheckInput(inputs);
        _output = Tensor.Ensure(_output, inputs.Shape);
        inputs.Span.CopyTo(_output.Span);
        Stage.Forward(_output);
        return _output;
    }

    /// <inheritdoc/>
    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (!needInputGrad) return null;
        _gradIn = Tensor.Ensure(_gradIn, gradOutput.Shape);
        gradOutput.Span.CopyTo(_gradIn.Span);
        Stage.Backward(_gradIn, _output!);
        return _gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["activation"] = Activations.Name(Kind);
        return c;
    }
}
