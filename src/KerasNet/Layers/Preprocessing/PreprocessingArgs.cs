#nullable enable
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>The argument checks and config pieces the preprocessing layers share.</summary>
internal static class PreprocessingArgs
{
    /// <summary>Throws unless the per-sample shape is an image (height, width, channels), channels_last.</summary>
    public static void CheckImage(Layer layer, int[] inputShape)
    {
        if (inputShape.Length != 3 || inputShape.Any(d => d <= 0))
            throw new ShapeMismatchException(
                $"Layer '{layer.Name}' ({layer.ClassName}) expects images of shape (batch, height, width, channels), got {ShapeUtil.FormatWithNone(inputShape)}.");
    }

    /// <summary>"reflect", "wrap", "constant" or "nearest".</summary>
    public static ImageFillMode FillMode(string fillMode, string layer) => fillMode switch
    {
        "reflect" => ImageFillMode.Reflect,
        "wrap" => ImageFillMode.Wrap,
        "constant" => ImageFillMode.Constant,
        "nearest" => ImageFillMode.Nearest,
        _ => throw new KerasNetException($"{layer}: unknown fill_mode '{fillMode}'; expected \"reflect\", \"wrap\", \"constant\" or \"nearest\"."),
    };

    /// <summary>"bilinear" or "nearest"; the other tf.image.resize methods are refused by name.</summary>
    public static ImageInterpolation Interpolation(string interpolation, string layer) => interpolation switch
    {
        "bilinear" => ImageInterpolation.Bilinear,
        "nearest" => ImageInterpolation.Nearest,
        "bicubic" or "area" or "lanczos3" or "lanczos5" or "gaussian" or "mitchellcubic" =>
            throw new KerasNetException($"{layer}: interpolation '{interpolation}' is not supported; KerasNet implements \"bilinear\" and \"nearest\"."),
        _ => throw new KerasNetException($"{layer}: unknown interpolation '{interpolation}'; expected \"bilinear\" or \"nearest\"."),
    };

    /// <summary>Keras 3's data_format field: channels_last is the only layout these layers compute.</summary>
    public static void RefuseChannelsFirst(LayerConfigReader c)
    {
        if (c.String(null, "data_format") is { } f && f != "channels_last")
            throw c.Error($"data_format '{f}' is not supported by KerasNet's preprocessing layers (only channels_last).");
    }

    /// <summary>Reads a required factor (a number or [low, high]).</summary>
    public static Factor RequiredFactor(LayerConfigReader c, string key) =>
        Factor.Read(c, key) ?? throw c.Error($"missing field '{key}'.");

    /// <summary>A draw from U[low, high), as tf.random.uniform (low + (high - low) * u).</summary>
    public static double Uniform(Random rng, double low, double high) => low + (high - low) * rng.NextDouble();
}
