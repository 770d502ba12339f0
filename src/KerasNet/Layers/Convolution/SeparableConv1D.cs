#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Depthwise separable 1-D convolution over (steps, channels) samples: a depthwise (kernel_size, channels,
/// depth_multiplier) convolution ('valid', 'same' or 'causal' padding), then a pointwise
/// (1, channels * depth_multiplier, filters) one, then bias and activation.
/// </summary>
[KerasLayer("SeparableConv1D", "SeparableConvolution1D")]
public sealed class SeparableConv1D : BaseSeparableConv
{
    /// <summary>Creates the layer with Keras's defaults (stride 1, 'valid', channels_last, depth_multiplier 1, glorot_uniform kernels, zero bias).</summary>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">Depthwise window length.</param>
    /// <param name="strides">Step between windows; above 1 only without dilation.</param>
    /// <param name="padding">"valid", "same" or "causal" (padded on the left by (kernel_size - 1) * dilation_rate).
    /// Keras's default: <c>"valid"</c>.</param>
    /// <param name="dataFormat">"channels_last" ((steps, channels)) or "channels_first" (inference only). Keras's
    /// default: <c>"channels_last"</c>.</param>
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
    /// <param name="inputShape">Keras's input_shape (steps, channels).</param>
    /// <param name="name">Layer name (separable_conv1d, ... when null).</param>
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
    public SeparableConv1D(int filters, int kernelSize, int strides = 1, string padding = "valid", string dataFormat = "channels_last",
        int dilationRate = 1, int depthMultiplier = 1, string? activation = null, bool useBias = true,
        Initializer? depthwiseInitializer = null, Initializer? pointwiseInitializer = null, Initializer? biasInitializer = null,
        Shape? inputShape = null, string? name = null, bool trainable = true,
        Regularizer? depthwiseRegularizer = null, Regularizer? pointwiseRegularizer = null, Regularizer? biasRegularizer = null,
        Regularizer? activityRegularizer = null, Constraint? depthwiseConstraint = null, Constraint? pointwiseConstraint = null,
        Constraint? biasConstraint = null)
        : base(ConvArgs.Check("SeparableConv1D", 1, ConvArgs.Line(kernelSize), ConvArgs.Line(strides), padding, dataFormat, ConvArgs.Line(dilationRate), allowCausal: true),
            filters, depthMultiplier, activation, useBias, depthwiseInitializer, pointwiseInitializer, biasInitializer, inputShape, name, trainable,
            new WeightOptions(depthwiseRegularizer, biasRegularizer, activityRegularizer, depthwiseConstraint, biasConstraint),
            pointwiseRegularizer, pointwiseConstraint)
    {
    }

    /// <summary>The layer of a Keras 2/3 config.</summary>
    internal static SeparableConv1D FromConfig(LayerConfigReader c)
    {
        var kernel = ConvArgs.Read(c, 1, "kernel_size") ?? throw c.Error("missing field 'kernel_size'.");
        return new SeparableConv1D(c.Int("filters"), kernel.Width, (ConvArgs.Read(c, 1, "strides") ?? ConvArgs.Line(1)).Width, c.Padding(),
            c.DataFormat(), (ConvArgs.Read(c, 1, "dilation_rate") ?? ConvArgs.Line(1)).Width, c.OptionalInt("depth_multiplier") ?? 1,
            c.Activation("activation"), c.Bool(true, "use_bias"),
            c.Initializer("glorot_uniform", "depthwise_initializer"), c.Initializer("glorot_uniform", "pointwise_initializer"),
            c.Initializer("zeros", "bias_initializer"), name: c.Name, trainable: c.Bool(true, "trainable"),
            depthwiseRegularizer: c.Regularizer("depthwise_regularizer"), pointwiseRegularizer: c.Regularizer("pointwise_regularizer"),
            depthwiseConstraint: c.Constraint("depthwise_constraint"), pointwiseConstraint: c.Constraint("pointwise_constraint"));
    }

    /// <summary>Depthwise window length.</summary>
    public int KernelSize => Args.Kernel.Width;

    /// <summary>Step between windows.</summary>
    public int Strides => Args.Strides.Width;

    /// <summary>Spacing of the depthwise taps.</summary>
    public int DilationRate => Args.Dilation.Width;
}
