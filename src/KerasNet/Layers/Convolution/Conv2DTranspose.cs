#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Transposed 2-D convolution (sometimes called deconvolution) over NHWC input with a (kh, kw, filters, channels)
/// kernel: the gradient of a Conv2D with respect to its input, as TensorFlow's conv2d_transpose.
/// </summary>
[KerasLayer("Conv2DTranspose", "Convolution2DTranspose", "Deconvolution2D")]
public sealed class Conv2DTranspose : BaseConvTranspose
{
    /// <summary>Creates the layer with Keras's defaults (strides 1, 'valid', inferred output size, channels_last, glorot_uniform, zero bias).</summary>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">Window (height, width).</param>
    /// <param name="strides">Upsampling steps; above 1 only without dilation.</param>
    /// <param name="padding">"valid" (output (size - 1) * stride + max(kernel, stride)) or "same" (output size *
    /// stride). Keras's default: <c>"valid"</c>.</param>
    /// <param name="outputPadding">Extra rows/columns at the bottom/right, each below its stride; null infers the output size.</param>
    /// <param name="dataFormat">"channels_last" (NHWC) or "channels_first" (NCHW, inference only). Keras's default:
    /// <c>"channels_last"</c>.</param>
    /// <param name="dilationRate">Spacing of the kernel taps.</param>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='activation']"/>
    /// <param name="useBias">Whether a bias is added.</param>
    /// <param name="kernelInitializer">Kernel initializer. A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an
    /// initializer object; null is Keras's default <c>"glorot_uniform"</c>.</param>
    /// <param name="biasInitializer">Bias initializer. A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an
    /// initializer object; null is Keras's default <c>"zeros"</c>.</param>
    /// <param name="inputShape">Keras's input_shape (h, w, c).</param>
    /// <param name="name">Layer name (conv2d_transpose, ... when null).</param>
    /// <param name="trainable">Whether the weights are trained.</param>
    /// <param name="kernelRegularizer">Kept in the config (see <see cref="KernelLayer.KernelRegularizer"/>). A Keras
    /// name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a
    /// regularizer object; null (Keras's default) for none.</param>
    /// <param name="biasRegularizer">Kept in the config. A Keras name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>: see
    /// <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null (Keras's default) for
    /// none.</param>
    /// <param name="activityRegularizer">Kept in the config. A Keras name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>:
    /// see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null (Keras's default) for
    /// none.</param>
    /// <param name="kernelConstraint">Kept in the config. A Keras name (<c>"max_norm"</c>, <c>"non_neg"</c>,
    /// <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see cref="KerasNet.Layers.Constraint.Get(string)"/>) or a
    /// constraint object; null (Keras's default) for none.</param>
    /// <param name="biasConstraint">Kept in the config. A Keras name (<c>"max_norm"</c>, <c>"non_neg"</c>,
    /// <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see cref="KerasNet.Layers.Constraint.Get(string)"/>) or a
    /// constraint object; null (Keras's default) for none.</param>
    public Conv2DTranspose(int filters, Size2 kernelSize, Size2? strides = null, string padding = "valid", Size2? outputPadding = null,
        string dataFormat = "channels_last", Size2? dilationRate = null, string? activation = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
        Shape? inputShape = null, string? name = null, bool trainable = true,
        Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
        Constraint? kernelConstraint = null, Constraint? biasConstraint = null)
        : base(ConvArgs.Check("Conv2DTranspose", 2, kernelSize, strides, padding, dataFormat, dilationRate, allowCausal: false),
            filters, outputPadding, activation, useBias, kernelInitializer, biasInitializer, inputShape, name, trainable,
            new WeightOptions(kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint))
    {
    }

    /// <summary>
    /// The layer of a Keras config: Keras 2/3 fields, or Keras 1's <c>Deconvolution2D</c> (<c>nb_filter</c>,
    /// <c>nb_row</c>/<c>nb_col</c>, <c>border_mode</c>, <c>subsample</c>, <c>dim_ordering</c>, <c>init</c>, <c>bias</c>,
    /// and <c>output_shape</c>, accepted when it is the size Keras 2 infers).
    /// </summary>
    internal static Conv2DTranspose FromConfig(LayerConfigReader c)
    {
        var kernel = c.Size("kernel_size")
            ?? (c.Has("nb_row") ? new Size2(c.Int("nb_row"), c.Int("nb_col")) : throw c.Error("missing field 'kernel_size' (or 'nb_row'/'nb_col')."));
        var format = c.DataFormat();
        return new Conv2DTranspose(c.Int("filters", "nb_filter"), kernel, c.Size("strides", "subsample"), c.Padding(), c.Size("output_padding"),
            format, c.Size("dilation_rate"), c.Activation("activation"), c.Bool(true, "use_bias", "bias"),
            c.Initializer("glorot_uniform", "kernel_initializer", "init"), c.Initializer("zeros", "bias_initializer"),
            name: c.Name, trainable: c.Bool(true, "trainable"))
        { Keras1OutputSize = Keras1OutputShape(c, format) };
    }

    // Keras 1's output_shape: (batch, rows, cols, filters), or (batch, filters, rows, cols) for 'th'.
    private static Size2? Keras1OutputShape(LayerConfigReader c, string format)
    {
        if (!c.Has("output_shape")) return null;
        var shape = c.BatchShape("output_shape");
        if (shape is not { Length: 3 }) throw c.Error("field 'output_shape' should be (batch, rows, cols, filters).");
        return format == "channels_first" ? new Size2(shape[1], shape[2]) : new Size2(shape[0], shape[1]);
    }

    /// <summary>Window size.</summary>
    public Size2 KernelSize => Args.Kernel;

    /// <summary>Upsampling steps.</summary>
    public Size2 Strides => Args.Strides;

    /// <summary>Spacing of the kernel taps.</summary>
    public Size2 DilationRate => Args.Dilation;

    /// <summary>Extra output rows/columns at the bottom/right; null when Keras infers the output size.</summary>
    public Size2? OutputPadding => OutputPaddingSize;
}
