#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Maximum over the pixels of an image, per channel, as <c>keras.layers.GlobalMaxPooling2D</c>. Config: <c>{"data_format"}</c> (and <c>"keepdims": true</c> when set).
/// </summary>
[KerasLayer("GlobalMaxPooling2D", "GlobalMaxPool2D")]
public sealed class GlobalMaxPooling2D : GlobalPooling
{
    /// <summary>Creates the layer.</summary>
    /// <param name="dataFormat">"channels_last" (default) or "channels_first".</param>
    /// <param name="keepdims">Keep the pooled axes with length 1 (Keras 2.6+ and 3; false by default).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>global_max_pooling2d</c>, ...).</param>
    public GlobalMaxPooling2D(string dataFormat = "channels_last", bool keepdims = false, Shape? inputShape = null, string? name = null)
        : base(2, true, dataFormat, keepdims, inputShape, name) { }

    /// <summary>The layer of a Keras config (Keras 1's dim_ordering too).</summary>
    internal static GlobalMaxPooling2D FromConfig(LayerConfigReader c)
    {
        var (format, keepdims) = ArgsOf(c);
        return new GlobalMaxPooling2D(format, keepdims, name: c.Name);
    }
}
