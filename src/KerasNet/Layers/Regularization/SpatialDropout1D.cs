#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>Spatial 1-D dropout: drops whole channels of (batch, steps, channels) inputs.</summary>
[KerasLayer("SpatialDropout1D")]
public sealed class SpatialDropout1D : SpatialDropout
{
    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Fraction of the channels dropped, in [0, 1).</param>
    /// <param name="seed">Optional seed of the masks.</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name.</param>
    public SpatialDropout1D(double rate, int? seed = null, Shape? inputShape = null, string? name = null)
        : base(rate, "channels_last", seed, 1, inputShape, name) { }

    /// <summary>The layer of a Keras config (Keras 1's <c>p</c>).</summary>
    internal static SpatialDropout1D FromConfig(LayerConfigReader c) =>
        Read(c, () => new SpatialDropout1D(c.Double(0, "rate", "p"), c.OptionalInt("seed"), name: c.Name));
}
