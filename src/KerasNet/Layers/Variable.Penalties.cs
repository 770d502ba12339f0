#nullable enable
namespace KerasNet.Layers;

// Keras keeps a weight's regularizer and constraint on the variable itself (add_weight(regularizer=, constraint=)),
// so the trainer can apply them to every weight without knowing which layer made it or how.
public sealed partial class Variable
{
    /// <summary>
    /// Keras's regularizer of this weight (<c>add_weight(regularizer=...)</c>), set by its layer: the trainer adds
    /// its penalty to the loss and its gradient to the weight's gradient. Null when there is none.
    /// </summary>
    public Regularizer? Regularizer { get; internal set; }

    /// <summary>
    /// Keras's constraint of this weight (<c>add_weight(constraint=...)</c>), set by its layer: the trainer projects
    /// the weight with it after each optimizer update, as Keras's optimizer does. Null when there is none.
    /// </summary>
    public Constraint? Constraint { get; internal set; }

    /// <summary>Whether the trainer has anything to add for <see cref="Regularizer"/> (a set one with a non-zero factor).</summary>
    internal bool IsRegularized => Regularizer is { IsZero: false };
}
