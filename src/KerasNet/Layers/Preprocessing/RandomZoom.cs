#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's <c>RandomZoom</c>: in training each image is scaled about its centre by zy = 1 + U[height lower, upper]
/// vertically and zx = 1 + U[width lower, upper] horizontally (zx = zy when no width factor is given), a positive
/// factor zooming out, with tf.keras 2.6+'s get_zoom_matrix [zx, 0, (w - 1) / 2 (1 - zx), 0, zy, (h - 1) / 2 (1 - zy)],
/// resampled as TensorFlow's ImageProjectiveTransformV3 does. The identity at inference.
/// </summary>
[KerasLayer("RandomZoom")]
public sealed class RandomZoom : RandomAffineLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="heightFactor">f gives zooms 1 + [-f, f], (lower, upper) gives 1 + [lower, upper]; values in [-1, 1].</param>
    /// <param name="widthFactor">The same for the width, bounds at least -1; null keeps the aspect ratio (zx = zy).</param>
    /// <param name="fillMode">"reflect" (default), "wrap", "constant" or "nearest".</param>
    /// <param name="interpolation">"bilinear" (default) or "nearest".</param>
    /// <param name="seed">Seed of the layer's own generator; null draws from the context's "augment" stream.</param>
    /// <param name="fillValue">The value outside the image with fill mode "constant".</param>
    /// <param name="inputShape">Keras's input_shape.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="trainable">Keras's trainable flag (the layer has no weights).</param>
    public RandomZoom(Factor heightFactor, Factor? widthFactor = null, string fillMode = "reflect", string interpolation = "bilinear",
        int? seed = null, double fillValue = 0.0, Shape? inputShape = null, string? name = null, bool trainable = true)
        : base("RandomZoom", fillMode, interpolation, fillValue, seed, inputShape, name, trainable)
    {
        HeightFactor = heightFactor;
        WidthFactor = widthFactor;
        (HeightLower, HeightUpper) = Symmetric(heightFactor);
        if (Math.Abs(HeightLower) > 1 || Math.Abs(HeightUpper) > 1)
            throw new KerasNetException($"RandomZoom: height_factor must have values between -1 and 1, got {heightFactor}.");
        if (widthFactor is { } wf)
        {
            (WidthLower, WidthUpper) = Symmetric(wf);
            if (WidthLower < -1 || WidthUpper < -1)
                throw new KerasNetException($"RandomZoom: width_factor must have values larger than -1, got {wf}.");
        }
    }

    /// <summary>The layer of a Keras config (width_factor may be null; tf.keras 2.4 has no fill_value).</summary>
    internal static RandomZoom FromConfig(LayerConfigReader c)
    {
        var (fill, interp, value) = ReadResampling(c);
        return new RandomZoom(PreprocessingArgs.RequiredFactor(c, "height_factor"), Factor.Read(c, "width_factor"), fill, interp,
            c.OptionalInt("seed"), value, name: c.Name, trainable: c.Bool(true, "trainable"));
    }

    /// <summary>The height factor as given.</summary>
    public Factor HeightFactor { get; }

    /// <summary>The width factor as given; null zooms both axes by the same drawn amount.</summary>
    public Factor? WidthFactor { get; }

    /// <summary>Vertical zooms are 1 + U[HeightLower, HeightUpper].</summary>
    public double HeightLower { get; }

    /// <summary>Vertical zooms are 1 + U[HeightLower, HeightUpper].</summary>
    public double HeightUpper { get; }

    /// <summary>Horizontal zooms are 1 + U[WidthLower, WidthUpper] (unused without a width factor).</summary>
    public double WidthLower { get; }

    /// <summary>Horizontal zooms are 1 + U[WidthLower, WidthUpper] (unused without a width factor).</summary>
    public double WidthUpper { get; }

    private protected override void Draw(Random rng, int height, int width, Span<float> t)
    {
        float zy = (float)PreprocessingArgs.Uniform(rng, 1 + HeightLower, 1 + HeightUpper);
        float zx = WidthFactor is null ? zy : (float)PreprocessingArgs.Uniform(rng, 1 + WidthLower, 1 + WidthUpper);
        ZoomMatrix(zx, zy, height, width, t);
    }

    /// <summary>tf.keras 2.6+'s get_zoom_matrix for one image, in float32.</summary>
    internal static void ZoomMatrix(float zx, float zy, int height, int width, Span<float> t)
    {
        t.Clear();
        t[0] = zx;
        t[2] = (width - 1f) / 2f * (1f - zx);
        t[4] = zy;
        t[5] = (height - 1f) / 2f * (1f - zy);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["height_factor"] = HeightFactor.ToJson();
        c["width_factor"] = WidthFactor?.ToJson();
        AddResamplingConfig(c);
        return c;
    }
}
