#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>Leaky rectifier: x for x &gt;= 0, <c>alpha * x</c> below (Keras 3 calls alpha <c>negative_slope</c>).</summary>
[KerasLayer("LeakyReLU")]
public sealed class LeakyReLU : RectifierLayer
{
    /// <summary>Creates the layer; alpha 0.3 as in tf.keras 2.x and Keras 3.</summary>
    /// <param name="alpha">Slope for x &lt; 0 (tf.keras 2 default 0.3; Keras 3 calls it negative_slope); any finite number.</param>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='inputShape']"/>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='name']"/>
    public LeakyReLU(double alpha = 0.3, Shape? inputShape = null, string? name = null) : base(inputShape, name)
    {
        Alpha = Finite(alpha, "LeakyReLU", "alpha");
        Options = new ReluOptions(NegativeSlope: (float)alpha);
    }

    /// <summary>The layer of a Keras config: tf.keras's <c>alpha</c> or Keras 3's <c>negative_slope</c>.</summary>
    internal static LeakyReLU FromConfig(LayerConfigReader c)
    {
        try { return new(c.Double(0.3, "alpha", "negative_slope"), name: c.Name); }
        catch (KerasNetException e) when (e is not ModelConfigException) { throw c.Error(e.Message); }
    }

    /// <summary>The slope below 0.</summary>
    public double Alpha { get; }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["alpha"] = Floatx(Alpha);
        return c;
    }
}
