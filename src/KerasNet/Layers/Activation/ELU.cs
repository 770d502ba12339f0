#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>Exponential linear unit layer: x for x &gt; 0, <c>alpha * (exp(x) - 1)</c> otherwise.</summary>
[KerasLayer("ELU")]
public sealed class ELU : ElementwiseLayer
{
    /// <summary>Creates the layer; alpha 1.0 as in Keras.</summary>
    /// <param name="alpha">Scale of the negative part, alpha (exp(x) - 1) for x &lt; 0 (Keras default 1.0); finite.</param>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='inputShape']"/>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='name']"/>
    public ELU(double alpha = 1.0, Shape? inputShape = null, string? name = null) : base(inputShape, name) =>
        Alpha = Finite(alpha, "ELU", "alpha");

    /// <summary>The layer of a Keras config (Keras 3 writes no alpha: its ELU forgets it, so 1.0).</summary>
    internal static ELU FromConfig(LayerConfigReader c)
    {
        try { return new(c.Double(1.0, "alpha"), name: c.Name); }
        catch (KerasNetException e) when (e is not ModelConfigException) { throw c.Error(e.Message); }
    }

    /// <summary>The scale of the negative part.</summary>
    public double Alpha { get; }

    private protected override void Apply(CallContext ctx, Tensor x, Tensor y) => Backend.Current.Elu(x.Buffer, y.Buffer, x.Length, (float)Alpha);

    private protected override void Gradient(CallContext ctx, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) =>
        Backend.Current.EluBackward(x.Buffer, gradOut.Buffer, gradIn.Buffer, x.Length, (float)Alpha);

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["alpha"] = Floatx(Alpha);
        return c;
    }
}
