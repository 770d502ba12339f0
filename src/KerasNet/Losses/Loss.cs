#nullable enable
using KerasNet.Engine;

namespace KerasNet.Losses;

/// <summary>
/// A Keras loss: the mean over the batch of a per-sample loss, with its gradient. Losses that tf.keras fuses with
/// the output activation inside <c>fit</c> (softmax + categorical cross-entropy, sigmoid + binary cross-entropy)
/// name that activation and compute from the logits when the model passes them.
/// </summary>
public abstract class Loss
{
    /// <summary>Keras's function name ("categorical_crossentropy").</summary>
    public abstract string Name { get; }

    /// <summary>The output activation whose logits this loss can take directly, if any.</summary>
    public virtual ActivationKind? FusableActivation => null;

    /// <summary>
    /// Returns the mean loss over the batch and, when <paramref name="grad"/> is given, writes the gradient of that
    /// mean with respect to <paramref name="yPred"/> (or to <paramref name="logits"/> when those are given).
    /// </summary>
    public abstract double Compute(Tensor yPred, Tensor yTrue, Tensor? grad, Tensor? logits = null);

    /// <summary>Resolves a Keras loss name or alias.</summary>
    public static Loss Get(string name) => name switch
    {
        "categorical_crossentropy" or "CategoricalCrossentropy" => new CategoricalCrossentropy(),
        "binary_crossentropy" or "BinaryCrossentropy" => new BinaryCrossentropy(),
        "sparse_categorical_crossentropy" or "SparseCategoricalCrossentropy" => new SparseCategoricalCrossentropy(),
        "mean_squared_error" or "mse" or "MSE" or "MeanSquaredError" => new MeanSquaredError(),
        _ => throw new KerasNetException($"Unknown loss '{name}': supported are categorical_crossentropy, binary_crossentropy, sparse_categorical_crossentropy, mean_squared_error."),
    };

    /// <summary>Keras's fuzz factor (backend epsilon) used to clip probabilities.</summary>
    public const float Epsilon = 1e-7f;

    /// <summary>
    /// Checks that predictions and targets agree, naming both shapes otherwise. As Keras's
    /// squeeze_or_expand_dimensions, targets of shape (N,) are accepted for outputs of shape (N, 1) (a binary
    /// class_mode yields those); the element order is then the same.
    /// </summary>
    protected static void CheckSameShape(Tensor yPred, Tensor yTrue, string loss)
    {
        bool trailingOne = yPred.Rank == yTrue.Rank + 1 && yPred.Shape[^1] == 1 && yPred.Shape.AsSpan(0, yTrue.Rank).SequenceEqual(yTrue.Shape);
        if (!trailingOne && !ShapeUtil.Equal(yPred.Shape, yTrue.Shape))
            throw new ShapeMismatchException($"{loss}: targets of shape {ShapeUtil.Format(yTrue.Shape)} do not match model outputs of shape {ShapeUtil.Format(yPred.Shape)}.");
    }
}
