#nullable enable
namespace KerasNet.Layers;

/// <summary>
/// A layer that can say why KerasNet cannot train it as Keras would (a regularizer or constraint KerasNet does not
/// apply yet): <see cref="KernelLayer"/>, the normalization layers. Training asks every leaf layer before the first
/// step (<see cref="KernelLayer.CheckTrainable"/>) and refuses with the first answer, so nothing is silently ignored.
/// </summary>
internal interface ITrainingRefusal
{
    /// <summary>Why the layer cannot be trained as Keras would train it, or null when it can.</summary>
    string? TrainingRefusal();
}
