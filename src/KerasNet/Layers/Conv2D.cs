#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// 2-D convolution (cross-correlation, as Keras) over NHWC input with a (kh, kw, in, filters) kernel.
/// </summary>
[KerasLayer("Conv2D", "Convolution2D")]
public sealed class Conv2D : KernelLayer
{
    /// <summary>What a call keeps for backward: the NHWC input, its geometry, the backend's cached unfolding.</summary>
    private sealed class Saved
    {
        public Tensor Input = null!;
        public ConvGeometry Geo;
        public readonly ConvWorkspace Workspace = new();
    }

    /// <summary>Creates the layer with Keras's defaults (strides 1, 'valid', channels_last, glorot_uniform, zero bias).</summary>
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
        Constraint? kernelConstraint = null, Constraint? biasConstraint = null)
        : base(activation, useBias, kernelInitializer, biasInitializer, inputShape, name, trainable,
            new WeightOptions(kernelRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, biasConstraint))
    {
        if (filters <= 0) throw new KerasNetException($"Conv2D: filters must be positive, got {filters}.");
        if (kernelSize.Height <= 0 || kernelSize.Width <= 0) throw new KerasNetException($"Conv2D: kernel_size must be positive, got {kernelSize}.");
        Filters = filters;
        KernelSize = kernelSize;
        Strides = strides ?? new Size2(1, 1);
        if (Strides.Height <= 0 || Strides.Width <= 0) throw new KerasNetException($"Conv2D: strides must be positive, got {Strides}.");
        Padding = PoolingArgs.CheckPadding(padding, "Conv2D");
        DataFormat = PoolingArgs.CheckDataFormat(dataFormat, "Conv2D");
        DilationRate = dilationRate ?? new Size2(1, 1);
        if (DilationRate != new Size2(1, 1)) throw new KerasNetException($"Conv2D '{Name}': dilation_rate {DilationRate} is not supported (only (1, 1)).");
    }

    /// <summary>
    /// The layer of a Keras config: Keras 2/3 fields, or Keras 1's <c>Convolution2D</c> (<c>nb_filter</c>,
    /// <c>nb_row</c>/<c>nb_col</c>, <c>border_mode</c>, <c>subsample</c>, <c>dim_ordering</c>, <c>init</c>).
    /// </summary>
    internal static Conv2D FromConfig(LayerConfigReader c)
    {
        int groups = c.OptionalInt("groups") ?? 1;
        if (groups != 1) throw c.Error($"groups={groups} is not supported (only 1).");
        var kernel = c.Size("kernel_size")
            ?? (c.Has("nb_row") ? new Size2(c.Int("nb_row"), c.Int("nb_col")) : throw c.Error("missing field 'kernel_size' (or 'nb_row'/'nb_col')."));
        return new Conv2D(c.Int("filters", "nb_filter"), kernel, c.Size("strides", "subsample"), c.Padding(), c.DataFormat(),
            c.Size("dilation_rate", "atrous_rate"), c.Activation("activation"), c.Bool(true, "use_bias", "bias"),
            c.Initializer("glorot_uniform", "kernel_initializer", "init"), c.Initializer("zeros", "bias_initializer"),
            name: c.Name, trainable: c.Bool(true, "trainable"));
    }

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }
    /// <summary>Window size.</summary>
    public Size2 KernelSize { get; }
    /// <summary>Steps between windows.</summary>
    public Size2 Strides { get; }
    /// <summary>"valid" or "same".</summary>
    public string Padding { get; }
    /// <summary>"channels_last" (NHWC) or "channels_first" (NCHW).</summary>
    public string DataFormat { get; }
    /// <summary>Dilation (only (1, 1)).</summary>
    public Size2 DilationRate { get; }

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        if (inputShape.Length != 3) throw new ShapeMismatchException($"Layer '{Name}' (Conv2D) expects 3-D samples (h, w, c), got {ShapeUtil.Format(inputShape)}.");
        int channels = DataFormat == "channels_last" ? inputShape[2] : inputShape[0];
        AddKernelAndBias([KernelSize.Height, KernelSize.Width, channels, Filters]);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (h, w, _) = PoolingArgs.Hwc(inputShape, DataFormat);
        int oh = ConvGeometry.OutputLength(h, KernelSize.Height, Strides.Height, Padding);
        int ow = ConvGeometry.OutputLength(w, KernelSize.Width, Strides.Width, Padding);
        return PoolingArgs.Shape(oh, ow, Filters, DataFormat);
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var saved = ctx.StateOf<Saved>();
        saved.Input = DataFormat == "channels_first" ? ChannelsFirst.ToNhwc(inputs) : inputs;
        var (h, w, c) = PoolingArgs.Hwc(InputShape!, DataFormat);
        var geo = saved.Geo = ConvGeometry.Create(inputs.BatchSize, h, w, c, KernelSize.Height, KernelSize.Width, Strides.Height, Strides.Width, Padding);
        var output = ctx.Scratch(CallContext.OutputSlot, [inputs.BatchSize, geo.OutH, geo.OutW, Filters]);
        // Bias and ReLU are applied by the backend while each output tile is still in cache.
        bool fuse = Stage.FusableIntoOutput(ctx);
        Backend.Current.Conv2DForward(geo, saved.Input.Buffer, Kernel!.Value.Buffer, UseBias ? Bias!.Value.Buffer : null,
            fuse ? Stage.Kind : ActivationKind.Linear, Filters, output.Buffer, saved.Workspace);
        if (!fuse) Stage.Forward(ctx, output);
        return DataFormat == "channels_first" ? ChannelsFirst.ToNchw(output) : output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (DataFormat == "channels_first") throw new KerasNetException($"Layer '{Name}': training with channels_first is not supported; convert the model to channels_last.");
        var saved = ctx.StateOf<Saved>();
        var gradOut = ctx.Scratch(CallContext.GradOutSlot, gradOutput.Shape);
        gradOutput.Span.CopyTo(gradOut.Span);
        Stage.Backward(ctx, gradOut, ctx.Scratch(CallContext.OutputSlot, gradOutput.Shape));
        var be = Backend.Current;
        if (sink.Wants(Kernel!))
        {
            be.Conv2DBackwardFilter(saved.Geo, saved.Input.Buffer, gradOut.Buffer, Filters, sink.GradientFor(Kernel!), saved.Workspace);
            sink.Commit(Kernel!);
        }
        if (UseBias && sink.Wants(Bias!)) ColumnSums(be, sink, Bias!, gradOut.Buffer, saved.Geo.Rows);
        if (!needInputGrad) return null;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, saved.Input.Shape);
        be.Conv2DBackwardInput(saved.Geo, gradOut.Buffer, Kernel!.Value.Buffer, Filters, gradIn.Buffer);
        return gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["filters"] = Filters;
        c["kernel_size"] = IntArray(KernelSize.ToArray());
        c["strides"] = IntArray(Strides.ToArray());
        c["padding"] = Padding;
        c["data_format"] = DataFormat;
        c["dilation_rate"] = IntArray(DilationRate.ToArray());
        c["groups"] = 1;
        AddActivationAndWeightConfig(c);
        return c;
    }
}
