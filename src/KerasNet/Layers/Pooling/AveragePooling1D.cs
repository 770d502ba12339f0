#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Average pooling over windows of steps, as <c>keras.layers.AveragePooling1D</c>; with "same" padding only the steps
/// inside the sequence are averaged (TensorFlow). Config: <c>{"strides": [s], "pool_size": [p], "padding", "data_format"}</c>.
/// </summary>
[KerasLayer("AveragePooling1D", "AvgPool1D")]
public sealed class AveragePooling1D : Pooling1D
{
    /// <summary>Creates the layer.</summary>
    /// <param name="poolSize">Window length (2 by default).</param>
    /// <param name="strides">Steps between windows; null (the default) means the pool size.</param>
    /// <param name="padding">"valid" (default) or "same" (case-insensitive).</param>
    /// <param name="dataFormat">"channels_last" (default, (steps, features)) or "channels_first" ((features, steps)).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>average_pooling1d</c>, ...).</param>
    public AveragePooling1D(int poolSize = 2, int? strides = null, string padding = "valid", string dataFormat = "channels_last",
        Shape? inputShape = null, string? name = null)
        : base(false, poolSize, strides, padding, dataFormat, inputShape, name) { }

    /// <summary>The layer of a Keras config (Keras 1's <c>pool_length</c>, <c>stride</c>, <c>border_mode</c> too).</summary>
    internal static AveragePooling1D FromConfig(LayerConfigReader c)
    {
        var (pool, strides, padding, format) = ArgsOf(c);
        return new AveragePooling1D(pool, strides, padding, format, name: c.Name);
    }
}
