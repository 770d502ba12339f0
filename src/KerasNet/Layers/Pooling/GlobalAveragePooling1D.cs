#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Average over the steps of a (steps, features) sequence, as <c>keras.layers.GlobalAveragePooling1D</c>. Config: <c>{"data_format"}</c> (and <c>"keepdims": true</c> when set).
/// </summary>
[KerasLayer("GlobalAveragePooling1D", "GlobalAvgPool1D")]
public sealed class GlobalAveragePooling1D : GlobalPooling
{
    /// <summary>Creates the layer.</summary>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="keepdims">Keep the pooled axes with length 1 (Keras 2.6+ and 3; false by default).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>global_average_pooling1d</c>, ...).</param>
    public GlobalAveragePooling1D(string dataFormat = "channels_last", bool keepdims = false, Shape? inputShape = null, string? name = null)
        : base(1, false, dataFormat, keepdims, inputShape, name) { }

    /// <summary>The layer of a Keras config (Keras 1's dim_ordering too).</summary>
    internal static GlobalAveragePooling1D FromConfig(LayerConfigReader c)
    {
        var (format, keepdims) = ArgsOf(c);
        return new GlobalAveragePooling1D(format, keepdims, name: c.Name);
    }

    /// <summary>
    /// True, as in Keras (tf.keras 2.4 and Keras 3 set supports_masking; there a masked sequence is averaged over its
    /// unmasked steps only, and the mask stops at this layer).
    /// </summary>
    public override bool SupportsMasking => true;

    /// <summary>tf.keras 2.4's compute_mask: the pooled output has no mask.</summary>
    internal override Engine.Tensor? ComputeMask(CallContext ctx, Engine.Tensor? inputMask) => null;
}
