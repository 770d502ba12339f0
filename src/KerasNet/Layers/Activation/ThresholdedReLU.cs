#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>Thresholded rectifier (tf.keras 2.x; removed in Keras 3): x for x &gt; theta, 0 otherwise.</summary>
[KerasLayer("ThresholdedReLU")]
public sealed class ThresholdedReLU : RectifierLayer
{
    /// <summary>Creates the layer; theta 1.0 as in Keras.</summary>
    /// <param name="theta">Threshold: outputs x where x &gt; theta, else 0 (Keras default 1.0); any finite number.</param>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='inputShape']"/>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='name']"/>
    public ThresholdedReLU(double theta = 1.0, Shape? inputShape = null, string? name = null) : base(inputShape, name)
    {
        Theta = Finite(theta, "ThresholdedReLU", "theta");
        // x * (x > theta) is exactly Keras's relu with that threshold and no slope or maximum.
        Options = new ReluOptions(Threshold: (float)theta);
    }

    /// <summary>The layer of a Keras config.</summary>
    internal static ThresholdedReLU FromConfig(LayerConfigReader c)
    {
        try { return new(c.Double(1.0, "theta"), name: c.Name); }
        catch (KerasNetException e) when (e is not ModelConfigException) { throw c.Error(e.Message); }
    }

    /// <summary>The threshold.</summary>
    public double Theta { get; }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["theta"] = Floatx(Theta);
        return c;
    }
}
