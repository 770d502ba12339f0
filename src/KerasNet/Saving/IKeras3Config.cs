#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Saving;

/// <summary>
/// A layer whose Keras 3 config differs from its tf.keras 2.4 one in more than what <see cref="ModelConfigWriter"/>
/// converts for every layer (the dtype policy, dropping batch_input_shape). Two ways, both optional:
/// <see cref="GetKeras3Config"/> replaces the starting config (Keras 3's SpatialDropout layers take no
/// <c>trainable</c> or <c>noise_shape</c> argument, so a tf.keras 2.4 config would not load there), and
/// <see cref="ToKeras3"/> rewrites the converted config in place (BatchNormalization's axis is one int there, never
/// tf.keras's resolved list; fields Keras 3 no longer accepts; weight objects under other names).
/// </summary>
internal interface IKeras3Config
{
    /// <summary>The layer's Keras 3 get_config() (dtype as a plain name: the writer turns it into a DTypePolicy).</summary>
    JsonObject GetKeras3Config() => ((Layers.Layer)this).GetConfig();

    /// <summary>Rewrites <paramref name="config"/> (already converted by the writer) into this layer's Keras 3 form.</summary>
    void ToKeras3(JsonObject config) { }
}
