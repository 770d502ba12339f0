#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>Applies an activation function to its input (any name <see cref="Activations"/> accepts).</summary>
[KerasLayer("Activation")]
public sealed class Activation : Layer, IActivatedLayer
{
    /// <summary>Creates the layer, e.g. <c>new Activation("relu")</c>.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='activation']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='inputShape']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='name']"/>
    public Activation(string activation, Shape? inputShape = null, string? name = null) : base(name, inputShape) =>
        Stage = new ActivationStage(Activations.Parse(activation));

    /// <summary>The layer of a Keras config.</summary>
    internal static Activation FromConfig(LayerConfigReader c) =>
        new(c.Activation("activation") ?? throw c.Error("missing field 'activation'."), name: c.Name);

    /// <summary>The activation.</summary>
    public ActivationKind Kind => Stage.Kind;

    /// <summary>Passes masks on (tf.keras 2.4's Activation sets supports_masking).</summary>
    public override bool SupportsMasking => true;

    internal ActivationStage Stage { get; }
    ActivationStage IActivatedLayer.Stage => Stage;


    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    internal override int InferenceInvariantSamples => Activations.SamplesAlike(Kind) ? int.MaxValue : 1;

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.Shape);
        Stage.Forward(ctx, inputs, output);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.Shape);
        gradOutput.Span.CopyTo(gradIn.Span);
        Stage.Backward(ctx, gradIn, ctx.Outputs[0], ctx.Inputs[0]);
        return gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["activation"] = Activations.Name(Kind);
        return c;
    }
}
