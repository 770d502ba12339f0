#nullable enable
using KerasNet.Engine;

namespace KerasNet.Losses;

/// <summary>mean((p - y)^2) over the last axis, then over the batch.</summary>
public sealed class MeanSquaredError : Loss
{
    /// <inheritdoc/>
    public override string Name => "mean_squared_error";

    /// <inheritdoc/>
    public override double Compute(Tensor yPred, Tensor yTrue, Tensor? grad, Tensor? logits = null)
    {
        CheckSameShape(yPred, yTrue, Name);
        int n = yPred.Length;
        double total = 0;
        float scale = 2f / n;
        for (int i = 0; i < n; i++)
        {
            float d = yPred[i] - yTrue[i];
            total += (double)d * d;
            if (grad != null) grad[i] = d * scale;
        }
        return total / n;
    }
}
