#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// What SeparableConv1D and SeparableConv2D share (Keras 3's BaseSeparableConv): a depthwise convolution
/// (<c>depthwise_kernel</c> (kernel..., channels, depth_multiplier), strides, padding, dilation, no bias) followed by a
/// pointwise 1x1 convolution (<c>pointwise_kernel</c> (1..., channels * depth_multiplier, filters)), then bias and
/// activation, with the weights in Keras's order depthwise_kernel, pointwise_kernel, bias. The depthwise step runs
/// the direct depthwise kernels, the pointwise one a GEMM straight on the intermediate. <see cref="KernelLayer.Kernel"/>,
/// <see cref="KernelLayer.KernelInitializer"/>, <see cref="KernelLayer.KernelRegularizer"/> and
/// <see cref="KernelLayer.KernelConstraint"/> are the depthwise kernel's.
/// </summary>
public abstract class BaseSeparableConv : KernelLayer, IKeras3Config
{
    /// <summary>What a call keeps for backward: the NHWC input, both convolutions, the intermediate and its gradient.</summary>
    private sealed class Saved
    {
        public Tensor Input = null!, Mid = null!;
        public Tensor? MidGrad;
        public ConvSpec Depthwise, Pointwise;
        public readonly ConvWorkspace DepthwiseWorkspace = new(), PointwiseWorkspace = new();
    }

    private protected BaseSeparableConv(ConvArgs args, int filters, int depthMultiplier, string? activation, bool useBias,
        Initializer? depthwiseInitializer, Initializer? pointwiseInitializer, Initializer? biasInitializer,
        Shape? inputShape, string? name, bool trainable, WeightOptions options, Regularizer? pointwiseRegularizer, Constraint? pointwiseConstraint)
        : base(activation, useBias, depthwiseInitializer, biasInitializer, inputShape, name, trainable, options)
    {
        if (filters <= 0) throw new KerasNetException($"{ClassName}: filters must be positive, got {filters}.");
        if (depthMultiplier <= 0) throw new KerasNetException($"{ClassName}: depth_multiplier must be positive, got {depthMultiplier}.");
        Args = args;
        Filters = filters;
        DepthMultiplier = depthMultiplier;
        PointwiseInitializer = pointwiseInitializer ?? new GlorotUniform();
        PointwiseRegularizer = pointwiseRegularizer;
        PointwiseConstraint = pointwiseConstraint;
    }

    internal ConvArgs Args { get; }

    /// <summary>Output channels of the pointwise step.</summary>
    public int Filters { get; }

    /// <summary>Depthwise outputs per input channel.</summary>
    public int DepthMultiplier { get; }

    /// <summary>"valid", "same" (or, for SeparableConv1D, "causal").</summary>
    public string Padding => Args.Padding;

    /// <summary>"channels_last" or "channels_first" (channels_first runs inference only).</summary>
    public string DataFormat => Args.DataFormat;

    /// <summary>The depthwise kernel (<see cref="KernelLayer.Kernel"/>), after build.</summary>
    public Variable? DepthwiseKernel => Kernel;

    /// <summary>The (1..., channels * depth_multiplier, filters) pointwise kernel, after build (it carries the pointwise penalties).</summary>
    public Variable? PointwiseKernel
    {
        get => _pointwiseKernel;
        private set
        {
            _pointwiseKernel = value;
            if (value != null) (value.Regularizer, value.Constraint) = (_pointwiseRegularizer, _pointwiseConstraint);
        }
    }

    private Variable? _pointwiseKernel;
    private Regularizer? _pointwiseRegularizer;
    private Constraint? _pointwiseConstraint;

    /// <summary>Keras's depthwise_initializer (<see cref="KernelLayer.KernelInitializer"/>).</summary>
    public Initializer DepthwiseInitializer => KernelInitializer;

    /// <summary>Keras's pointwise_initializer.</summary>
    public Initializer PointwiseInitializer { get; }

    /// <summary>Keras's depthwise_regularizer (<see cref="KernelLayer.KernelRegularizer"/>).</summary>
    public Regularizer? DepthwiseRegularizer { get => KernelRegularizer; set => KernelRegularizer = value; }

