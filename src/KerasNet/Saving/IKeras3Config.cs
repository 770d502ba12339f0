#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Saving;

/// <summary>
/// A layer whose Keras 3 config is not its tf.keras 2.4 one with the usual translation (Keras 3's SpatialDropout
/// layers take no <c>trainable</c> or <c>noise_shape</c> argument, so a tf.keras 2.4 config would not load there).
/// The .keras writer starts from this config instead of <see cref="Layers.Layer.GetConfig"/>.
/// </summary>
internal interface IKeras3Config
{
    /// <summary>The layer's Keras 3 get_config() (dtype as a plain name: the writer turns it into a DTypePolicy).</summary>
    JsonObject GetKeras3Config();
}
