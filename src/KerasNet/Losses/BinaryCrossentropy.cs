#nullable enable
using KerasNet.Engine;

namespace KerasNet.Losses;

/// <summary>
/// Binary cross-entropy, averaged over the last axis then the batch. On probabilities: clip to [1e-7, 1 - 1e-7]
/// and -(y log(p + 1e-7) + (1 - y) log(1 - p + 1e-7)) (tf.keras backend); on logits:
/// max(z, 0) - z y + log(1 + exp(-|z|)).
/// </summary>
public sealed class BinaryCrossentropy : Loss
{
    /// <inheritdoc/>
    public override string Name => "binary_crossentropy";

    /// <inheritdoc/>
    public override ActivationKind? FusableActivation => ActivationKind.Sigmoid;

    /// <inheritdoc/>
    public override double Compute(Tensor yPred, Tensor yTrue, Tensor? grad, Tensor? logits = null)
    {
        CheckSameShape(yPred, yTrue, Name);
        int n = yPred.Length;
        float scale = 1f / n;
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            float y = yTrue[i];
            if (logits != null)
            {
                double z = logits[i];
                total += Math.Max(z, 0) - z * y + Math.Log(1 + Math.Exp(-Math.Abs(z)));
                if (grad != null) grad[i] = (yPred[i] - y) * scale;
            }
            else
            {
                float p = yPred[i];
                float pc = Math.Clamp(p, Epsilon, 1 - Epsilon);
                total -= y * Math.Log(pc + Epsilon) + (1 - y) * Math.Log(1 - pc + Epsilon);
                if (grad != null)
                    grad[i] = p >= Epsilon && p <= 1 - Epsilon ? (float)((-y / (pc + Epsilon) + (1 - y) / (1 - pc + Epsilon)) * scale) : 0f;
            }
        }
        // The mean over the last axis, then over the batch, is the mean over all elements.
        return total / n;
    }
}
