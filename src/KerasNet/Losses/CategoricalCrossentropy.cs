#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Losses;

/// <summary>
/// Keras's <c>categorical_crossentropy</c>: -sum(y log(p)) per row. On probabilities it first normalises p to sum 1
/// and clips it to [1e-7, 1 - 1e-7] (tf.keras backend); on logits it is softmax_cross_entropy_with_logits. With
/// label smoothing s the targets are first y (1 - s) + s / classes.
/// </summary>
public sealed class CategoricalCrossentropy : SmoothedCrossentropy
{
    /// <summary>Creates the loss with Keras's arguments.</summary>
    /// <param name="fromLogits">Whether the predictions are logits rather than probabilities.</param>
    /// <param name="labelSmoothing">In [0, 1]: squeezes the targets towards 1 / classes.</param>
    /// <param name="axis">The class axis (Keras's default -1; any but the batch axis 0, without label smoothing unless -1).</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='reduction']"/>
    /// <param name="name">The loss's name.</param>
    public CategoricalCrossentropy(bool fromLogits = false, double labelSmoothing = 0, int axis = -1,
        string reduction = "sum_over_batch_size", string name = "categorical_crossentropy")
        : base(fromLogits, labelSmoothing, axis, reduction, name, nameof(CategoricalCrossentropy))
    {
        // Keras smooths towards 1 / shape[-1] whatever the axis; that mix of axes is refused rather than guessed.
        if (labelSmoothing > 0 && axis != -1)
            throw new KerasNetException($"CategoricalCrossentropy: label_smoothing with axis={axis} is not supported (Keras smooths towards 1/shape[-1], not 1/shape[axis]); use axis=-1.");
    }

    private protected override ActivationKind LogitsOf => ActivationKind.Softmax;

    private protected override void Activate(Tensor logits, Tensor into) => CrossEntropy.Softmax(logits, into);

    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private protected override void Rows(in LossRows a)
    {
        int c = a.Width;
        var target = LabelSmoothing > 0 ? CrossEntropy.Smoothed(a.Target, LabelSmoothing, 1.0 / c) : a.Target;
        CrossEntropy.Rows(a, target.Span, c);
    }
}

/// <summary>The per-row arithmetic shared by the cross-entropies.</summary>
internal static class CrossEntropy
{
    /// <summary>Every row of a categorical cross-entropy against dense targets <paramref name="y"/>.</summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Rows(in LossRows a, ReadOnlySpan<float> y, int c)
    {
        bool wantGrad = !a.Grad.IsEmpty;
        for (int r = 0; r < a.Count; r++) a.Loss[r] = Row(a, y.Slice(r * c, c), r, c, wantGrad);
    }

    /// <summary>Row <paramref name="r"/> against its targets <paramref name="y"/>.</summary>
    public static double Row(in LossRows a, ReadOnlySpan<float> y, int r, int c, bool wantGrad)
    {
        int o = r * c;
        var p = a.Pred.Span.Slice(o, c);
        var g = wantGrad ? a.Grad.Slice(o, c) : default;
        return a.Logits != null ? FromLogits(a.Logits.Span.Slice(o, c), y, p, g, a.Scale[r]) : FromProbabilities(p, y, g, a.Scale[r]);
    }

    /// <summary>logsumexp(z) - sum(y z); gradient (softmax(z) sum(y) - y) times the row's factor, softmax(z) being p.</summary>
    // Once per step of Fit or Evaluate: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>Softmax over the last axis.</summary>
    public static void Softmax(Tensor z, Tensor into)
    {
        int c = z.Shape[^1];
        var zs = z.Span;
        var p = into.Span;
        for (int o = 0; o < zs.Length; o += c)
        {
            double max = double.NegativeInfinity, sum = 0;
            for (int j = 0; j < c; j++) max = Math.Max(max, zs[o + j]);
            for (int j = 0; j < c; j++) sum += Math.Exp(zs[o + j] - max);
            for (int j = 0; j < c; j++) p[o + j] = (float)(Math.Exp(zs[o + j] - max) / sum);
        }
    }

    /// <summary>Keras's label smoothing, in float32: y (1 - s) + add, into this thread's scratch.</summary>
    public static Tensor Smoothed(Tensor y, double smoothing, double add)
    {
        var s = LossScratch.Current;
        var t = s.Targets = Tensor.Ensure(s.Targets, (ReadOnlySpan<int>)y.Shape);
        float keep = (float)(1 - smoothing), plus = (float)(smoothing * add);
        var src = y.Span;
        var dst = t.Span;
        for (int i = 0; i < src.Length; i++) dst[i] = src[i] * keep + plus;
        return t;
    }

    public static double CheckSmoothing(double s, string cls) => s is >= 0 and <= 1
        ? s : throw new KerasNetException($"{cls}: label_smoothing must be in [0, 1], got {s}.");
}
