#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Average over the pixels of an image, per channel, as <c>keras.layers.GlobalAveragePooling2D</c>. Config: <c>{"data_format"}</c> (and <c>"keepdims": true</c> when set).
/// </summary>
[KerasLayer("GlobalAveragePooling2D", "GlobalAvgPool2D")]
public sealed class GlobalAveragePooling2D : GlobalPooling
{
    /// <summary>Creates the layer.</summary>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="keepdims">Keep the pooled axes with length 1 (Keras 2.6+ and 3; false by default).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>global_average_pooling2d</c>, ...).</param>
    public GlobalAveragePooling2D(string dataFormat = "channels_last", bool keepdims = false, Shape? inputShape = null, string? name = null)
        : base(2, false, dataFormat, keepdims, inputShape, name) { }

    /// <summary>The layer of a Keras config (Keras 1's dim_ordering too).</summary>
    internal static GlobalAveragePooling2D FromConfig(LayerConfigReader c)
    {
        var (format, keepdims) = ArgsOf(c);
        return new GlobalAveragePooling2D(format, keepdims, name: c.Name);
    }
}
