#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Saving;

/// <summary>
/// A layer whose Keras 3 config differs from its tf.keras 2.4 one in more than what <see cref="ModelConfigWriter"/>
/// converts for every layer (the dtype policy, dropping batch_input_shape): Keras 3's own spelling of fields
/// (BatchNormalization's axis is one int there, never tf.keras's resolved list), its weight objects, its extra fields.
/// </summary>
internal interface IKeras3Config
{
    /// <summary>Rewrites <paramref name="config"/> (already converted by the writer) into this layer's Keras 3 form.</summary>
    void ToKeras3(JsonObject config);
}
