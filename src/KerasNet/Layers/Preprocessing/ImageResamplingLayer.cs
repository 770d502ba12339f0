#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// The base of <see cref="Resizing"/> and <see cref="CenterCrop"/>: an image layer whose output pixels read fixed
/// input pixels (a crop, or a bilinear or nearest resize of a crop window), planned once when the input shape is
/// known. The input gradient is the transposed resample: each output gradient goes back to the pixels it was read from.
/// </summary>
public abstract class ImageResamplingLayer : Layer
{
    private ResizePlan? _plan;

    /// <summary>Sets the target size.</summary>
    private protected ImageResamplingLayer(int height, int width, string layer, Shape? inputShape, string? name, bool trainable)
        : base(name, inputShape, trainable)
    {
        if (height <= 0) throw new KerasNetException($"{layer}: height must be positive, got {height}.");
        if (width <= 0) throw new KerasNetException($"{layer}: width must be positive, got {width}.");
        Height = height;
        Width = width;
    }

    /// <summary>The output height.</summary>
    public int Height { get; }

    /// <summary>The output width.</summary>
    public int Width { get; }

    /// <summary>What each output pixel reads, for an input of inH x inW.</summary>
    private protected abstract ResizePlan Plan(int inH, int inW);

    /// <summary>
    /// The largest window of an inH x inW image with the target's aspect ratio, centred, as Keras's smart_resize
    /// computes it (float32 quotients truncated to integers, never larger than the image, at least 1 pixel).
    /// </summary>
    private protected (int Top, int Left, int Height, int Width) AspectWindow(int inH, int inW)
    {
        int cropH = Math.Max(Math.Min(inH, (int)((float)(inW * Height) / Width)), 1);
        int cropW = Math.Max(Math.Min(inW, (int)((float)(inH * Width) / Height)), 1);
        return ((int)((float)(inH - cropH) / 2), (int)((float)(inW - cropW) / 2), cropH, cropW);
    }

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        PreprocessingArgs.CheckImage(this, inputShape);
        _plan = Plan(inputShape[0], inputShape[1]);
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        PreprocessingArgs.CheckImage(this, inputShape);
        return [Height, Width, inputShape[2]];
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor input)
    {
        CheckInput(input);
        var output = ctx.Scratch(CallContext.OutputSlot, input.BatchSize, OutputShape!);
        Backend.Current.ResizeForward(_plan!, input.BatchSize, InputShape![2], input.Buffer, output.Buffer);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.BatchSize, InputShape!);
        Backend.Current.ResizeBackward(_plan!, gradOutput.BatchSize, InputShape![2], gradOutput.Buffer, gradIn.Buffer);
        return gradIn;
    }

    /// <summary>The plan built for the input shape (for tests).</summary>
    internal ResizePlan? BuiltPlan => _plan;
}
