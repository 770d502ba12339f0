#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Depthwise 2-D convolution: each input channel convolved on its own with <see cref="DepthMultiplier"/> filters
/// (kernel <c>depthwise_kernel</c> (kh, kw, channels, depth_multiplier); output channel c * depth_multiplier + m reads
/// input channel c), then bias and activation. Runs the direct NHWC depthwise kernels (no im2col).
/// </summary>
[KerasLayer("DepthwiseConv2D")]
public sealed class DepthwiseConv2D : SpatialConv, IKeras3Config
{
    /// <summary>Creates the layer with Keras's defaults (strides 1, 'valid', depth_multiplier 1, channels_last, glorot_uniform, zero bias).</summary>
    /// <param name="kernelSize">Window (height, width).</param>
    /// <param name="strides">Steps between windows; above 1 only without dilation.</param>
    /// <param name="padding">"valid" or "same" (ceil(size / stride) outputs, the odd padding pixel at the
    /// bottom/right). Keras's default: <c>"valid"</c>.</param>
    /// <param name="depthMultiplier">Output channels per input channel.</param>
    /// <param name="dataFormat">"channels_last" (NHWC) or "channels_first" (NCHW, inference only). Keras's default:
    /// <c>"channels_last"</c>.</param>
    /// <param name="dilationRate">Spacing of the kernel taps.</param>
    /// <include file="../../Docs/Params.xml" path="params/param[@name='activation']"/>
    /// <param name="useBias">Whether a bias (channels * depth_multiplier values) is added.</param>
    /// <param name="depthwiseInitializer">Kernel initializer. A Keras name (<c>"glorot_uniform"</c>,
    /// <c>"he_normal"</c>, <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see
    /// cref="KerasNet.Layers.Initializer.Get(string)"/>) or an initializer object; null is Keras's default
    /// <c>"glorot_uniform"</c>.</param>
    /// <param name="biasInitializer">Bias initializer. A Keras name (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>) or an
    /// initializer object; null is Keras's default <c>"zeros"</c>.</param>
    /// <param name="inputShape">Keras's input_shape (h, w, c).</param>
    /// <param name="name">Layer name (depthwise_conv2d, ... when null).</param>
    /// <param name="trainable">Whether the weights are trained.</param>
    /// <param name="depthwiseRegularizer">Keras's depthwise_regularizer (kept in the config; see <see
    /// cref="KernelLayer.KernelRegularizer"/>). A Keras name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>: see <see
    /// cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null (Keras's default) for
    /// none.</param>
    /// <param name="biasRegularizer">Kept in the config. A Keras name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>: see
    /// <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null (Keras's default) for
    /// none.</param>
    /// <param name="activityRegularizer">Kept in the config. A Keras name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>:
    /// see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null (Keras's default) for
    /// none.</param>
    /// <param name="depthwiseConstraint">Keras's depthwise_constraint (kept in the config). A Keras name
    /// (<c>"max_norm"</c>, <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see
    /// cref="KerasNet.Layers.Constraint.Get(string)"/>) or a constraint object; null (Keras's default) for
    /// none.</param>
    /// <param name="biasConstraint">Kept in the config. A Keras name (<c>"max_norm"</c>, <c>"non_neg"</c>,
    /// <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see cref="KerasNet.Layers.Constraint.Get(string)"/>) or a
    /// constraint object; null (Keras's default) for none.</param>
    public DepthwiseConv2D(Size2 kernelSize, Size2? strides = null, string padding = "valid", int depthMultiplier = 1,
        string dataFormat = "channels_last", Size2? dilationRate = null, string? activation = null, bool useBias = true,
        Initializer? depthwiseInitializer = null, Initializer? biasInitializer = null,
        Shape? inputShape = null, string? name = null, bool trainable = true,
        Regularizer? depthwiseRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
        Constraint? depthwiseConstraint = null, Constraint? biasConstraint = null)
        : base(ConvArgs.Check("DepthwiseConv2D", 2, kernelSize, strides, padding, dataFormat, dilationRate, allowCausal: false),
            activation, useBias, depthwiseInitializer, biasInitializer, inputShape, name, trainable,
            new WeightOptions(depthwiseRegularizer, biasRegularizer, activityRegularizer, depthwiseConstraint, biasConstraint))
    {
        if (depthMultiplier <= 0) throw new KerasNetException($"DepthwiseConv2D: depth_multiplier must be positive, got {depthMultiplier}.");
        DepthMultiplier = depthMultiplier;
    }

