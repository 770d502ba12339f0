#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// 1-D convolution over (steps, channels) samples with a (kernel_size, channels / groups, filters) kernel: strides,
/// 'valid', 'same' or 'causal' padding (output[t] sees only inputs up to t), dilation and channel groups. Computed as a
/// 2-D convolution of height 1.
/// </summary>
[KerasLayer("Conv1D", "Convolution1D", "AtrousConvolution1D")]
public sealed class Conv1D : BaseConv
{
    /// <summary>Creates the layer with Keras's defaults (stride 1, 'valid', channels_last, no dilation, one group, glorot_uniform, zero bias).</summary>
    /// <param name="filters">Output channels (divisible by <paramref name="groups"/>).</param>
    /// <param name="kernelSize">Window length.</param>
    /// <param name="strides">Step between windows; above 1 only without dilation.</param>
    /// <param name="padding">"valid", "same" (ceil(steps / stride) outputs, the odd padding step at the end) or
    /// "causal" (padded on the left by (kernel_size - 1) * dilation_rate). Keras's default: <c>"valid"</c>.</param>
    /// <param name="dataFormat">"channels_last" ((steps, channels)) or "channels_first" ((channels, steps), inference
    /// only). Keras's default: <c>"channels_last"</c>.</param>
    /// <param name="dilationRate">Spacing of the kernel taps.</param>
    /// <param name="groups">Channel groups: input channels and filters must both be divisible by it.</param>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='activation']"/>
    /// <param name="useBias">Whether a bias is added.</param>
    /// <param name="kernelInitializer">Kernel initializer. A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an
    /// initializer object; null is Keras's default <c>"glorot_uniform"</c>.</param>
    /// <param name="biasInitializer">Bias initializer. A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an
    /// initializer object; null is Keras's default <c>"zeros"</c>.</param>
    /// <param name="inputShape">Keras's input_shape (steps, channels).</param>
    /// <param name="name">Layer name (conv1d, conv1d_1, ... when null).</param>
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
    public Conv1D(int filters, int kernelSize, int strides = 1, string padding = "valid", string dataFormat = "channels_last",
        int dilationRate = 1, int groups = 1, string? activation = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
        Shape? inputShape = null, string? name = null, bool trainable = true,
        Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
        Constraint? kernelConstraint = null, Constraint? biasConstraint = null)
        : base(ConvArgs.Check("Conv1D", 1, ConvArgs.Line(kernelSize), ConvArgs.Line(strides), padding, dataFormat, ConvArgs.Line(dilationRate), allowCausal: true),
            filters, groups, activation, useBias, kernelInitializer, biasInitializer, inputShape, name, trainable,
            new WeightOptions(kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint))
    {
    }

    /// <summary>
    /// The layer of a Keras config: Keras 2/3 fields, or Keras 1's <c>Convolution1D</c>/<c>AtrousConvolution1D</c>
    /// (<c>nb_filter</c>, <c>filter_length</c>, <c>subsample_length</c>, <c>border_mode</c>, <c>atrous_rate</c>,
    /// <c>init</c>, <c>bias</c>).
    /// </summary>
    internal static Conv1D FromConfig(LayerConfigReader c)
    {
        var kernel = ConvArgs.Read(c, 1, "kernel_size", "filter_length") ?? throw c.Error("missing field 'kernel_size' (or 'filter_length').");
        return new Conv1D(c.Int("filters", "nb_filter"), kernel.Width, (ConvArgs.Read(c, 1, "strides", "subsample_length") ?? ConvArgs.Line(1)).Width,
            c.Padding(), c.DataFormat(), (ConvArgs.Read(c, 1, "dilation_rate", "atrous_rate") ?? ConvArgs.Line(1)).Width,
            c.OptionalInt("groups") ?? 1, c.Activation("activation"), c.Bool(true, "use_bias", "bias"),
            c.Initializer("glorot_uniform", "kernel_initializer", "init"), c.Initializer("zeros", "bias_initializer"),
            name: c.Name, trainable: c.Bool(true, "trainable"));
    }

    /// <summary>Window length.</summary>
    public int KernelSize => Args.Kernel.Width;

    /// <summary>Step between windows.</summary>
    public int Strides => Args.Strides.Width;

    /// <summary>Spacing of the kernel taps.</summary>
    public int DilationRate => Args.Dilation.Width;
}
