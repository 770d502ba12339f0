#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's <c>RandomRotation</c>: in training each image is rotated by an angle drawn from
/// [lower * 2 pi, upper * 2 pi] (positive is counter-clockwise) about its centre ((w - 1) / 2, (h - 1) / 2), with
/// tf.keras 2.x's get_rotation_matrix, and resampled as TensorFlow's ImageProjectiveTransformV3 does. Keras 3 rotates
/// about a slightly different centre; KerasNet follows tf.keras. The identity at inference.
/// </summary>
[KerasLayer("RandomRotation")]
public sealed class RandomRotation : RandomAffineLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="factor">A fraction of 2 pi: f gives angles in [-f * 2 pi, f * 2 pi], (lower, upper) in
    /// [lower * 2 pi, upper * 2 pi] (tf.keras 2.6+ and Keras 3; tf.keras 2.4 read a pair as [-lower, upper]).</param>
    /// <param name="fillMode">"reflect" (default), "wrap", "constant" or "nearest".</param>
    /// <param name="interpolation">"bilinear" (default) or "nearest".</param>
    /// <param name="seed">Seed of the layer's own generator; null draws from the context's "augment" stream.</param>
    /// <param name="fillValue">The value outside the image with fill mode "constant".</param>
    /// <param name="inputShape">Keras's input_shape.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="trainable">Keras's trainable flag (the layer has no weights).</param>
    public RandomRotation(Factor factor, string fillMode = "reflect", string interpolation = "bilinear", int? seed = null,
        double fillValue = 0.0, Shape? inputShape = null, string? name = null, bool trainable = true)
        : base("RandomRotation", fillMode, interpolation, fillValue, seed, inputShape, name, trainable)
    {
        Factor = factor;
        (Lower, Upper) = Symmetric(factor);
        if (Upper < Lower) throw new KerasNetException($"RandomRotation: factor cannot have an upper bound below its lower bound, got {factor}.");
    }

    /// <summary>The layer of a Keras config (tf.keras 2.4 has no fill_value; Keras 3 adds data_format).</summary>
    internal static RandomRotation FromConfig(LayerConfigReader c)
    {
        var (fill, interp, value) = ReadResampling(c);
        return new RandomRotation(PreprocessingArgs.RequiredFactor(c, "factor"), fill, interp, c.OptionalInt("seed"), value,
            name: c.Name, trainable: c.Bool(true, "trainable"));
    }

    /// <summary>The factor as given.</summary>
    public Factor Factor { get; }

    /// <summary>Angles are drawn from [Lower * 2 pi, Upper * 2 pi].</summary>
    public double Lower { get; }

    /// <summary>Angles are drawn from [Lower * 2 pi, Upper * 2 pi].</summary>
    public double Upper { get; }

    private protected override void Draw(Random rng, int height, int width, Span<float> t)
    {
        float angle = (float)PreprocessingArgs.Uniform(rng, Lower * 2 * Math.PI, Upper * 2 * Math.PI);
        RotationMatrix(angle, height, width, t);
    }

    /// <summary>tf.keras 2.x's get_rotation_matrix for one angle, in float32.</summary>
    internal static void RotationMatrix(float angle, int height, int width, Span<float> t)
    {
        float cos = MathF.Cos(angle), sin = MathF.Sin(angle);
        float w1 = width - 1, h1 = height - 1;
        t[0] = cos;
        t[1] = -sin;
        t[2] = (w1 - (cos * w1 - sin * h1)) / 2f;
        t[3] = sin;
        t[4] = cos;
        t[5] = (h1 - (sin * w1 + cos * h1)) / 2f;
        t[6] = 0;
        t[7] = 0;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["factor"] = Factor.ToJson();
        AddResamplingConfig(c);
        return c;
    }
}
