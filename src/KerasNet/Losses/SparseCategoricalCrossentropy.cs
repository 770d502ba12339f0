#nullable enable
using KerasNet.Engine;

namespace KerasNet.Losses;

/// <summary>Categorical cross-entropy with integer class targets of shape (N,) or (N, 1).</summary>
public sealed class SparseCategoricalCrossentropy : Loss
{
    private readonly CategoricalCrossentropy _dense = new();
    // One buffer per thread, not per loss object: concurrent Evaluate calls on one model share its loss.
    [ThreadStatic] private static Tensor? t_oneHot;

    /// <inheritdoc/>
    public override string Name => "sparse_categorical_crossentropy";

    /// <inheritdoc/>
    public override ActivationKind? FusableActivation => ActivationKind.Softmax;

    /// <inheritdoc/>
    public override double Compute(Tensor yPred, Tensor yTrue, Tensor? grad, Tensor? logits = null)
    {
        int c = yPred.Shape[^1], rows = yPred.Length / c;
        if (yTrue.Length != rows)
            throw new ShapeMismatchException($"{Name}: expected {rows} integer targets for outputs of shape {ShapeUtil.Format(yPred.Shape)}, got shape {ShapeUtil.Format(yTrue.Shape)}.");
        var oneHot = t_oneHot = Tensor.Ensure(t_oneHot, (ReadOnlySpan<int>)yPred.Shape);
        oneHot.Clear();
        for (int r = 0; r < rows; r++)
        {
            float t = yTrue[r];
            int k = (int)t;
            if (k < 0 || k >= c || k != t) throw new KerasNetException($"{Name}: target {t} is not a class index in [0, {c}).");
            oneHot[r * c + k] = 1f;
        }
        return _dense.Compute(yPred, oneHot, grad, logits);
    }
}
