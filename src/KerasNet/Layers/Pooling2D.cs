#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>Shared arguments of the 2-D pooling layers: strides default to the pool size, 'valid', channels_last.</summary>
public abstract class Pooling2D : Layer
{
    /// <summary>What a call keeps for backward: the NHWC input and its geometry (max pooling adds its winners).</summary>
    private protected class Saved
    {
        public Tensor Input = null!;
        public ConvGeometry Geo;
        public int[] Argmax = Array.Empty<int>();
    }

    /// <summary>Stores the Keras arguments.</summary>
    /// <param name="poolSize">The window (height, width); null is Keras's default (2, 2).</param>
    /// <param name="strides">The step between windows; null (Keras's default) is the pool size.</param>
    /// <param name="padding"><c>"valid"</c> (Keras's default: windows inside the input) or <c>"same"</c> (padded so
    /// that the output has ceil(input / stride) positions).</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='dataFormat']"/>
    /// <param name="inputShape">The per-sample input shape (without the batch axis).</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='name']"/>
    protected Pooling2D(Size2? poolSize, Size2? strides, string padding, string dataFormat, Shape? inputShape, string? name)
        : base(name, inputShape)
    {
        PoolSize = poolSize ?? new Size2(2, 2);
        Strides = strides ?? PoolSize;
        if (PoolSize.Height <= 0 || PoolSize.Width <= 0 || Strides.Height <= 0 || Strides.Width <= 0)
            throw new KerasNetException($"{ClassName} '{Name}': pool_size and strides must be positive, got {PoolSize} and {Strides}.");
        Padding = PoolingArgs.CheckPadding(padding, ClassName);
        DataFormat = PoolingArgs.CheckDataFormat(dataFormat, ClassName);
    }

    /// <summary>pool_size (2x2 when absent), strides, padding and data_format of a pooling layer's config.</summary>
    private protected static (Size2 PoolSize, Size2? Strides, string Padding, string DataFormat) PoolingArgsOf(LayerConfigReader c) =>
        (c.Size("pool_size") ?? new Size2(2, 2), c.Size("strides"), c.Padding(), c.DataFormat());

    /// <summary>Window size.</summary>
    public Size2 PoolSize { get; }
    /// <summary>Steps between windows.</summary>
    public Size2 Strides { get; }
    /// <summary>"valid" or "same".</summary>
    public string Padding { get; }
    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    // Each window of each sample is reduced on its own, in one order, vectorised over channels only.
    internal override int InferenceInvariantSamples => int.MaxValue;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (h, w, c) = PoolingArgs.Hwc(inputShape, DataFormat);
        // A 'valid' window larger than the input leaves nothing: TensorFlow refuses it ("negative dimension size").
        return LayerShapes.Output(this, inputShape, PoolingArgs.Shape(ConvGeometry.OutputLength(h, PoolSize.Height, Strides.Height, Padding),
            ConvGeometry.OutputLength(w, PoolSize.Width, Strides.Width, Padding), c, DataFormat), $"pool_size={PoolSize}");
    }

    /// <summary>Prepares geometry and output for a batch (NHWC internally).</summary>
    private protected (Saved saved, Tensor output) Prepare(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var saved = ctx.StateOf<Saved>();
        saved.Input = DataFormat == "channels_first" ? ChannelsFirst.ToNhwc(inputs) : inputs;
        var (h, w, c) = PoolingArgs.Hwc(InputShape!, DataFormat);
        saved.Geo = ConvGeometry.Create(inputs.BatchSize, h, w, c, PoolSize.Height, PoolSize.Width, Strides.Height, Strides.Width, Padding);
        return (saved, ctx.Scratch(CallContext.OutputSlot, [inputs.BatchSize, saved.Geo.OutH, saved.Geo.OutW, c]));
    }

    private protected Tensor Result(Tensor output) => DataFormat == "channels_first" ? ChannelsFirst.ToNchw(output) : output;

    /// <summary>The input-gradient tensor of a call, after refusing channels_first training.</summary>
    private protected Tensor GradIn(CallContext ctx, Saved saved)
    {
        if (DataFormat == "channels_first") throw new KerasNetException($"Layer '{Name}': training with channels_first is not supported.");
        return ctx.Scratch(CallContext.GradInSlot, saved.Input.Shape);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["pool_size"] = IntArray(PoolSize.ToArray());
        c["padding"] = Padding;
        c["strides"] = IntArray(Strides.ToArray());
        c["data_format"] = DataFormat;
        return c;
    }
}
