#nullable enable
namespace KerasNet.Layers;

// Inference folding: y = gamma * (x - moving_mean) / sqrt(moving_variance + eps) + beta is x * scale + shift per
// channel. The scale and shift are computed once and kept until one of the four weights changes, so a prediction is
// one multiply-add pass. A change is seen through the weights' Version counters and, as a safety net for code that
// writes Variable.Value without MarkChanged, by comparing the 4C values the fold was made from (a vectorised memcmp:
// a few percent of the pass at worst, for maps of a few pixels and hundreds of channels). The layer before (a Dense,
// Conv2D or DepthwiseConv2D whose output only this layer reads, with no activation) can absorb them into its kernel
// and bias: TryFoldInto.
public sealed partial class BatchNormalization
{
    /// <summary>The inference transform for one state of the weights (never changed once built, so threads may share it).</summary>
    private sealed class Folding
    {
        public required long Version;
        public required float[] Scale, Shift, Mean, InvStd, Variance;
        public float[]? Gamma, Beta;

        /// <summary>Whether the weights still hold the values this fold was made from.</summary>
        public bool MadeFrom(BatchNormalization bn) =>
            Same(bn.Gamma, Gamma) && Same(bn.Beta, Beta) && Mean.AsSpan().SequenceEqual(bn.MovingMean!.Value.Span)
            && Variance.AsSpan().SequenceEqual(bn.MovingVariance!.Value.Span);

        private static bool Same(Variable? v, float[]? copy) => v is null || copy.AsSpan().SequenceEqual(v.Value.Span);
    }

    private Folding? _folding;

    /// <summary>
    /// The sum of the weights' change counters: it grows whenever any of them changes (SetWeights, loading, an
    /// optimizer step, a training call's moving statistics), so a cache keyed on it is stale exactly when it differs.
    /// </summary>
    internal long FoldVersion => (Gamma?.Version ?? 0) + (Beta?.Version ?? 0) + MovingMean!.Version + MovingVariance!.Version;

    /// <summary>The current inference transform: the cached one, or one rebuilt from the weights (as tf.nn.batch_normalization
    /// computes it: inv = gamma / sqrt(var + eps) in float32, shift = beta - mean * inv).</summary>
    private Folding Folded()
    {
        long version = FoldVersion;
        var f = Volatile.Read(ref _folding);
        if (f != null && f.Version == version && f.MadeFrom(this)) return f;
        int c = Channels;
        f = new Folding
        {
            Version = version, Scale = new float[c], Shift = new float[c], InvStd = new float[c],
            Mean = MovingMean!.Value.ToArray(), Variance = MovingVariance!.Value.ToArray(), Gamma = Gamma?.Value.ToArray(), Beta = Beta?.Value.ToArray(),
        };
        float eps = (float)Epsilon;
        for (int k = 0; k < c; k++)
        {
            float inv = f.InvStd[k] = 1f / MathF.Sqrt(f.Variance[k] + eps);
            f.Scale[k] = (f.Gamma?[k] ?? 1f) * inv;
            f.Shift[k] = (f.Beta?[k] ?? 0f) - f.Mean[k] * f.Scale[k];
        }
        Volatile.Write(ref _folding, f);
        return f;
    }

    /// <summary>
    /// The object of the current inference transform (checked against the weights' values as <see cref="FoldVersion"/>
    /// alone cannot be: see <see cref="Folded"/>): a cache of something folded from it is stale when this differs.
    /// </summary>
    internal object FoldIdentity => Folded();

    /// <summary>
    /// Whether the layer's inference transform is a per-channel affine map of the last axis of its input (one axis,
    /// the last), so the layer before it can absorb it: the condition for <see cref="TryGetInferenceAffine"/> and
    /// <see cref="TryFoldInto"/>.
    /// </summary>
    internal bool FoldsOnLastAxis => Built && Layout!.Axes.Length == 1 && Layout.Axes[0] == Layout.SampleShape.Length - 1;

    /// <summary>
    /// The inference transform y = x * scale[c] + shift[c] over the last axis (length <see cref="Channels"/> each),
    /// from the current weights; false (nothing written) unless <see cref="FoldsOnLastAxis"/>.
    /// </summary>
    internal bool TryGetInferenceAffine(Span<float> scale, Span<float> shift)
    {
        if (!FoldsOnLastAxis || scale.Length < Channels || shift.Length < Channels) return false;
        var f = Folded();
        f.Scale.CopyTo(scale);
        f.Shift.CopyTo(shift);
        return true;
    }

    /// <summary>
    /// Folds this layer's inference transform into the kernel and bias of the layer before it, for a graph-level
    /// rewrite of inference: with <c>kernel</c> laid out with the output channel fastest (Dense (in, units), Conv2D
    /// (kh, kw, in, filters), DepthwiseConv2D (kh, kw, in, multiplier), whose output channel is in * multiplier + m),
    /// <c>foldedKernel[e] = kernel[e] * scale[e % C]</c> and <c>foldedBias[c] = bias[c] * scale[c] + shift[c]</c>
    /// (bias empty: the layer has none). The result equals BN(layer(x)) only when nothing lies between them
    /// (no activation, no other reader of the layer's output): the caller checks that; this method checks the
    /// shapes and <see cref="FoldsOnLastAxis"/>, returns false (nothing written) when they do not fit, and may
    /// write into the source arrays (folding in place). Recompute when <see cref="FoldVersion"/> (or the layer's own
    /// weights' <see cref="Variable.Version"/>) changes.
    /// </summary>
    internal bool TryFoldInto(ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias, Span<float> foldedKernel, Span<float> foldedBias)
    {
        if (!FoldsOnLastAxis) return false;
        int c = Channels;
        if (kernel.Length == 0 || kernel.Length % c != 0 || foldedKernel.Length < kernel.Length || foldedBias.Length < c || (bias.Length != 0 && bias.Length != c))
            return false;
        var f = Folded();
        for (int start = 0; start < kernel.Length; start += c)
            System.Numerics.Tensors.TensorPrimitives.Multiply(kernel.Slice(start, c), f.Scale, foldedKernel.Slice(start, c));
        for (int k = 0; k < c; k++) foldedBias[k] = (bias.IsEmpty ? 0f : bias[k]) * f.Scale[k] + f.Shift[k];
        return true;
    }
}
