#nullable enable
using KerasNet.Engine;

namespace KerasNet.Losses;

/// <summary>
/// -sum(y * log(p)) per sample. On probabilities it first normalises p to sum 1 and clips it to
/// [1e-7, 1 - 1e-7] (tf.keras backend); on logits it is softmax_cross_entropy_with_logits.
/// </summary>
public sealed class CategoricalCrossentropy : Loss
{
    /// <inheritdoc/>
    public override string Name => "categorical_crossentropy";

    /// <inheritdoc/>
    public override ActivationKind? FusableActivation => ActivationKind.Softmax;

    /// <inheritdoc/>
    public override double Compute(Tensor yPred, Tensor yTrue, Tensor? grad, Tensor? logits = null)
    {
        CheckSameShape(yPred, yTrue, Name);
        int c = yPred.Shape[^1], rows = yPred.Length / c;
        double total = 0;
        var p = yPred.Span; var y = yTrue.Span;
        Span<float> g = grad is null ? default : grad.Span;
        float invN = 1f / rows;
        for (int r = 0; r < rows; r++)
        {
            int o = r * c;
            if (logits != null)
                total += CrossEntropy.FromLogits(logits.Span.Slice(o, c), y.Slice(o, c), p.Slice(o, c), grad is null ? default : g.Slice(o, c), invN);
            else
                total += CrossEntropy.FromProbabilities(p.Slice(o, c), y.Slice(o, c), grad is null ? default : g.Slice(o, c), invN);
        }
        return total / rows;
    }
}

/// <summary>The per-row arithmetic shared by the categorical cross-entropies.</summary>
internal static class CrossEntropy
{
    /// <summary>logsumexp(z) - sum(y z); gradient (softmax(z) sum(y) - y) / N, softmax(z) being the layer output p.</summary>
    public static double FromLogits(ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> p, Span<float> g, float invN)
    {
        double max = double.NegativeInfinity;
        foreach (float v in z) max = Math.Max(max, v);
        double sumExp = 0, sumY = 0, dot = 0;
        for (int j = 0; j < z.Length; j++) { sumExp += Math.Exp(z[j] - max); sumY += y[j]; dot += y[j] * (z[j] - max); }
        if (!g.IsEmpty) for (int j = 0; j < z.Length; j++) g[j] = (float)((p[j] * sumY - y[j]) * invN);
        return sumY * Math.Log(sumExp) - dot;
    }

    /// <summary>Keras's clipped formula on probabilities, with the exact gradient of normalise-then-clip.</summary>
    public static double FromProbabilities(ReadOnlySpan<float> p, ReadOnlySpan<float> y, Span<float> g, float invN)
    {
        float s = 0;
        foreach (float v in p) s += v;
        double loss = 0, gq = 0;
        for (int j = 0; j < p.Length; j++)
        {
            float q = p[j] / s;
            float cq = Math.Clamp(q, Loss.Epsilon, 1 - Loss.Epsilon);
            loss -= y[j] * Math.Log(cq);
            if (!g.IsEmpty)
            {
                float d = q >= Loss.Epsilon && q <= 1 - Loss.Epsilon ? -y[j] / cq : 0f;
                g[j] = d;
                gq += d * p[j];
            }
        }
        if (!g.IsEmpty)
            for (int j = 0; j < p.Length; j++) g[j] = (float)((g[j] / s - gq / (s * (double)s)) * invN);
        return loss;
    }
}
