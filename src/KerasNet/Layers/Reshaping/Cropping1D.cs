#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Removes steps from the beginning and end of a (steps, features) sequence, as <c>keras.layers.Cropping1D</c>.
/// Config: <c>{"cropping": [begin, end]}</c>.
/// </summary>
[KerasLayer("Cropping1D")]
public sealed class Cropping1D : MarginLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="cropping">Steps to remove: an int for both ends or (begin, end); (1, 1) by default, as Keras.</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>, (steps, features).</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>cropping1d</c>, ...).</param>
    public Cropping1D(Margins1D? cropping = null, Shape? inputShape = null, string? name = null)
        : base(1, crop: true, ZeroPadding1D.Of(cropping ?? 1), "channels_last", inputShape, name) { }

    /// <summary>(begin, end).</summary>
    public Margins1D Cropping => new(Margins.Top, Margins.Bottom);

    /// <summary>The layer of a Keras config (an int or [begin, end]).</summary>
    internal static Cropping1D FromConfig(LayerConfigReader c) => new(ZeroPadding1D.Read(c, "cropping", "_crop"), name: c.Name);
}