    /// <summary>The layer of a Keras 2/3 config.</summary>
    internal static DepthwiseConv2D FromConfig(LayerConfigReader c) =>
        new(c.Size("kernel_size") ?? throw c.Error("missing field 'kernel_size'."), c.Size("strides"), c.Padding(),
            c.OptionalInt("depth_multiplier") ?? 1, c.DataFormat(), c.Size("dilation_rate"), c.Activation("activation"),
            c.Bool(true, "use_bias"), c.Initializer("glorot_uniform", "depthwise_initializer"), c.Initializer("zeros", "bias_initializer"),
            name: c.Name, trainable: c.Bool(true, "trainable"),
            depthwiseRegularizer: c.Regularizer("depthwise_regularizer"), depthwiseConstraint: c.Constraint("depthwise_constraint"));

    /// <summary>Output channels per input channel.</summary>
    public int DepthMultiplier { get; }

    /// <summary>Window size.</summary>
    public Size2 KernelSize => Args.Kernel;

    /// <summary>Steps between windows.</summary>
    public Size2 Strides => Args.Strides;

    /// <summary>Spacing of the kernel taps.</summary>
    public Size2 DilationRate => Args.Dilation;

    /// <summary>The (kh, kw, channels, depth_multiplier) kernel (<see cref="KernelLayer.Kernel"/>), after build.</summary>
    public Variable? DepthwiseKernel => Kernel;

    /// <summary>Keras's depthwise_initializer (<see cref="KernelLayer.KernelInitializer"/>).</summary>
    public Initializer DepthwiseInitializer => KernelInitializer;

    /// <summary>Keras's depthwise_regularizer (<see cref="KernelLayer.KernelRegularizer"/>).</summary>
    public Regularizer? DepthwiseRegularizer { get => KernelRegularizer; set => KernelRegularizer = value; }

    /// <summary>Keras's depthwise_constraint (<see cref="KernelLayer.KernelConstraint"/>).</summary>
    public Constraint? DepthwiseConstraint { get => KernelConstraint; set => KernelConstraint = value; }

    private protected override int OutputChannels(int channels) => channels * DepthMultiplier;

    private protected override int GroupCount(int channels) => channels;

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        var (_, _, c) = Dims(inputShape);
        AddKernelAndBias([Args.Kernel.Height, Args.Kernel.Width, c, DepthMultiplier], "depthwise_kernel", c * DepthMultiplier);
        base.Build(inputShape);
    }

    /// <summary>
    /// tf.keras 2.4's config: Conv2D's without filters and the kernel_* fields (kernel_size, strides, padding,
    /// data_format, dilation_rate, groups, activation, use_bias, bias_*, activity_regularizer), then depth_multiplier
    /// and the depthwise_* fields.
    /// </summary>
    /// <returns>The config as a JSON object, Keras's field names to values (what <c>get_config()</c> returns, as saved
    /// in a model file).</returns>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        Args.AddWindowConfig(c);
        c["groups"] = 1;
        c["activation"] = Activations.Name(Activation);
        c["use_bias"] = UseBias;
        c["bias_initializer"] = LayerConfig.Keras2Json(BiasInitializer);
        c["bias_regularizer"] = LayerConfig.Keras2Json(BiasRegularizer);
        c["activity_regularizer"] = LayerConfig.Keras2Json(ActivityRegularizer);
        c["bias_constraint"] = LayerConfig.Keras2Json(BiasConstraint);
        c["depth_multiplier"] = DepthMultiplier;
        c["depthwise_initializer"] = LayerConfig.Keras2Json(KernelInitializer);
        c["depthwise_regularizer"] = LayerConfig.Keras2Json(KernelRegularizer);
        c["depthwise_constraint"] = LayerConfig.Keras2Json(KernelConstraint);
        return c;
    }

    void IKeras3Config.ToKeras3(JsonObject keras3Config)
    {
        keras3Config.Remove("groups"); // Keras 3's DepthwiseConv2D takes no groups
        keras3Config["depthwise_initializer"] = KernelInitializer.ToKeras3Json();
        keras3Config["depthwise_regularizer"] = KernelRegularizer?.ToKeras3Json();
        keras3Config["depthwise_constraint"] = KernelConstraint?.ToKeras3Json();
    }
}
