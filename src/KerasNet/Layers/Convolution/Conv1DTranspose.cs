#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Transposed 1-D convolution over (steps, channels) samples with a (kernel_size, filters, channels) kernel: the
/// gradient of a Conv1D with respect to its input (TensorFlow's conv1d_transpose), computed with height 1.
/// </summary>
[KerasLayer("Conv1DTranspose", "Convolution1DTranspose")]
public sealed class Conv1DTranspose : BaseConvTranspose
{
    /// <summary>Creates the layer with Keras's defaults (stride 1, 'valid', inferred output length, channels_last, glorot_uniform, zero bias).</summary>
    /// <param name="filters">Output channels.</param>
    /// <param name="kernelSize">Window length.</param>
    /// <param name="strides">Upsampling step; above 1 only without dilation.</param>
    /// <param name="padding">"valid" (output (steps - 1) * stride + max(kernel, stride)) or "same" (output steps *
    /// stride). Keras's default: <c>"valid"</c>.</param>
    /// <param name="outputPadding">Extra steps at the end, below the stride; null infers the output length.</param>
    /// <param name="dataFormat">"channels_last" or "channels_first" (inference only). Keras's default:
    /// <c>"channels_last"</c>.</param>
    /// <param name="dilationRate">Spacing of the kernel taps (tf.keras 2.4 refuses values above 1; Keras 3 accepts them).</param>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='activation']"/>
    /// <param name="useBias">Whether a bias is added.</param>
    /// <param name="kernelInitializer">Kernel initializer. A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an
    /// initializer object; null is Keras's default <c>"glorot_uniform"</c>.</param>
    /// <param name="biasInitializer">Bias initializer. A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an
    /// initializer object; null is Keras's default <c>"zeros"</c>.</param>
    /// <param name="inputShape">Keras's input_shape (steps, channels).</param>
    /// <param name="name">Layer name (conv1d_transpose, ... when null).</param>
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
    public Conv1DTranspose(int filters, int kernelSize, int strides = 1, string padding = "valid", int? outputPadding = null,
        string dataFormat = "channels_last", int dilationRate = 1, string? activation = null, bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
        Shape? inputShape = null, string? name = null, bool trainable = true,
        Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
        Constraint? kernelConstraint = null, Constraint? biasConstraint = null)
        : base(ConvArgs.Check("Conv1DTranspose", 1, ConvArgs.Line(kernelSize), ConvArgs.Line(strides), padding, dataFormat, ConvArgs.Line(dilationRate), allowCausal: false),
            filters, outputPadding is int op ? new Size2(0, op) : null, activation, useBias, kernelInitializer, biasInitializer, inputShape, name, trainable,
            new WeightOptions(kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint))
    {
    }

    /// <summary>The layer of a Keras 2/3 config.</summary>
    internal static Conv1DTranspose FromConfig(LayerConfigReader c)
    {
        var kernel = ConvArgs.Read(c, 1, "kernel_size") ?? throw c.Error("missing field 'kernel_size'.");
        return new Conv1DTranspose(c.Int("filters"), kernel.Width, (ConvArgs.Read(c, 1, "strides") ?? ConvArgs.Line(1)).Width, c.Padding(),
            ConvArgs.Read(c, 1, "output_padding")?.Width, c.DataFormat(), (ConvArgs.Read(c, 1, "dilation_rate") ?? ConvArgs.Line(1)).Width,
            c.Activation("activation"), c.Bool(true, "use_bias"),
            c.Initializer("glorot_uniform", "kernel_initializer"), c.Initializer("zeros", "bias_initializer"),
            name: c.Name, trainable: c.Bool(true, "trainable"));
    }

    /// <summary>Window length.</summary>
    public int KernelSize => Args.Kernel.Width;

    /// <summary>Upsampling step.</summary>
    public int Strides => Args.Strides.Width;

    /// <summary>Spacing of the kernel taps.</summary>
    public int DilationRate => Args.Dilation.Width;

    /// <summary>Extra output steps at the end; null when Keras infers the output length.</summary>
    public int? OutputPadding => OutputPaddingSize?.Width;
}
