#nullable enable
namespace KerasNet.Layers;

/// <summary>
/// A layer whose config holds initializer, regularizer or constraint objects under its own field names
/// (<c>embeddings_initializer</c>): the Keras 3 config writer serializes them in Keras 3's form.
/// </summary>
internal interface IWeightObjects
{
    /// <summary>Whether <paramref name="field"/> is one of those config fields.</summary>
    bool IsWeightObjectField(string field);

    /// <summary>The object behind the field (null when unset).</summary>
    KerasObject? WeightObject(string field);
}