    /// <summary>Keras's pointwise_regularizer: its penalty on the pointwise kernel is added to the training loss.</summary>
    public Regularizer? PointwiseRegularizer
    {
        get => _pointwiseRegularizer;
        set { _pointwiseRegularizer = value; if (_pointwiseKernel != null) _pointwiseKernel.Regularizer = value; }
    }

    /// <summary>Keras's depthwise_constraint (<see cref="KernelLayer.KernelConstraint"/>).</summary>
    public Constraint? DepthwiseConstraint { get => KernelConstraint; set => KernelConstraint = value; }

    /// <summary>Keras's pointwise_constraint: projects the pointwise kernel after each optimizer update.</summary>
    public Constraint? PointwiseConstraint
    {
        get => _pointwiseConstraint;
        set { _pointwiseConstraint = value; if (_pointwiseKernel != null) _pointwiseKernel.Constraint = value; }
    }

    // (h, w, c) of a per-sample input, or Keras's error for the wrong rank.
    private protected (int H, int W, int C) Dims(int[] shape) => Args.Dims(this, shape);

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        var (_, _, c) = Dims(inputShape);
        var k = Args.Kernel;
        int mid = c * DepthMultiplier;
        Kernel = AddWeight("depthwise_kernel", Args.Rank == 1 ? [k.Width, c, DepthMultiplier] : [k.Height, k.Width, c, DepthMultiplier], KernelInitializer);
        PointwiseKernel = AddWeight("pointwise_kernel", Args.Rank == 1 ? [1, mid, Filters] : [1, 1, mid, Filters], PointwiseInitializer);
        if (UseBias) Bias = AddWeight("bias", [Filters], BiasInitializer);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (h, w, c) = Dims(inputShape);
        var s = DepthwiseSpec(1, h, w, c);
        ConvShapes.CheckOutput(this, inputShape, s.OutH, s.OutW);
        return Args.Shape(s.OutH, s.OutW, Filters);
    }

    private ConvSpec DepthwiseSpec(int batch, int h, int w, int c) =>
        ConvSpec.Create(batch, h, w, c, Args.Kernel.Height, Args.Kernel.Width, Args.Strides.Height, Args.Strides.Width,
            Args.Dilation.Height, Args.Dilation.Width, c, Args.Padding);

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var saved = ctx.StateOf<Saved>();
        var (h, w, c) = Dims(InputShape!);
        int n = inputs.BatchSize, mid = c * DepthMultiplier;
        saved.Input = Args.ChannelsFirst ? ConvShapes.ToNhwc(inputs, Args.Rank) : inputs;
        var dw = saved.Depthwise = DepthwiseSpec(n, h, w, c);
        var pw = saved.Pointwise = ConvSpec.Create(n, dw.OutH, dw.OutW, mid, 1, 1, 1, 1, 1, 1, 1, "valid");
        var be = Backend.Current;
        saved.Mid = ctx.Scratch(CallContext.ExtraSlot, [n, dw.OutH, dw.OutW, mid]);
        be.ConvForward(dw, saved.Input.Buffer, Kernel!.Value.Buffer, null, ActivationKind.Linear, mid, saved.Mid.Buffer, saved.DepthwiseWorkspace);
        var output = ConvShapes.Nhwc(ctx, CallContext.OutputSlot, n, dw.OutH, dw.OutW, Filters, Args.Rank);
        bool fuse = !Args.ChannelsFirst && Stage.FusableIntoOutput(ctx);
        be.ConvForward(pw, saved.Mid.Buffer, PointwiseKernel!.Value.Buffer, UseBias ? Bias!.Value.Buffer : null,
            fuse ? Stage.Kind : ActivationKind.Linear, Filters, output.Buffer, saved.PointwiseWorkspace);
        if (Args.ChannelsFirst) return ConvShapes.ActivateNchw(ConvShapes.ToNchw(output, Args.Rank), Stage.Kind);
        if (!fuse) Stage.Forward(ctx, output);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        ConvShapes.RefuseChannelsFirstTraining(this, Args);
        var saved = ctx.StateOf<Saved>();
        var (dw, pw) = (saved.Depthwise, saved.Pointwise);
        int mid = saved.Mid.Shape[^1];
        var gradOut = ctx.Scratch(CallContext.GradOutSlot, gradOutput.Shape);
        gradOutput.Span.CopyTo(gradOut.Span);
        Stage.Backward(ctx, gradOut, ctx.Scratch(CallContext.OutputSlot, gradOutput.Shape));
        var be = Backend.Current;
        if (sink.Wants(PointwiseKernel!))
        {
            be.ConvBackwardFilter(pw, saved.Mid.Buffer, gradOut.Buffer, Filters, sink.GradientFor(PointwiseKernel!), saved.PointwiseWorkspace);
            sink.Commit(PointwiseKernel!);
        }
        if (UseBias && sink.Wants(Bias!)) ColumnSums(be, sink, Bias!, gradOut.Buffer, pw.Rows);
        bool wantDepthwise = sink.Wants(Kernel!);
        if (!wantDepthwise && !needInputGrad) return null;
        var midGrad = saved.MidGrad = Tensor.Ensure(saved.MidGrad, (ReadOnlySpan<int>)saved.Mid.Shape);
        be.ConvBackwardInput(pw, gradOut.Buffer, PointwiseKernel!.Value.Buffer, Filters, midGrad.Buffer, saved.PointwiseWorkspace);
        if (wantDepthwise)
        {
            be.ConvBackwardFilter(dw, saved.Input.Buffer, midGrad.Buffer, mid, sink.GradientFor(Kernel!), saved.DepthwiseWorkspace);
            sink.Commit(Kernel!);
        }
        if (!needInputGrad) return null;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, saved.Input.Shape);
        be.ConvBackwardInput(dw, midGrad.Buffer, Kernel!.Value.Buffer, mid, gradIn.Buffer, saved.DepthwiseWorkspace);
        return gradIn;
    }

    /// <summary>
    /// tf.keras 2.4's config: Conv's fields (groups 1, and the kernel_* fields Conv keeps at their defaults: glorot_uniform,
    /// no regularizer, no constraint), then depth_multiplier and the depthwise_* / pointwise_* fields.
    /// </summary>
    /// <returns>The config as a JSON object, Keras's field names to values (what <c>get_config()</c> returns, as saved
    /// in a model file).</returns>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["filters"] = Filters;
        Args.AddWindowConfig(c);
        c["groups"] = 1;
        c["activation"] = Activations.Name(Activation);
        c["use_bias"] = UseBias;
        c["kernel_initializer"] = LayerConfig.Keras2Json(new GlorotUniform());
        c["bias_initializer"] = LayerConfig.Keras2Json(BiasInitializer);
        c["kernel_regularizer"] = null;
        c["bias_regularizer"] = LayerConfig.Keras2Json(BiasRegularizer);
        c["activity_regularizer"] = LayerConfig.Keras2Json(ActivityRegularizer);
        c["kernel_constraint"] = null;
        c["bias_constraint"] = LayerConfig.Keras2Json(BiasConstraint);
        c["depth_multiplier"] = DepthMultiplier;
        c["depthwise_initializer"] = LayerConfig.Keras2Json(KernelInitializer);
        c["pointwise_initializer"] = LayerConfig.Keras2Json(PointwiseInitializer);
        c["depthwise_regularizer"] = LayerConfig.Keras2Json(KernelRegularizer);
        c["pointwise_regularizer"] = LayerConfig.Keras2Json(PointwiseRegularizer);
        c["depthwise_constraint"] = LayerConfig.Keras2Json(KernelConstraint);
        c["pointwise_constraint"] = LayerConfig.Keras2Json(PointwiseConstraint);
        return c;
    }

    void IKeras3Config.ToKeras3(JsonObject keras3Config)
    {
        // Keras 3's separable convolutions take neither groups nor kernel_* arguments.
        foreach (var field in new[] { "groups", "kernel_initializer", "kernel_regularizer", "kernel_constraint" }) keras3Config.Remove(field);
        keras3Config["depthwise_initializer"] = KernelInitializer.ToKeras3Json();
        keras3Config["pointwise_initializer"] = PointwiseInitializer.ToKeras3Json();
        keras3Config["depthwise_regularizer"] = KernelRegularizer?.ToKeras3Json();
        keras3Config["pointwise_regularizer"] = PointwiseRegularizer?.ToKeras3Json();
        keras3Config["depthwise_constraint"] = KernelConstraint?.ToKeras3Json();
        keras3Config["pointwise_constraint"] = PointwiseConstraint?.ToKeras3Json();
    }
}
