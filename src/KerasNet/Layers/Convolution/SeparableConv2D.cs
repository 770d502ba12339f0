#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Depthwise separable 2-D convolution: a depthwise (kh, kw, channels, depth_multiplier) convolution, then a pointwise
/// (1, 1, channels * depth_multiplier, filters) one, then bias and activation.
/// </summary>
[KerasLayer("SeparableConv2D", "SeparableConvolution2D")]
public sealed class SeparableConv2D : BaseSeparableConv
{
    /// <summary>Creates the layer with Keras's defaults (strides 1, 'valid', channels_last, depth_multiplier 1, glorot_uniform kernels, zero bias).</summary>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">Depthwise window (height, width).</param>
    /// <param name="strides">Steps between windows; above 1 only without dilation.</param>
    /// <param name="padding">"valid" or "same" (ceil(size / stride) outputs, the odd padding pixel at the
    /// bottom/right). Keras's default: <c>"valid"</c>.</param>
    /// <param name="dataFormat">"channels_last" (NHWC) or "channels_first" (NCHW, inference only). Keras's default:
    /// <c>"channels_last"</c>.</param>
    /// <param name="dilationRate">Spacing of the depthwise taps.</param>
    /// <param name="depthMultiplier">Depthwise outputs per input channel.</param>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='activation']"/>
    /// <param name="useBias">Whether a bias is added.</param>
    /// <param name="depthwiseInitializer">Depthwise kernel initializer. A Keras name (<c>"glorot_uniform"</c>,
    /// <c>"he_normal"</c>, <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see
    /// cref="KerasNet.Layers.Initializer.Get(string)"/>) or an initializer object; null is Keras's default
    /// <c>"glorot_uniform"</c>.</param>
    /// <param name="pointwiseInitializer">Pointwise kernel initializer. A Keras name (<c>"glorot_uniform"</c>,
    /// <c>"he_normal"</c>, <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see
    /// cref="KerasNet.Layers.Initializer.Get(string)"/>) or an initializer object; null is Keras's default
    /// <c>"glorot_uniform"</c>.</param>
    /// <param name="biasInitializer">Bias initializer. A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an
    /// initializer object; null is Keras's default <c>"zeros"</c>.</param>
    /// <param name="inputShape">Keras's input_shape (h, w, c).</param>
    /// <param name="name">Layer name (separable_conv2d, ... when null).</param>
    /// <param name="trainable">Whether the weights are trained.</param>
    /// <param name="depthwiseRegularizer">Kept in the config (see <see cref="KernelLayer.KernelRegularizer"/>). A Keras
    /// name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a
    /// regularizer object; null (Keras's default) for none.</param>
    /// <param name="pointwiseRegularizer">Kept in the config; training refuses it. A Keras name (<c>"l1"</c>,
    /// <c>"l2"</c>, <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object;
    /// null (Keras's default) for none.</param>
    /// <param name="biasRegularizer">Kept in the config. A Keras name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>: see
    /// <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null (Keras's default) for
    /// none.</param>
    /// <param name="activityRegularizer">Kept in the config. A Keras name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>:
    /// see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null (Keras's default) for
    /// none.</param>
    /// <param name="depthwiseConstraint">Kept in the config. A Keras name (<c>"max_norm"</c>, <c>"non_neg"</c>,
    /// <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see cref="KerasNet.Layers.Constraint.Get(string)"/>) or a
    /// constraint object; null (Keras's default) for none.</param>
    /// <param name="pointwiseConstraint">Kept in the config; training refuses it. A Keras name (<c>"max_norm"</c>,
    /// <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see
    /// cref="KerasNet.Layers.Constraint.Get(string)"/>) or a constraint object; null (Keras's default) for
    /// none.</param>
    /// <param name="biasConstraint">Kept in the config. A Keras name (<c>"max_norm"</c>, <c>"non_neg"</c>,
    /// <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see cref="KerasNet.Layers.Constraint.Get(string)"/>) or a
    /// constraint object; null (Keras's default) for none.</param>
    public SeparableConv2D(int filters, Size2 kernelSize, Size2? strides = null, string padding = "valid", string dataFormat = "channels_last",
        Size2? dilationRate = null, int depthMultiplier = 1, string? activation = null, bool useBias = true,
        Initializer? depthwiseInitializer = null, Initializer? pointwiseInitializer = null, Initializer? biasInitializer = null,
        Shape? inputShape = null, string? name = null, bool trainable = true,
        Regularizer? depthwiseRegularizer = null, Regularizer? pointwiseRegularizer = null, Regularizer? biasRegularizer = null,
        Regularizer? activityRegularizer = null, Constraint? depthwiseConstraint = null, Constraint? pointwiseConstraint = null,
        Constraint? biasConstraint = null)
        : base(ConvArgs.Check("SeparableConv2D", 2, kernelSize, strides, padding, dataFormat, dilationRate, allowCausal: false),
            filters, depthMultiplier, activation, useBias, depthwiseInitializer, pointwiseInitializer, biasInitializer, inputShape, name, trainable,
            new WeightOptions(depthwiseRegularizer, biasRegularizer, activityRegularizer, depthwiseConstraint, biasConstraint),
            pointwiseRegularizer, pointwiseConstraint)
    {
    }

    /// <summary>
    /// The layer of a Keras config: Keras 2/3 fields, or Keras 1's <c>SeparableConvolution2D</c> (<c>nb_filter</c>,
    /// <c>nb_row</c>/<c>nb_col</c>, <c>border_mode</c>, <c>subsample</c>, <c>dim_ordering</c>, <c>init</c> for both
    /// kernels, <c>bias</c>).
    /// </summary>
    internal static SeparableConv2D FromConfig(LayerConfigReader c)
    {
        var kernel = c.Size("kernel_size")
            ?? (c.Has("nb_row") ? new Size2(c.Int("nb_row"), c.Int("nb_col")) : throw c.Error("missing field 'kernel_size' (or 'nb_row'/'nb_col')."));
        return new SeparableConv2D(c.Int("filters", "nb_filter"), kernel, c.Size("strides", "subsample"), c.Padding(), c.DataFormat(),
            c.Size("dilation_rate"), c.OptionalInt("depth_multiplier") ?? 1, c.Activation("activation"), c.Bool(true, "use_bias", "bias"),
            c.Initializer("glorot_uniform", "depthwise_initializer", "init"), c.Initializer("glorot_uniform", "pointwise_initializer", "init"),
            c.Initializer("zeros", "bias_initializer"), name: c.Name, trainable: c.Bool(true, "trainable"),
            depthwiseRegularizer: c.Regularizer("depthwise_regularizer"), pointwiseRegularizer: c.Regularizer("pointwise_regularizer"),
            depthwiseConstraint: c.Constraint("depthwise_constraint"), pointwiseConstraint: c.Constraint("pointwise_constraint"));
    }

    /// <summary>Depthwise window size.</summary>
    public Size2 KernelSize => Args.Kernel;

    /// <summary>Steps between windows.</summary>
    public Size2 Strides => Args.Strides;

    /// <summary>Spacing of the depthwise taps.</summary>
    public Size2 DilationRate => Args.Dilation;
}
