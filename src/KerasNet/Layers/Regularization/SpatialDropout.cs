#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Dropout of whole feature maps (SpatialDropout1D/2D/3D): one keep-or-drop draw per sample and channel, shared by
/// every position of that channel, kept channels scaled by 1 / (1 - rate). The identity at inference.
/// </summary>
public abstract class SpatialDropout : RandomNoiseLayer, IKeras3Config
{
    private readonly int?[] _noiseShape;

    /// <summary>Checks the arguments of a spatial dropout over <paramref name="spatialDims"/> positions axes.</summary>
    private protected SpatialDropout(double rate, string dataFormat, int? seed, int spatialDims, Shape? inputShape, string? name)
        : base(seed, "dropout", inputShape, name)
    {
        Rate = CheckRate(rate, ClassName);
        if (dataFormat is not ("channels_last" or "channels_first"))
            throw new KerasNetException($"{ClassName}: data_format must be 'channels_last' or 'channels_first', got '{dataFormat}'.");
        DataFormat = dataFormat;
        SpatialDims = spatialDims;
        // (batch, 1, ..., 1, channels) or (batch, channels, 1, ..., 1): null takes the input's size.
        _noiseShape = new int?[spatialDims + 2];
        for (int d = 1; d <= spatialDims; d++) _noiseShape[dataFormat == "channels_last" ? d : d + 1] = 1;
    }

    /// <summary>Fraction of the channels dropped.</summary>
    public double Rate { get; }

    /// <summary>'channels_last' (channels on the last axis) or 'channels_first'.</summary>
    public string DataFormat { get; }

    /// <summary>The number of position axes (1, 2 or 3).</summary>
    internal int SpatialDims { get; }

    /// <inheritdoc/>
    public override void Build(int[] inputShape)
    {
        if (inputShape.Length != SpatialDims + 1)
            throw new ShapeMismatchException($"Layer '{Name}' ({ClassName}) expects {SpatialDims + 2}-D inputs (batch included), got {ShapeUtil.FormatWithNone(inputShape)}.");
        base.Build(inputShape);
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        if (!ctx.Training || Rate == 0) return Identity(ctx, inputs);
        return DropoutCall(ctx, inputs, Rate, _noiseShape);
    }

    /// <summary>The data_format of a config: data_format, Keras 1's dim_ordering, else channels_last.</summary>
    private protected static string ReadDataFormat(LayerConfigReader c) => c.DataFormat();

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        // tf.keras 2.4's SpatialDropout writes Dropout's config (no data_format); a channels_first layer adds it, so it
        // reads back as it was (tf.keras accepts the argument).
        var c = base.GetConfig();
        c["rate"] = Rate;
        c["noise_shape"] = null;
        c["seed"] = Seed;
        if (DataFormat == "channels_first") c["data_format"] = DataFormat;
        return c;
    }

    /// <summary>Keras 3's config: rate, seed, name, dtype (and data_format past 1-D); its SpatialDropout takes no other argument.</summary>
    JsonObject IKeras3Config.GetKeras3Config()
    {
        var b = base.GetConfig();
        var c = new JsonObject { ["rate"] = Rate, ["seed"] = Seed, ["name"] = b["name"]?.DeepClone(), ["dtype"] = b["dtype"]?.DeepClone() };
        if (SpatialDims > 1) c["data_format"] = DataFormat;
        return c;
    }
}
