#nullable enable
namespace KerasNet.Layers;

/// <summary>A layer that ends in an activation the model may fuse with the loss.</summary>
internal interface IActivatedLayer
{
    ActivationStage Stage { get; }
}
