#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// The base of RandomRotation, RandomZoom and RandomTranslation: each draws, per image, the 8-number projective
/// transform tf.keras 2.x builds (get_rotation_matrix, get_zoom_matrix, get_translation_matrix) and resamples the
/// image through TensorFlow's ImageProjectiveTransformV3 (see <see cref="IBackend.ProjectiveTransform"/>) with the
/// layer's fill mode, fill value and interpolation. The output is linear in the input, so the input gradient is the
/// transposed sampling of the same transform.
/// </summary>
public abstract class RandomAffineLayer : RandomImageLayer
{
    /// <summary>Sets the resampling options.</summary>
    private protected RandomAffineLayer(string layer, string fillMode, string interpolation, double fillValue, int? seed,
        Shape? inputShape, string? name, bool trainable)
        : base(seed, inputShape, name, trainable)
    {
        FillModeKind = PreprocessingArgs.FillMode(fillMode, layer);
        InterpolationKind = PreprocessingArgs.Interpolation(interpolation, layer);
        if (!double.IsFinite(fillValue)) throw new KerasNetException($"{layer}: fill_value must be a finite number, got {fillValue}.");
        FillMode = fillMode;
        Interpolation = interpolation;
        FillValue = fillValue;
    }

    /// <summary>"reflect" (default), "wrap", "constant" or "nearest".</summary>
    public string FillMode { get; }

    /// <summary>"bilinear" (default) or "nearest".</summary>
    public string Interpolation { get; }

    /// <summary>The value read outside the image with fill mode "constant".</summary>
    public double FillValue { get; }

    private ImageFillMode FillModeKind { get; }
    private ImageInterpolation InterpolationKind { get; }

    private protected sealed override int ParamsPerImage => 8;

    private protected sealed override void Apply(Tensor input, float[] p, Tensor output) =>
        Backend.Current.ProjectiveTransform(input.BatchSize, InputShape![0], InputShape[1], InputShape[2], input.Buffer, p,
            FillModeKind, InterpolationKind, (float)FillValue, output.Buffer);

    private protected sealed override void ApplyBackward(CallContext ctx, Tensor gradOutput, float[] p, Tensor gradIn) =>
        Backend.Current.ProjectiveTransformBackward(gradOutput.BatchSize, InputShape![0], InputShape[1], InputShape[2], gradOutput.Buffer, p,
            FillModeKind, InterpolationKind, gradIn.Buffer);

    /// <summary>Reads fill_mode, interpolation and fill_value with Keras's defaults.</summary>
    private protected static (string FillMode, string Interpolation, double FillValue) ReadResampling(LayerConfigReader c)
    {
        PreprocessingArgs.RefuseChannelsFirst(c);
        return (c.String("reflect", "fill_mode")!, c.String("bilinear", "interpolation")!, c.Double(0.0, "fill_value"));
    }

    /// <summary>Writes fill_mode, fill_value, interpolation and seed in tf.keras 2.x's order.</summary>
    private protected void AddResamplingConfig(JsonObject c)
    {
        c["fill_mode"] = FillMode;
        c["fill_value"] = FillValue;
        c["interpolation"] = Interpolation;
        c["seed"] = Seed;
    }

    /// <summary>(lower, upper) of a factor whose single number f means [-f, f].</summary>
    private protected static (double Lower, double Upper) Symmetric(Factor f) => f.IsPair ? (f.Low, f.High) : (-f.Low, f.Low);
}
