#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Removes rows and columns from the edges of an image, as <c>keras.layers.Cropping2D</c>.
/// Config: <c>{"cropping": [[top, bottom], [left, right]], "data_format"}</c>.
/// </summary>
[KerasLayer("Cropping2D")]
public sealed class Cropping2D : MarginLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="cropping">An int (all sides), (h, w) (symmetric per axis) or ((top, bottom), (left, right)); none by default, as Keras.</param>
    /// <param name="dataFormat">"channels_last" (default, (h, w, c) samples) or "channels_first" ((c, h, w)).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>cropping2d</c>, ...).</param>
    public Cropping2D(Margins2D? cropping = null, string dataFormat = "channels_last", Shape? inputShape = null, string? name = null)
        : base(2, crop: true, cropping ?? 0, dataFormat, inputShape, name) { }

    /// <summary>((top, bottom), (left, right)).</summary>
    public Margins2D Cropping => Margins;

    /// <summary>The layer of a Keras config: an int, [h, w] or [[t, b], [l, r]]; Keras 1's dim_ordering too.</summary>
    internal static Cropping2D FromConfig(LayerConfigReader c) =>
        new(c.Margins2("_crop", "cropping") is { } m ? new Margins2D(m.Top, m.Bottom, m.Left, m.Right) : 0, c.DataFormat(), name: c.Name);
}
