#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Losses;

/// <summary>
/// Keras's <c>binary_crossentropy</c>: the mean over the last axis of, on probabilities, p clipped to
/// [1e-7, 1 - 1e-7] and -(y log(p + 1e-7) + (1 - y) log(1 - p + 1e-7)) (tf.keras backend); on logits z,
/// max(z, 0) - z y + log(1 + exp(-|z|)). With label smoothing s the targets are first y (1 - s) + s / 2.
/// </summary>
public sealed class BinaryCrossentropy : SmoothedCrossentropy
{
    /// <summary>Creates the loss with Keras's arguments.</summary>
    /// <param name="fromLogits">Whether the predictions are logits rather than probabilities.</param>
    /// <param name="labelSmoothing">In [0, 1]: squeezes the targets towards 0.5.</param>
    /// <param name="axis">The axis the mean is taken over (Keras's default -1; any but the batch axis 0).</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='reduction']"/>
    /// <param name="name">The loss's name.</param>
    public BinaryCrossentropy(bool fromLogits = false, double labelSmoothing = 0, int axis = -1,
        string reduction = "sum_over_batch_size", string name = "binary_crossentropy")
        : base(fromLogits, labelSmoothing, axis, reduction, name, nameof(BinaryCrossentropy)) { }

    private protected override ActivationKind LogitsOf => ActivationKind.Sigmoid;

    private protected override void Activate(Tensor logits, Tensor into)
    {
        var z = logits.Span;
        var p = into.Span;
        for (int i = 0; i < z.Length; i++) p[i] = (float)(1 / (1 + Math.Exp(-z[i])));
    }

    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private protected override void Rows(in LossRows a)
    {
        int c = a.Width;
        var yPred = a.Pred.Span;
        var yTrue = (LabelSmoothing > 0 ? CrossEntropy.Smoothed(a.Target, LabelSmoothing, 0.5) : a.Target).Span;
        var logits = a.Logits is null ? default : a.Logits.Span;
        var grad = a.Grad;
        for (int r = 0, i = 0; r < a.Count; r++)
        {
            double total = 0;
            float scale = a.Scale[r] / c;
            for (int j = 0; j < c; j++, i++)
            {
                float y = yTrue[i];
                if (a.Logits != null)
                {
                    double z = logits[i];
                    total += Math.Max(z, 0) - z * y + Math.Log(1 + Math.Exp(-Math.Abs(z)));
                    if (!grad.IsEmpty) grad[i] = (yPred[i] - y) * scale;
                }
                else
                {
                    float p = yPred[i];
                    float pc = Math.Clamp(p, Epsilon, 1 - Epsilon);
                    total -= y * Math.Log(pc + Epsilon) + (1 - y) * Math.Log(1 - pc + Epsilon);
                    if (!grad.IsEmpty)
                        grad[i] = p >= Epsilon && p <= 1 - Epsilon ? (float)((-y / (pc + Epsilon) + (1 - y) / (1 - pc + Epsilon)) * scale) : 0f;
                }
            }
            a.Loss[r] = total / c;
        }
    }
}
