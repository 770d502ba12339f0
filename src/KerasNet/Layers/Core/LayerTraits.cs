#nullable enable
namespace KerasNet.Layers;

/// <summary>
/// A layer (other than a <see cref="KernelLayer"/>) that may hold something KerasNet does not apply in training yet
/// (a regularizer, a constraint, Keras 1's embedding dropout): training asks for it to be removed rather than train
/// a different model without a word. Checked with the kernel layers' refusals (<see cref="KernelLayer.CheckTrainable"/>).
/// </summary>
internal interface ITrainingCheck
{
    /// <summary>Why the layer cannot be trained as Keras would train it, or null when it can.</summary>
    string? TrainingRefusal();
}

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
