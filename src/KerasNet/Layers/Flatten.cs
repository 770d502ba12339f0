#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Flattens each sample to one dimension in its memory order. With data_format channels_first the input is
/// channels-first (c, h, w) and, as Keras 2's Flatten does, it is first permuted to channels-last so the output is
/// in (h, w, c) order: the weights of the following Dense layer do not depend on the data format. A Keras 1 'th'
/// model's Flatten has no data_format (channels_last) and so flattens its channels-first tensor in (c, h, w) order.
/// </summary>
[KerasLayer("Flatten")]
public sealed class Flatten : Layer
{
    /// <summary>Creates the layer.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='dataFormat']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='inputShape']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='name']"/>
    public Flatten(string dataFormat = "channels_last", Shape? inputShape = null, string? name = null)
        : base(name, inputShape) => DataFormat = PoolingArgs.CheckDataFormat(dataFormat, "Flatten");

    /// <summary>The layer of a Keras config (Keras 2.1 and older omit data_format).</summary>
    internal static Flatten FromConfig(LayerConfigReader c) => new(c.DataFormat(), name: c.Name);

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => [ShapeUtil.Product(inputShape)];

    // A view, or each sample's elements moved on their own.
    internal override int InferenceInvariantSamples => int.MaxValue;

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        if (PermutesChannels)
        {
            var permuted = ctx.Scratch(CallContext.OutputSlot, inputs.BatchSize, OutputShape!);
            MoveAxis(inputs.Span, permuted.Span, inputs.BatchSize, InputShape![0], OutputShape![0] / InputShape[0], toLast: true);
            return permuted;
        }
        return ctx.View = Tensor.ViewOf(ctx.View, inputs, [inputs.BatchSize, OutputShape![0]]);
    }

    /// <inheritdoc/>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        if (PermutesChannels)
        {
            var gradPermuted = ctx.Scratch(CallContext.GradInSlot, gradOutput.BatchSize, InputShape!);
            MoveAxis(gradOutput.Span, gradPermuted.Span, gradOutput.BatchSize, InputShape![0], OutputShape![0] / InputShape[0], toLast: false);
            return gradPermuted;
        }
        return ctx.GradView = Tensor.ViewOfBatch(ctx.GradView, gradOutput, gradOutput.BatchSize, InputShape!);
    }

    // Keras permutes (c, d1, d2, ...) to (d1, d2, ..., c) only for samples of rank 2 or more.
    private bool PermutesChannels => DataFormat == "channels_first" && InputShape!.Length >= 2;

    /// <summary>Per sample, (c, rest) to (rest, c) when <paramref name="toLast"/>, else back.</summary>
    private static void MoveAxis(ReadOnlySpan<float> src, Span<float> dst, int batch, int c, int rest, bool toLast)
    {
        int size = c * rest;
        for (int b = 0; b < batch; b++)
        {
            var s = src.Slice(b * size, size);
            var d = dst.Slice(b * size, size);
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < rest; i++)
                {
                    if (toLast) d[i * c + ch] = s[ch * rest + i];
                    else d[ch * rest + i] = s[i * c + ch];
                }
        }
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = DataFormat;
        return c;
    }
}
