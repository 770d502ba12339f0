#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's <c>CenterCrop</c>: the central (<see cref="ImageResamplingLayer.Height"/>, <see cref="ImageResamplingLayer.Width"/>)
/// window of each image, starting at ((in_h - height) / 2, (in_w - width) / 2) rounded down. When the image is smaller
/// than the target in either dimension it is resized instead, as tf.keras 2.7+ and Keras 3 do: the largest centred
/// window of the target's aspect ratio, resized bilinearly (smart_resize). tf.keras 2.4-2.6 refused such inputs.
/// </summary>
[KerasLayer("CenterCrop")]
public sealed class CenterCrop : ImageResamplingLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="height">Height of the crop (rows); an image smaller than it in either dimension is instead resized (the largest centred window of the target's aspect ratio), as tf.keras 2.7+ does.</param>
    /// <param name="width">Width of the crop (columns).</param>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='inputShape']"/>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='name']"/>
    /// <param name="trainable">Keras's trainable flag (the layer has no weights).</param>
    public CenterCrop(int height, int width, Shape? inputShape = null, string? name = null, bool trainable = true)
        : base(height, width, "CenterCrop", inputShape, name, trainable) { }

    /// <summary>The layer of a Keras config (Keras 3's channels_first data_format is refused).</summary>
    internal static CenterCrop FromConfig(LayerConfigReader c)
    {
        PreprocessingArgs.RefuseChannelsFirst(c);
        return new CenterCrop(c.Int("height"), c.Int("width"), name: c.Name, trainable: c.Bool(true, "trainable"));
    }

    /// <summary>Whether an input of inH x inW is resized (smaller than the target) rather than cropped.</summary>
    /// <param name="inH">The input's height.</param>
    /// <param name="inW">The input's width.</param>
    /// <returns>True when either side is smaller than the target (Keras then resizes, as smart_resize).</returns>
    public bool Upsizes(int inH, int inW) => inH < Height || inW < Width;

    private protected override ResizePlan Plan(int inH, int inW)
    {
        if (!Upsizes(inH, inW))
            return ResizePlan.Crop(inH, inW, (inH - Height) / 2, (inW - Width) / 2, Height, Width);
        var (top, left, h, w) = AspectWindow(inH, inW);
        return ResizePlan.Resize(inH, inW, top, left, h, w, Height, Width, nearest: false);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["height"] = Height;
        c["width"] = Width;
        return c;
    }
}
