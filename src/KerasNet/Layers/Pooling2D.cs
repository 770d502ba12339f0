#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>Shared arguments of the 2-D pooling layers: strides default to the pool size, 'valid', channels_last.</summary>
public abstract class Pooling2D : Layer
{
    private protected Tensor? Input, Output, GradIn;
    private protected ConvGeometry Geo;

    /// <summary>Stores the Keras arguments.</summary>
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

    /// <summary>Window size.</summary>
    public Size2 PoolSize { get; }
    /// <summary>Steps between windows.</summary>
    public Size2 Strides { get; }
    /// <summary>"valid" or "same".</summary>
    public string Padding { get; }
    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        var (h, w, c) = PoolingArgs.Hwc(inputShape, DataFormat);
        return PoolingArgs.Shape(ConvGeometry.OutputLength(h, PoolSize.Height, Strides.Height, Padding),
            ConvGeometry.OutputLength(w, PoolSize.Width, Strides.Width, Padding), c, DataFormat);
    }

    /// <summary>Prepares geometry and output for a batch (NHWC internally).</summary>
    private protected void Prepare(Tensor inputs)
    {
        CheckInput(inputs);
        Input = DataFormat == "channels_first" ? ChannelsFirst.ToNhwc(inputs) : inputs;
        var (h, w, c) = PoolingArgs.Hwc(InputShape!, DataFormat);
        Geo = ConvGeometry.Create(inputs.BatchSize, h, w, c, PoolSize.Height, PoolSize.Width, Strides.Height, Strides.Width, Padding);
        Output = Tensor.Ensure(Output, inputs.BatchSize, Geo.OutH, Geo.OutW, c);
    }

    private protected Tensor Result() => DataFormat == "channels_first" ? ChannelsFirst.ToNchw(Output!) : Output!;

    private protected void CheckTrainable()
    {
        if (DataFormat == "channels_first") throw new KerasNetException($"Layer '{Name}': training with channels_first is not supported.");
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
