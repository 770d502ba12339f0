#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's <c>RandomTranslation</c>: in training each image is shifted by dy = U[height lower, upper] * h rows and
/// dx = U[width lower, upper] * w columns (positive is down and right), with tf.keras 2.x's get_translation_matrix
/// [1, 0, -dx, 0, 1, -dy], resampled as TensorFlow's ImageProjectiveTransformV3 does. The identity at inference.
/// </summary>
[KerasLayer("RandomTranslation")]
public sealed class RandomTranslation : RandomAffineLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="heightFactor">A fraction of the height: f gives shifts in [-f, f], (lower, upper) in [lower, upper]
    /// (tf.keras 2.6+ and Keras 3); values in [-1, 1].</param>
    /// <param name="widthFactor">The same for the width.</param>
    /// <param name="fillMode">"reflect" (default), "wrap", "constant" or "nearest".</param>
    /// <param name="interpolation">"bilinear" (default) or "nearest".</param>
    /// <param name="seed">Seed of the layer's own generator; null draws from the context's "augment" stream.</param>
    /// <param name="fillValue">The value outside the image with fill mode "constant".</param>
    /// <param name="inputShape">Keras's input_shape.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="trainable">Keras's trainable flag (the layer has no weights).</param>
    public RandomTranslation(Factor heightFactor, Factor widthFactor, string fillMode = "reflect", string interpolation = "bilinear",
        int? seed = null, double fillValue = 0.0, Shape? inputShape = null, string? name = null, bool trainable = true)
        : base("RandomTranslation", fillMode, interpolation, fillValue, seed, inputShape, name, trainable)
    {
        HeightFactor = heightFactor;
        WidthFactor = widthFactor;
        (HeightLower, HeightUpper) = Checked(heightFactor, "height_factor");
        (WidthLower, WidthUpper) = Checked(widthFactor, "width_factor");
    }

    private static (double, double) Checked(Factor f, string argument)
    {
        var (lower, upper) = Symmetric(f);
        if (upper < lower) throw new KerasNetException($"RandomTranslation: {argument} cannot have an upper bound below its lower bound, got {f}.");
        if (Math.Abs(lower) > 1 || Math.Abs(upper) > 1)
            throw new KerasNetException($"RandomTranslation: {argument} must have values between -1 and 1, got {f}.");
        return (lower, upper);
    }

    /// <summary>The layer of a Keras config (tf.keras 2.4 has no fill_value; Keras 3 adds data_format).</summary>
    internal static RandomTranslation FromConfig(LayerConfigReader c)
    {
        var (fill, interp, value) = ReadResampling(c);
        return new RandomTranslation(PreprocessingArgs.RequiredFactor(c, "height_factor"), PreprocessingArgs.RequiredFactor(c, "width_factor"),
            fill, interp, c.OptionalInt("seed"), value, name: c.Name, trainable: c.Bool(true, "trainable"));
    }

    /// <summary>The height factor as given.</summary>
    public Factor HeightFactor { get; }

    /// <summary>The width factor as given.</summary>
    public Factor WidthFactor { get; }

    /// <summary>Vertical shifts are U[HeightLower, HeightUpper] * height.</summary>
    public double HeightLower { get; }

    /// <summary>Vertical shifts are U[HeightLower, HeightUpper] * height.</summary>
    public double HeightUpper { get; }

    /// <summary>Horizontal shifts are U[WidthLower, WidthUpper] * width.</summary>
    public double WidthLower { get; }

    /// <summary>Horizontal shifts are U[WidthLower, WidthUpper] * width.</summary>
    public double WidthUpper { get; }

    private protected override void Draw(Random rng, int height, int width, Span<float> t)
    {
        float dy = (float)PreprocessingArgs.Uniform(rng, HeightLower, HeightUpper) * height;
        float dx = (float)PreprocessingArgs.Uniform(rng, WidthLower, WidthUpper) * width;
        TranslationMatrix(dx, dy, t);
    }

    /// <summary>tf.keras 2.x's get_translation_matrix for one image.</summary>
    internal static void TranslationMatrix(float dx, float dy, Span<float> t)
    {
        t.Clear();
        t[0] = 1;
        t[2] = -dx;
        t[4] = 1;
        t[5] = -dy;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["height_factor"] = HeightFactor.ToJson();
        c["width_factor"] = WidthFactor.ToJson();
        AddResamplingConfig(c);
        return c;
    }
}
