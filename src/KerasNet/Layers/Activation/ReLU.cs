#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's rectified linear unit layer: <c>max_value</c> for x &gt;= max_value, x for threshold &lt; x &lt; max_value,
/// <c>negative_slope * (x - threshold)</c> below the threshold (plain <c>max(x, 0)</c> with the defaults).
/// </summary>
[KerasLayer("ReLU")]
public sealed class ReLU : RectifierLayer
{
    /// <summary>Creates the layer with Keras's defaults (no max value, slope 0, threshold 0).</summary>
    /// <param name="maxValue">The saturation value (&gt;= 0), or null for none.</param>
    /// <param name="negativeSlope">Slope below the threshold (&gt;= 0).</param>
    /// <param name="threshold">Where the unit starts to pass its input.</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name.</param>
    public ReLU(double? maxValue = null, double negativeSlope = 0, double threshold = 0, Shape? inputShape = null, string? name = null)
        : base(inputShape, name)
    {
        if (maxValue is double m && !(Finite(m, "ReLU", "max_value") >= 0)) throw new KerasNetException($"ReLU: max_value cannot be negative, got {m}.");
        if (!(Finite(negativeSlope, "ReLU", "negative_slope") >= 0)) throw new KerasNetException($"ReLU: negative_slope cannot be negative, got {negativeSlope}.");
        Finite(threshold, "ReLU", "threshold");
        MaxValue = maxValue;
        NegativeSlope = negativeSlope;
        Threshold = threshold;
        Options = new ReluOptions((float)negativeSlope, maxValue is double mv ? (float)mv : null, (float)threshold);
    }

    /// <summary>The layer of a Keras config (tf.keras 2.4 and Keras 3 write the same fields).</summary>
    internal static ReLU FromConfig(LayerConfigReader c)
    {
        try
        {
            return new(c.Has("max_value") ? c.Double(0, "max_value") : null, c.Double(0, "negative_slope"), c.Double(0, "threshold"), name: c.Name);
        }
        catch (KerasNetException e) when (e is not ModelConfigException) { throw c.Error(e.Message); }
    }

    /// <summary>The saturation value, or null.</summary>
    public double? MaxValue { get; }

    /// <summary>The slope below the threshold.</summary>
    public double NegativeSlope { get; }

    /// <summary>The threshold.</summary>
    public double Threshold { get; }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["max_value"] = MaxValue is double m ? Floatx(m) : null;
        c["negative_slope"] = Floatx(NegativeSlope);
        c["threshold"] = Floatx(Threshold);
        return c;
    }
}
