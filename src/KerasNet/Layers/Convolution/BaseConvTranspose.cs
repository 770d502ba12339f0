#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// What Conv1DTranspose and Conv2DTranspose share (Keras 3's BaseConvTranspose): the transposed convolution, which is
/// the gradient of a convolution with respect to its input (TensorFlow's conv2d_transpose): the kernel is
/// (kernel..., filters, channels), the output size is Keras's deconv_output_length, and the padding is what
/// TensorFlow gives the convolution from that output size back to the input size. Its backward pass is that
/// convolution forward (input gradient) and its kernel gradient with the roles of input and output exchanged.
/// </summary>
public abstract class BaseConvTranspose : KernelLayer, IKeras3Config
{
    private protected BaseConvTranspose(ConvArgs args, int filters, Size2? outputPadding, string? activation, bool useBias,
        Initializer? kernelInitializer, Initializer? biasInitializer, Shape? inputShape, string? name, bool trainable, WeightOptions options)
        : base(activation, useBias, kernelInitializer, biasInitializer, inputShape, name, trainable, options)
    {
        if (filters <= 0) throw new KerasNetException($"{ClassName}: filters must be positive, got {filters}.");
        if (outputPadding is { } op)
        {
            if (op.Height < 0 || op.Width < 0)
                throw new KerasNetException($"{ClassName}: output_padding must not be negative, got {ConvArgs.Format(op, args.Rank)}.");
            if (op.Height >= args.Strides.Height || op.Width >= args.Strides.Width)
                throw new KerasNetException($"{ClassName}: output_padding must be smaller than strides; got output_padding={ConvArgs.Format(op, args.Rank)}, strides={ConvArgs.Format(args.Strides, args.Rank)}.");
        }
        Args = args;
        Filters = filters;
        OutputPaddingSize = outputPadding;
    }

    internal ConvArgs Args { get; }

    /// <summary>Output padding per axis, (0, n) for 1-D layers; null lets Keras infer the output size.</summary>
    internal Size2? OutputPaddingSize { get; }

    /// <summary>Number of output channels.</summary>
    public int Filters { get; }

    /// <summary>"valid" or "same".</summary>
    public string Padding => Args.Padding;

    /// <summary>"channels_last" or "channels_first" (channels_first runs inference only).</summary>
    public string DataFormat => Args.DataFormat;

    /// <summary>
    /// A Keras 1 <c>Deconvolution2D</c>'s explicit output (height, width), which Keras 2 no longer reads: the layer
    /// accepts it only when it equals the size Keras 2 infers.
    /// </summary>
    private protected Size2? Keras1OutputSize { get; init; }

