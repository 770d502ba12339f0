#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Upsamples an image by integer factors, as tf.keras 2.4's <c>keras.layers.UpSampling2D</c>: "nearest" repeats each
/// row and column; "bilinear" is tf.image.resize's bilinear (TensorFlow 2, half-pixel centres: output pixel i samples
/// the input at (i + 0.5) / size - 0.5, clamped to the image). Config: <c>{"size": [h, w], "data_format", "interpolation"}</c>.
/// </summary>
[KerasLayer("UpSampling2D")]
public sealed class UpSampling2D : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="size">The factors for rows and columns ((2, 2) by default); an int means both.</param>
    /// <param name="dataFormat">"channels_last" (default, (h, w, c) samples) or "channels_first" ((c, h, w)).</param>
    /// <param name="interpolation">"nearest" (default) or "bilinear". Keras 3's "bicubic", "lanczos3" and "lanczos5" are not implemented.</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>up_sampling2d</c>, ...).</param>
    public UpSampling2D(Size2? size = null, string dataFormat = "channels_last", string interpolation = "nearest", Shape? inputShape = null, string? name = null)
        : base(name, inputShape)
    {
        Size = size ?? new Size2(2, 2);
        if (Size.Height < 1 || Size.Width < 1) throw new KerasNetException($"UpSampling2D: size must be at least 1, got {Size}.");
        DataFormat = LayerShapes.DataFormat(dataFormat, "UpSampling2D");
        Interpolation = interpolation?.ToLowerInvariant() switch
        {
            "nearest" => "nearest",
            "bilinear" => "bilinear",
            "bicubic" or "lanczos3" or "lanczos5" or "area" or "gaussian" or "mitchellcubic" =>
                throw new KerasNetException($"UpSampling2D: interpolation '{interpolation}' is not supported; KerasNet implements 'nearest' and 'bilinear' (tf.keras 2.4's choices)."),
            _ => throw new KerasNetException($"UpSampling2D: interpolation must be 'nearest' or 'bilinear', got '{interpolation}'."),
        };
    }

    /// <summary>The layer of a Keras config (Keras 1's dim_ordering too; Keras 1 had no interpolation: nearest).</summary>
    internal static UpSampling2D FromConfig(LayerConfigReader c) =>
        new(c.Size("size"), c.DataFormat(), c.String("nearest", "interpolation")!, name: c.Name);

    /// <summary>The factors for rows and columns.</summary>
    public Size2 Size { get; }

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <summary>"nearest" or "bilinear".</summary>
    public string Interpolation { get; }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        LayerShapes.Rank(this, inputShape, 3);
        var (h, w, c) = PoolingArgs.Hwc(inputShape, DataFormat);
        int Scaled(int d, int f) => (int)Math.Min((long)d * f, int.MaxValue);
        return LayerShapes.Output(this, inputShape, PoolingArgs.Shape(Scaled(h, Size.Height), Scaled(w, Size.Width), c, DataFormat), $"size={Size}");
    }

    /// <summary>The batch as NHWC images: a channels_first sample (c, h, w) is c one-channel images.</summary>
    private (int n, int h, int w, int c) Images(int batch)
    {
        var (h, w, c) = PoolingArgs.Hwc(InputShape!, DataFormat);
        return DataFormat == "channels_last" ? (batch, h, w, c) : (batch * c, h, w, 1);
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.BatchSize, OutputShape!);
        var (n, h, w, c) = Images(inputs.BatchSize);
        if (Interpolation == "nearest") Backend.Current.UpsampleNearest(n, h, w, c, Size.Height, Size.Width, inputs.Buffer, output.Buffer);
        else Backend.Current.ResizeBilinear(n, h, w, c, h * Size.Height, w * Size.Width, inputs.Buffer, output.Buffer);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.BatchSize, InputShape!);
        var (n, h, w, c) = Images(gradOutput.BatchSize);
        if (Interpolation == "nearest") Backend.Current.UpsampleNearestBackward(n, h, w, c, Size.Height, Size.Width, gradOutput.Buffer, gradIn.Buffer);
        else Backend.Current.ResizeBilinearBackward(n, h, w, c, h * Size.Height, w * Size.Width, gradOutput.Buffer, gradIn.Buffer);
        return gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["size"] = IntArray(Size.ToArray());
        c["data_format"] = DataFormat;
        c["interpolation"] = Interpolation;
        return c;
    }
}
