#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's <c>RandomContrast</c>: in training each image gets a contrast factor f drawn from
/// [1 - lower, 1 + upper], and every value x of a channel becomes <c>(x - mean) * f + mean</c>, mean being that
/// channel's mean over the image (tf.image.adjust_contrast), then clipped to <see cref="ValueRange"/> (tf.keras 2.9+
/// and Keras 3 clip to [0, 255] by default; tf.keras 2.4-2.8 did not clip). One factor per image, as Keras 3 draws
/// it (tf.keras 2.x drew one factor per batch). The identity at inference. The map is affine per image, so the input
/// gradient is exact: f g + (1 - f) mean(g) per channel, with g zero where the output was clipped.
/// </summary>
[KerasLayer("RandomContrast")]
public sealed class RandomContrast : RandomImageLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="factor">A number f (factors in [1 - f, 1 + f]) or (lower, upper) (factors in [1 - lower, 1 + upper]);
    /// lower and upper must be non-negative and lower at most 1.</param>
    /// <param name="seed">Seed of the layer's own generator; null draws from the context's "augment" stream.</param>
    /// <param name="valueRange">The range outputs are clipped to; default (0, 255).</param>
    /// <param name="inputShape">Keras's input_shape.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="trainable">Keras's trainable flag (the layer has no weights).</param>
    public RandomContrast(Factor factor, int? seed = null, (double Low, double High)? valueRange = null,
        Shape? inputShape = null, string? name = null, bool trainable = true)
        : base(seed, inputShape, name, trainable)
    {
        Factor = factor;
        (Lower, Upper) = (factor.Low, factor.High);
        if (Lower < 0 || Upper < 0 || Lower > 1)
            throw new KerasNetException($"RandomContrast: factor must be non-negative with its lower bound at most 1, got {factor}.");
        ValueRange = valueRange ?? (0, 255);
        if (!(ValueRange.Low <= ValueRange.High))
            throw new KerasNetException($"RandomContrast: value_range must be (low, high) with low <= high, got {ValueRange}.");
    }

    /// <summary>The layer of a Keras config: tf.keras's factor and seed, Keras 3's value_range and data_format.</summary>
    internal static RandomContrast FromConfig(LayerConfigReader c)
    {
        PreprocessingArgs.RefuseChannelsFirst(c);
        var range = Factor.Read(c, "value_range");
        if (range is { IsPair: false }) throw c.Error("field 'value_range' should be a list of two numbers.");
        return new RandomContrast(PreprocessingArgs.RequiredFactor(c, "factor"), c.OptionalInt("seed"),
            range is { } r ? (r.Low, r.High) : null, name: c.Name, trainable: c.Bool(true, "trainable"));
    }

    /// <summary>The factor as given.</summary>
    public Factor Factor { get; }

    /// <summary>Factors are drawn from [1 - Lower, 1 + Upper].</summary>
    public double Lower { get; }

    /// <summary>Factors are drawn from [1 - Lower, 1 + Upper].</summary>
    public double Upper { get; }

    /// <summary>The range outputs are clipped to.</summary>
    public (double Low, double High) ValueRange { get; }

    // Per image: the factor, then the channel means computed by Apply (kept for the backward pass).
    private protected override int ParamsPerImage => 1 + InputShape![2];

    private protected override void Draw(Random rng, int height, int width, Span<float> p) =>
        p[0] = (float)PreprocessingArgs.Uniform(rng, 1 - Lower, 1 + Upper);

    private protected override void Apply(Tensor input, float[] p, Tensor output)
    {
        int pixels = InputShape![0] * InputShape[1], c = InputShape[2], k = ParamsPerImage;
        float lo = (float)ValueRange.Low, hi = (float)ValueRange.High;
        var x = input.Span;
        var y = output.Span;
        Span<double> sums = stackalloc double[Math.Min(c, 256)];
        if (c > 256) sums = new double[c];
        for (int b = 0; b < input.BatchSize; b++)
        {
            var image = x.Slice(b * pixels * c, pixels * c);
            sums.Clear();
            for (int i = 0; i < image.Length; i++) sums[i % c] += image[i];
            float f = p[b * k];
            for (int ch = 0; ch < c; ch++) p[b * k + 1 + ch] = (float)(sums[ch] / pixels);
            var dst = y.Slice(b * pixels * c, pixels * c);
            for (int i = 0; i < image.Length; i++)
            {
                float mean = p[b * k + 1 + i % c];
                dst[i] = Math.Clamp((image[i] - mean) * f + mean, lo, hi);
            }
        }
    }

    private protected override void ApplyBackward(CallContext ctx, Tensor gradOutput, float[] p, Tensor gradIn)
    {
        int pixels = InputShape![0] * InputShape[1], c = InputShape[2], k = ParamsPerImage;
        float lo = (float)ValueRange.Low, hi = (float)ValueRange.High;
        var x = ctx.Inputs[0].Span;
        var g = gradOutput.Span;
        var dx = gradIn.Span;
        Span<double> sums = stackalloc double[Math.Min(c, 256)];
        if (c > 256) sums = new double[c];
        for (int b = 0; b < gradOutput.BatchSize; b++)
        {
            int start = b * pixels * c;
            float f = p[b * k];
            sums.Clear();
            // The gradient that passes the clip (TF's clip_by_value passes it where lo <= value <= hi).
            for (int i = 0; i < pixels * c; i++)
            {
                float mean = p[b * k + 1 + i % c];
                float pre = (x[start + i] - mean) * f + mean;
                float gi = pre >= lo && pre <= hi ? g[start + i] : 0f;
                dx[start + i] = gi;
                sums[i % c] += gi;
            }
            for (int i = 0; i < pixels * c; i++)
                dx[start + i] = f * dx[start + i] + (float)((1 - f) * sums[i % c] / pixels);
        }
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["factor"] = Factor.ToJson();
        // value_range is Keras 3's: written only when it is not the default, so tf.keras can read the config.
        if (ValueRange != (0, 255)) c["value_range"] = new JsonArray(ValueRange.Low, ValueRange.High);
        c["seed"] = Seed;
        return c;
    }
}
