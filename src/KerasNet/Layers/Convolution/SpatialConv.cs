#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// What Conv1D, Conv2D and DepthwiseConv2D share: one kernel convolved (cross-correlated, as Keras) with the input
/// through a <see cref="ConvSpec"/> (strides, TensorFlow's paddings, dilation, channel groups; a depthwise layer has
/// one group per input channel), then bias and activation. Computed in NHWC; a 1-D input (steps, channels) is an
/// image of height 1.
/// </summary>
public abstract class SpatialConv : KernelLayer
{
    private protected SpatialConv(ConvArgs args, string? activation, bool useBias, Initializer? kernelInitializer, Initializer? biasInitializer,
        Shape? inputShape, string? name, bool trainable, WeightOptions options)
        : base(activation, useBias, kernelInitializer, biasInitializer, inputShape, name, trainable, options) => Args = args;

    internal ConvArgs Args { get; }

    /// <summary>Output channels for <paramref name="channels"/> input channels.</summary>
    private protected abstract int OutputChannels(int channels);

    /// <summary>Channel groups for <paramref name="channels"/> input channels.</summary>
    private protected abstract int GroupCount(int channels);

    /// <summary>"valid", "same" (or, for 1-D layers, "causal").</summary>
    public string Padding => Args.Padding;

    /// <summary>"channels_last" or "channels_first" (channels_first runs inference only).</summary>
    public string DataFormat => Args.DataFormat;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (h, w, c) = Dims(inputShape);
        var s = ConvSpec.Create(1, h, w, 1, Args.Kernel.Height, Args.Kernel.Width, Args.Strides.Height, Args.Strides.Width,
            Args.Dilation.Height, Args.Dilation.Width, 1, Args.Padding);
        ConvShapes.CheckOutput(this, inputShape, s.OutH, s.OutW);
        return Args.Shape(s.OutH, s.OutW, OutputChannels(c));
    }

    // The convolution of a batch of (h, w, c) inputs.
    private ConvSpec SpecFor(int batch, int h, int w, int c) => ConvSpec.Create(batch, h, w, c, Args.Kernel.Height, Args.Kernel.Width,
        Args.Strides.Height, Args.Strides.Width, Args.Dilation.Height, Args.Dilation.Width, GroupCount(c), Args.Padding);

    // The backend's promise for this convolution (channels_last: a channels_first layer transposes around it, per sample too).
    internal override int InferenceInvariantSamples
    {
        get
        {
            if (InputShape is not { } shape || Args.ChannelsFirst || !HasExactActivation) return 1;
            var (h, w, c) = Dims(shape);
            return Backend.Current.ConvInferInvariantSamples(SpecFor(1, h, w, c));
        }
    }

    // (h, w, c) of a per-sample input, or Keras's error for the wrong rank.
    private protected (int H, int W, int C) Dims(int[] shape) => Args.Dims(this, shape);

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs) =>
        ForwardWithWeights(ctx, inputs, Kernel!.Value.Buffer, UseBias ? Bias!.Value.Buffer : null);

    private protected override bool AbsorbsAffine => !Args.ChannelsFirst;

    /// <inheritdoc/>
    internal override Tensor ForwardWithWeights(CallContext ctx, Tensor inputs, float[] kernel, float[]? bias, bool relu = false, float? clipMax = null)
    {
        var margins = ctx.Training ? null : ctx.InferencePadding;
        if (margins is { } m) CheckUnpadded(inputs, m); else CheckInput(inputs);
        var saved = ctx.StateOf<ConvCallState>();
        var (h, w, c) = Dims(InputShape!);
        int filters = OutputChannels(c);
        saved.Input = Args.ChannelsFirst ? ConvShapes.ToNhwc(inputs, Args.Rank) : inputs;
        var spec = saved.Spec = Unpadded(SpecFor(inputs.BatchSize, h, w, c), margins);
        var output = ConvShapes.Nhwc(ctx, CallContext.OutputSlot, inputs.BatchSize, spec.OutH, spec.OutW, filters, Args.Rank);
        // Bias and ReLU are applied by the backend while each output tile is still in cache (channels_last only: the
        // activation of a channels_first layer runs on its NCHW result, where softmax's last axis is the width).
        if (Args.ChannelsFirst)
        {
            Convolve(ctx, spec, saved, kernel, bias, ActivationKind.Linear, filters, output);
            return ConvShapes.ActivateNchw(ConvShapes.ToNchw(output, Args.Rank), Stage.Kind);
        }
        var activation = FoldedActivation(ctx, relu, out bool fused);
        Convolve(ctx, spec, saved, kernel, bias, activation, filters, output);
        if (!fused) Stage.Forward(ctx, output);
        ClipAbove(output, clipMax);
        return output;
    }

    // Training keeps the forward whose unfolded input the backward pass reuses (and whose sums it was tuned with);
    // inference takes the backend's inference kernels, with the layer's own weights versioned so their packed copy is kept.
    private void Convolve(CallContext ctx, in ConvSpec spec, ConvCallState saved, float[] kernel, float[]? bias, ActivationKind activation, int filters, Tensor output)
    {
        if (ctx.Training)
        {
            Backend.Current.ConvForward(spec, saved.Input.Buffer, kernel, bias, activation, filters, output.Buffer, saved.Workspace);
            return;
        }
        Backend.Current.ConvInfer(spec, saved.Input.Buffer, kernel, bias, WeightsVersion(kernel, bias), activation, filters, output.Buffer, saved.Workspace);
    }

    // The convolution of the padded image (h, w) read from the unpadded one: the same output, the margins as padding.
    private static ConvSpec Unpadded(in ConvSpec s, Margins2D? margins) => margins is not { } m ? s : s with
    {
        InH = s.InH - m.Top - m.Bottom, InW = s.InW - m.Left - m.Right, PadTop = s.PadTop + m.Top, PadLeft = s.PadLeft + m.Left,
    };

    // The input of an absorbed ZeroPadding2D: this layer's built input shape less the margins.
    private void CheckUnpadded(Tensor inputs, Margins2D m)
    {
        var shape = InputShape!;
        if (inputs.Rank != 4 || inputs.Shape[1] != shape[0] - m.Top - m.Bottom || inputs.Shape[2] != shape[1] - m.Left - m.Right || inputs.Shape[3] != shape[2])
            throw new ShapeMismatchException($"Layer '{Name}' expects an input of {ShapeUtil.FormatWithNone(shape)} before the padding {m} but got {ShapeUtil.Format(inputs.Shape)}.");
    }

    // The layer's own weights are versioned (their packed copy is kept); any others (folded ones) are unknown: -1.
    private long WeightsVersion(float[] kernel, float[]? bias)
    {
        bool own = ReferenceEquals(kernel, Kernel!.Value.Buffer) && (bias is null || ReferenceEquals(bias, Bias?.Value.Buffer));
        return own ? Kernel.Version + (bias is null ? 0 : Bias!.Version) : -1;
    }

    /// <summary>
    /// The inference pass of this layer followed by a non-overlapping 'valid' max pool of <paramref name="poolSize"/>
    /// (strides equal to it) that alone reads its output, in one backend call (FunctionalGraph.Pooling.cs): the pooled
    /// output, or null (run both layers as usual) unless this is a channels_last 2-D convolution with a linear or ReLU
    /// activation fused into its output and no activity regularizer reading the unpooled values.
    /// </summary>
    internal Tensor? ForwardPooled(CallContext ctx, Tensor inputs, Size2 poolSize)
    {
        if (ctx.Training || Args.Rank != 2 || Args.ChannelsFirst || ActivityRegularizer is { IsZero: false }) return null;
        var activation = FoldedActivation(ctx, false, out bool fused);
        if (!fused || activation is not (ActivationKind.Linear or ActivationKind.Relu)) return null;
        CheckInput(inputs);
        var saved = ctx.StateOf<ConvCallState>();
        var (h, w, c) = Dims(InputShape!);
        int filters = OutputChannels(c);
        saved.Input = inputs;
        var spec = saved.Spec = SpecFor(inputs.BatchSize, h, w, c);
        var pool = ConvGeometry.Create(inputs.BatchSize, spec.OutH, spec.OutW, filters, poolSize.Height, poolSize.Width,
            poolSize.Height, poolSize.Width, "valid");
        var output = ctx.Scratch(CallContext.OutputSlot, [inputs.BatchSize, pool.OutH, pool.OutW, filters]);
        var kernel = Kernel!.Value.Buffer;
        var bias = UseBias ? Bias!.Value.Buffer : null;
        Backend.Current.ConvPoolInfer(spec, inputs.Buffer, kernel, bias, WeightsVersion(kernel, bias), activation, filters, pool, output.Buffer, saved.Workspace);
        return output;
    }

    /// <inheritdoc/>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        ConvShapes.RefuseChannelsFirstTraining(this, Args);
        var saved = ctx.StateOf<ConvCallState>();
        int filters = gradOutput.Shape[^1];
        var be = Backend.Current;
        var kind = ctx.FuseActivationWithLoss ? ActivationKind.Linear : Stage.Kind;
        Tensor gradOut;
        if (kind is ActivationKind.Relu or ActivationKind.Linear && sink.Wants(Kernel!))
        {
            // The activation's mask, the bias's sums and the filter gradient in one pass over the incoming gradient
            // (the pre-activation gradient written only when the input gradient needs it).
            gradOut = ctx.Scratch(CallContext.GradOutSlot, gradOutput.Shape);
            bool bias = UseBias && sink.Wants(Bias!);
            var relu = kind == ActivationKind.Relu ? ctx.Scratch(CallContext.OutputSlot, gradOutput.Shape).Buffer : null;
            be.ConvBackwardActivated(saved.Spec, saved.Input.Buffer, relu, gradOutput.Buffer, filters, sink.GradientFor(Kernel!),
                bias ? sink.GradientFor(Bias!) : null, needInputGrad ? gradOut.Buffer : null, saved.Workspace);
            sink.Commit(Kernel!);
            if (bias) sink.Commit(Bias!);
            return needInputGrad ? InputGradient(ctx, saved, gradOut, filters) : null;
        }
        gradOut = ctx.Scratch(CallContext.GradOutSlot, gradOutput.Shape);
        gradOutput.Span.CopyTo(gradOut.Span);
        Stage.Backward(ctx, gradOut, ctx.Scratch(CallContext.OutputSlot, gradOutput.Shape));
        if (sink.Wants(Kernel!))
        {
            be.ConvBackwardFilter(saved.Spec, saved.Input.Buffer, gradOut.Buffer, filters, sink.GradientFor(Kernel!), saved.Workspace);
            sink.Commit(Kernel!);
        }
        if (UseBias && sink.Wants(Bias!)) ColumnSums(be, sink, Bias!, gradOut.Buffer, saved.Spec.Rows);
        return needInputGrad ? InputGradient(ctx, saved, gradOut, filters) : null;
    }

    private Tensor InputGradient(CallContext ctx, ConvCallState saved, Tensor gradOut, int filters)
    {
        var gradIn = ctx.Scratch(CallContext.GradInSlot, saved.Input.Shape);
        Backend.Current.ConvBackwardInput(saved.Spec, gradOut.Buffer, Kernel!.Value.Buffer, filters, gradIn.Buffer, saved.Workspace);
        return gradIn;
    }
}