    // (h, w, c) of a per-sample input, or Keras's error for the wrong rank.
    private protected (int H, int W, int C) Dims(int[] shape) => Args.Dims(this, shape);

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        var (_, _, c) = Dims(inputShape);
        var k = Args.Kernel;
        AddKernelAndBias(Args.Rank == 1 ? [k.Width, Filters, c] : [k.Height, k.Width, Filters, c], biasSize: Filters);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (oh, ow) = OutputSize(inputShape);
        return Args.Shape(oh, ow, Filters);
    }

    // deconv_output_length per axis, checked: non-empty, invertible by TensorFlow's convolution, Keras 1's size if any.
    private (int H, int W) OutputSize(int[] inputShape)
    {
        var (h, w, _) = Dims(inputShape);
        var k = Args.Kernel;
        int? opH = OutputPaddingSize?.Height, opW = OutputPaddingSize?.Width;
        int oh = ConvSpec.TransposeOutputLength(h, k.Height, Args.Strides.Height, Args.Dilation.Height, Args.Padding, opH);
        int ow = ConvSpec.TransposeOutputLength(w, k.Width, Args.Strides.Width, Args.Dilation.Width, Args.Padding, opW);
        ConvShapes.CheckOutput(this, inputShape, oh, ow);
        if (Keras1OutputSize is { } k1 && (k1.Height != oh || k1.Width != ow))
            throw new KerasNetException($"Layer '{Name}' ({ClassName}): Keras 1's output_shape ({k1.Height}, {k1.Width}) differs from the size Keras 2 infers ({oh}, {ow}), and Keras 2 ignores output_shape; set output_padding instead.");
        try { Spec(1, h, w, oh, ow); }
        catch (ArgumentException e)
        {
            throw new KerasNetException($"Layer '{Name}' ({ClassName}): TensorFlow rejects this transposed convolution: {e.Message}");
        }
        return (oh, ow);
    }

    private ConvSpec Spec(int batch, int h, int w, int oh, int ow) =>
        ConvSpec.ForTranspose(batch, h, w, oh, ow, Filters, Args.Kernel.Height, Args.Kernel.Width, Args.Strides.Height, Args.Strides.Width,
            Args.Dilation.Height, Args.Dilation.Width, Args.Padding);

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var saved = ctx.StateOf<ConvCallState>();
        var (h, w, c) = Dims(InputShape!);
        var (oh, ow) = OutputSize(InputShape!);
        saved.Input = Args.ChannelsFirst ? ConvShapes.ToNhwc(inputs, Args.Rank) : inputs;
        var spec = saved.Spec = Spec(inputs.BatchSize, h, w, oh, ow);
        var output = ConvShapes.Nhwc(ctx, CallContext.OutputSlot, inputs.BatchSize, oh, ow, Filters, Args.Rank);
        var be = Backend.Current;
        be.ConvBackwardInput(spec, saved.Input.Buffer, Kernel!.Value.Buffer, c, output.Buffer, saved.Workspace);
        if (UseBias) be.BiasActivation(output.Buffer, spec.Batch * oh * ow, Bias!.Value.Buffer, ActivationKind.Linear);
        if (Args.ChannelsFirst) return ConvShapes.ActivateNchw(ConvShapes.ToNchw(output, Args.Rank), Stage.Kind);
        Stage.Forward(ctx, output);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        ConvShapes.RefuseChannelsFirstTraining(this, Args);
        var saved = ctx.StateOf<ConvCallState>();
        var spec = saved.Spec;
        int channels = saved.Input.Shape[^1];
        var gradOut = ctx.Scratch(CallContext.GradOutSlot, gradOutput.Shape);
        gradOutput.Span.CopyTo(gradOut.Span);
        Stage.Backward(ctx, gradOut, ctx.Scratch(CallContext.OutputSlot, gradOutput.Shape));
        var be = Backend.Current;
        // The output gradient plays the convolution's input: what the workspace cached came from another buffer state.
        saved.Workspace.Invalidate();
        Tensor? gradIn = null;
        if (needInputGrad)
        {
            gradIn = ctx.Scratch(CallContext.GradInSlot, saved.Input.Shape);
            be.ConvForward(spec, gradOut.Buffer, Kernel!.Value.Buffer, null, ActivationKind.Linear, channels, gradIn.Buffer, saved.Workspace);
        }
        if (sink.Wants(Kernel!))
        {
            be.ConvBackwardFilter(spec, gradOut.Buffer, saved.Input.Buffer, channels, sink.GradientFor(Kernel!), saved.Workspace);
            sink.Commit(Kernel!);
        }
        if (UseBias && sink.Wants(Bias!)) ColumnSums(be, sink, Bias!, gradOut.Buffer, spec.Batch * spec.InH * spec.InW);
        return gradIn;
    }

    /// <summary>tf.keras 2.4's config: Conv's fields (groups 1) then output_padding.</summary>
    /// <returns>The config as a JSON object, Keras's field names to values (what <c>get_config()</c> returns, as saved
    /// in a model file).</returns>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["filters"] = Filters;
        Args.AddWindowConfig(c);
        c["groups"] = 1;
        AddActivationAndWeightConfig(c);
        c["output_padding"] = OutputPaddingSize is { } op ? ConvArgs.Json(op, Args.Rank) : null;
        return c;
    }

    void IKeras3Config.ToKeras3(JsonObject keras3Config) => keras3Config.Remove("groups"); // Keras 3's transposed convolutions take no groups
}
