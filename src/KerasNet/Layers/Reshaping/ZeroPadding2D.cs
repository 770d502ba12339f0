#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Adds rows and columns of zeros around an image, as <c>keras.layers.ZeroPadding2D</c>.
/// Config: <c>{"padding": [[top, bottom], [left, right]], "data_format"}</c>.
/// </summary>
[KerasLayer("ZeroPadding2D")]
public sealed class ZeroPadding2D : MarginLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="padding">An int (all sides; 1 by default), (h, w) (symmetric per axis) or ((top, bottom), (left, right)).</param>
    /// <param name="dataFormat">"channels_last" (default, (h, w, c) samples) or "channels_first" ((c, h, w)).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>zero_padding2d</c>, ...).</param>
    public ZeroPadding2D(Margins2D? padding = null, string dataFormat = "channels_last", Shape? inputShape = null, string? name = null)
        : base(2, crop: false, padding ?? 1, dataFormat, inputShape, name) { }

    /// <summary>((top, bottom), (left, right)).</summary>
    public Margins2D Padding => Margins;

    /// <summary>
    /// The layer of a Keras config: an int, [h, w], [[t, b], [l, r]]; Keras 1's [t, b, l, r],
    /// {"top_pad", "bottom_pad", "left_pad", "right_pad"} and dim_ordering too.
    /// </summary>
    internal static ZeroPadding2D FromConfig(LayerConfigReader c) =>
        new(c.Margins2("_pad", "padding") is { } m ? new Margins2D(m.Top, m.Bottom, m.Left, m.Right) : 1, c.DataFormat(), name: c.Name);
}
