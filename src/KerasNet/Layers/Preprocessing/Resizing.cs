#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's <c>Resizing</c>: resizes images (batch, height, width, channels) to (batch, <see cref="ImageResamplingLayer.Height"/>,
/// <see cref="ImageResamplingLayer.Width"/>, channels) as TensorFlow 2's <c>tf.image.resize</c> does: "bilinear" with
/// half-pixel centres (PyTorch's <c>interpolate(..., align_corners=False)</c>), "nearest" with TF2's half-pixel rounding
/// (floor((i + 0.5) * in / out)). With <c>cropToAspectRatio</c> the largest centred window of the target's aspect ratio
/// is cut out first (Keras's smart_resize), so the image is not distorted.
/// </summary>
[KerasLayer("Resizing")]
public sealed class Resizing : ImageResamplingLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    /// <param name="interpolation">"bilinear" (default) or "nearest". Keras's "bicubic", "area", "lanczos3",
    /// "lanczos5", "gaussian" and "mitchellcubic" are refused.</param>
    /// <param name="cropToAspectRatio">Crop to the target aspect ratio before resizing.</param>
    /// <param name="inputShape">Keras's input_shape.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="trainable">Keras's trainable flag (the layer has no weights).</param>
    public Resizing(int height, int width, string interpolation = "bilinear", bool cropToAspectRatio = false,
        Shape? inputShape = null, string? name = null, bool trainable = true)
        : base(height, width, "Resizing", inputShape, name, trainable)
    {
        InterpolationMode = PreprocessingArgs.Interpolation(interpolation, "Resizing");
        Interpolation = interpolation;
        CropToAspectRatio = cropToAspectRatio;
    }

    /// <summary>
    /// The layer of a Keras config (tf.keras 2.4 has no crop_to_aspect_ratio). Keras 3's pad_to_aspect_ratio and
    /// antialias are refused when set, and its channels_first data_format.
    /// </summary>
    internal static Resizing FromConfig(LayerConfigReader c)
    {
        PreprocessingArgs.RefuseChannelsFirst(c);
        if (c.Bool(false, "pad_to_aspect_ratio")) throw c.Error("pad_to_aspect_ratio=True is not supported.");
        if (c.Bool(false, "antialias")) throw c.Error("antialias=True is not supported.");
        return new Resizing(c.Int("height"), c.Int("width"), c.String("bilinear", "interpolation")!,
            c.Bool(false, "crop_to_aspect_ratio"), name: c.Name, trainable: c.Bool(true, "trainable"));
    }

    /// <summary>"bilinear" or "nearest".</summary>
    public string Interpolation { get; }

    /// <summary>Whether the image is cropped to the target aspect ratio before resizing.</summary>
    public bool CropToAspectRatio { get; }

    private ImageInterpolation InterpolationMode { get; }

    private protected override ResizePlan Plan(int inH, int inW)
    {
        var (top, left, h, w) = CropToAspectRatio ? AspectWindow(inH, inW) : (0, 0, inH, inW);
        return ResizePlan.Resize(inH, inW, top, left, h, w, Height, Width, InterpolationMode == ImageInterpolation.Nearest);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["height"] = Height;
        c["width"] = Width;
        c["interpolation"] = Interpolation;
        c["crop_to_aspect_ratio"] = CropToAspectRatio;
        return c;
    }
}
