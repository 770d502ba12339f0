#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>Spatial 3-D dropout: drops whole channels (feature maps) of 5-D inputs.</summary>
[KerasLayer("SpatialDropout3D")]
public sealed class SpatialDropout3D : SpatialDropout
{
    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Fraction of the channels dropped, in [0, 1).</param>
    /// <param name="dataFormat"><c>"channels_last"</c> (Keras's default) or <c>"channels_first"</c>.</param>
    /// <param name="seed">Optional seed of the masks.</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name.</param>
    public SpatialDropout3D(double rate, string dataFormat = "channels_last", int? seed = null, Shape? inputShape = null, string? name = null)
        : base(rate, dataFormat, seed, 3, inputShape, name) { }

    /// <summary>The layer of a Keras config (Keras 1's <c>p</c> and <c>dim_ordering</c>).</summary>
    internal static SpatialDropout3D FromConfig(LayerConfigReader c) =>
        Read(c, () => new SpatialDropout3D(c.Double(0, "rate", "p"), ReadDataFormat(c), c.OptionalInt("seed"), name: c.Name));
}
