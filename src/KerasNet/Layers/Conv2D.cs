#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// 2-D convolution (cross-correlation, as Keras) over NHWC input with a (kh, kw, in / groups, filters) kernel, with
/// strides, TensorFlow's 'valid'/'same' padding, dilation and channel groups. Without dilation and groups it is im2col
/// + GEMM (a 1x1 kernel at stride 1 without padding multiplies the input itself); groups equal to the input channels
/// run the direct depthwise kernels.
/// </summary>
[KerasLayer("Conv2D", "Convolution2D", "AtrousConvolution2D")]
public sealed class Conv2D : BaseConv
{
    /// <summary>Creates the layer with Keras's defaults (strides 1, 'valid', channels_last, no dilation, one group, glorot_uniform, zero bias).</summary>
    /// <param name="filters">Output channels (divisible by <paramref name="groups"/>).</param>
    /// <param name="kernelSize">Window (height, width).</param>
    /// <param name="strides">Steps between windows; above 1 only without dilation.</param>
    /// <param name="padding">"valid" (no padding) or "same" (ceil(size / stride) outputs, the odd padding pixel at the
    /// bottom/right). Keras's default: <c>"valid"</c>.</param>
    /// <param name="dataFormat">"channels_last" (NHWC) or "channels_first" (NCHW, inference only). Keras's default:
    /// <c>"channels_last"</c>.</param>
    /// <param name="dilationRate">Spacing of the kernel taps (Keras's dilation_rate).</param>
    /// <param name="groups">Channel groups (Keras 2.3+): input channels and filters must both be divisible by it.</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='activation']"/>
    /// <param name="useBias">Whether a bias is added.</param>
    /// <param name="kernelInitializer">Kernel initializer. A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an
    /// initializer object; null is Keras's default <c>"glorot_uniform"</c>.</param>
    /// <param name="biasInitializer">Bias initializer. A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an
    /// initializer object; null is Keras's default <c>"zeros"</c>.</param>
    /// <param name="inputShape">Keras's input_shape (h, w, c), making this the model's first layer.</param>
    /// <param name="name">Layer name (conv2d, conv2d_1, ... when null).</param>
    /// <param name="trainable">Whether the weights are trained.</param>
    /// <param name="kernelRegularizer">Penalty on the kernel (see <see cref="KernelLayer.KernelRegularizer"/>). A Keras
    /// name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a
    /// regularizer object; null (Keras's default) for none.</param>
    /// <param name="biasRegularizer">Penalty on the bias. A Keras name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>: see
    /// <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null (Keras's default) for
    /// none.</param>
    /// <param name="activityRegularizer">Penalty on the output, divided by the batch size. A Keras name (<c>"l1"</c>,
    /// <c>"l2"</c>, <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object;
    /// null (Keras's default) for none.</param>
    /// <param name="kernelConstraint">Projection of the kernel after each update. A Keras name (<c>"max_norm"</c>,
    /// <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see
    /// cref="KerasNet.Layers.Constraint.Get(string)"/>) or a constraint object; null (Keras's default) for
    /// none.</param>
    /// <param name="biasConstraint">Projection of the bias after each update. A Keras name (<c>"max_norm"</c>,
    /// <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see
    /// cref="KerasNet.Layers.Constraint.Get(string)"/>) or a constraint object; null (Keras's default) for
    /// none.</param>
    /// <remarks>
    /// Initializers, regularizers and constraints take Keras objects or names (<c>kernelInitializer: "he_normal"</c>,
    /// <c>kernelRegularizer: new L2(1e-4)</c>); null initializers are Keras's defaults. Training adds the
    /// regularizers' penalties to the loss (the activity regularizer's divided by the batch size, as tf.keras 2.4)
    /// and projects the weights with their constraints after each update, as Keras does.
    /// </remarks>
    public Conv2D(int filters, Size2 kernelSize, Size2? strides = null, string padding = "valid",
        string dataFormat = "channels_last", Size2? dilationRate = null, string? activation = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
        Shape? inputShape = null, string? name = null, bool trainable = true,
        Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
        Constraint? kernelConstraint = null, Constraint? biasConstraint = null, int groups = 1)
        : base(ConvArgs.Check("Conv2D", 2, kernelSize, strides, padding, dataFormat, dilationRate, allowCausal: false),
            filters, groups, activation, useBias, kernelInitializer, biasInitializer, inputShape, name, trainable,
            new WeightOptions(kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint))
    {
    }

    /// <summary>
    /// The layer of a Keras config: Keras 2/3 fields, or Keras 1's <c>Convolution2D</c>/<c>AtrousConvolution2D</c>
    /// (<c>nb_filter</c>, <c>nb_row</c>/<c>nb_col</c>, <c>border_mode</c>, <c>subsample</c>, <c>atrous_rate</c>,
    /// <c>dim_ordering</c>, <c>init</c>, <c>bias</c>).
    /// </summary>
    internal static Conv2D FromConfig(LayerConfigReader c)
    {
        var kernel = c.Size("kernel_size")
            ?? (c.Has("nb_row") ? new Size2(c.Int("nb_row"), c.Int("nb_col")) : throw c.Error("missing field 'kernel_size' (or 'nb_row'/'nb_col')."));
        return new Conv2D(c.Int("filters", "nb_filter"), kernel, c.Size("strides", "subsample"), c.Padding(), c.DataFormat(),
            c.Size("dilation_rate", "atrous_rate"), c.Activation("activation"), c.Bool(true, "use_bias", "bias"),
            c.Initializer("glorot_uniform", "kernel_initializer", "init"), c.Initializer("zeros", "bias_initializer"),
            name: c.Name, trainable: c.Bool(true, "trainable"), groups: c.OptionalInt("groups") ?? 1);
    }

    /// <summary>Window size.</summary>
    public Size2 KernelSize => Args.Kernel;

    /// <summary>Steps between windows.</summary>
    public Size2 Strides => Args.Strides;

    /// <summary>Spacing of the kernel taps.</summary>
    public Size2 DilationRate => Args.Dilation;
}
