#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>What a convolution call keeps for backward: the NHWC input, the convolution, the backend's scratch.</summary>
internal sealed class ConvCallState
{
    public Tensor Input = null!;
    public ConvSpec Spec;
    public readonly ConvWorkspace Workspace = new();
}

/// <summary>Shape and layout helpers of the convolution layers (1-D layers compute as images of height 1).</summary>
internal static class ConvShapes
{
    /// <summary>
    /// The context's scratch tensor <paramref name="slot"/> shaped as an NHWC result: (n, w, c) for a 1-D layer,
    /// (n, h, w, c) for a 2-D one (shapes on the stack: a warm call allocates nothing).
    /// </summary>
    public static Tensor Nhwc(CallContext ctx, int slot, int n, int h, int w, int c, int rank) =>
        rank == 1 ? ctx.Scratch(slot, [n, w, c]) : ctx.Scratch(slot, [n, h, w, c]);

    /// <summary>Refuses an output with an empty spatial axis (the input is smaller than the dilated kernel), as Keras 3 does.</summary>
    public static void CheckOutput(Layer layer, int[] inputShape, int outH, int outW)
    {
        if (outH <= 0 || outW <= 0)
            throw new ShapeMismatchException($"Layer '{layer.Name}' ({layer.ClassName}): the output would be empty: input shape {ShapeUtil.FormatWithNone(inputShape)} is smaller than the (dilated) kernel.");
    }

    /// <summary>A channels_first batch (n, c, w) or (n, c, h, w) as NHWC, in a new tensor.</summary>
    public static Tensor ToNhwc(Tensor nchw, int rank)
    {
        if (rank == 2) return ChannelsFirst.ToNhwc(nchw);
        int n = nchw.Shape[0], c = nchw.Shape[1], w = nchw.Shape[2];
        return ChannelsFirst.ToNhwc(nchw.View(n, c, 1, w)).View(n, w, c);
    }

    /// <summary>An NHWC batch (n, w, c) or (n, h, w, c) as channels_first, in a new tensor.</summary>
    public static Tensor ToNchw(Tensor nhwc, int rank)
    {
        if (rank == 2) return ChannelsFirst.ToNchw(nhwc);
        int n = nhwc.Shape[0], w = nhwc.Shape[1], c = nhwc.Shape[2];
        return ChannelsFirst.ToNchw(nhwc.View(n, 1, w, c)).View(n, c, w);
    }

    /// <summary>Applies an activation to a channels_first result (softmax over its last axis, as Keras's activation does).</summary>
    public static Tensor ActivateNchw(Tensor t, ActivationKind kind)
    {
        if (kind != ActivationKind.Linear) Backend.Current.Activation(t.Buffer, t.Length, t.Shape[^1], kind);
        return t;
    }

    /// <summary>Training a channels_first layer is refused: its backward pass would need the layout conversions in reverse.</summary>
    public static void RefuseChannelsFirstTraining(Layer layer, in ConvArgs args)
    {
        if (args.ChannelsFirst)
            throw new KerasNetException($"Layer '{layer.Name}' ({layer.ClassName}): training with data_format='channels_first' is not supported; convert the model to channels_last (inference works).");
    }
}
