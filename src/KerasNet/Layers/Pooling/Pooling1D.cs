#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Max and average pooling over windows of steps, as tf.keras 2.4's Pooling1D: strides default to the pool size,
/// 'valid' drops incomplete windows, 'same' gives ceil(steps / strides) windows with TensorFlow's padding (the odd
/// pixel at the end; padding never wins a max and never counts in an average). Keras runs it as 2-D pooling of a
/// (steps, 1) image; here a channels_last sample is a 1 x steps image of its features and a channels_first sample
/// (features, steps) is `features` one-channel images, so the 2-D kernels run on the data as it lies.
/// </summary>
public abstract class Pooling1D : Layer
{
    private readonly bool _max;

    /// <summary>What a call keeps for backward: the window geometry of its batch and, for max pooling, the winners.</summary>
    private sealed class Saved
    {
        public ConvGeometry Geo;
        public int[] Argmax = [];
    }

    private protected Pooling1D(bool max, int poolSize, int? strides, string padding, string dataFormat, Shape? inputShape, string? name)
        : base(name, inputShape)
    {
        _max = max;
        PoolSize = LayerShapes.AtLeast(poolSize, 1, ClassName, "pool_size");
        Strides = LayerShapes.AtLeast(strides ?? poolSize, 1, ClassName, "strides");
        Padding = PoolingArgs.CheckPadding(padding, ClassName);
        DataFormat = LayerShapes.DataFormat(dataFormat, ClassName);
    }

    /// <summary>pool_size (2 when absent), strides, padding and data_format of a config; Keras 1's pool_length, stride, border_mode.</summary>
    private protected static (int Pool, int? Strides, string Padding, string DataFormat) ArgsOf(LayerConfigReader c) =>
        (c.Int1("pool_size", "pool_length") ?? 2, c.Int1("strides", "stride"), c.Padding(), c.DataFormat());

    /// <summary>Window length.</summary>
    public int PoolSize { get; }
    /// <summary>Steps between windows.</summary>
    public int Strides { get; }
    /// <summary>"valid" or "same".</summary>
    public string Padding { get; }
    /// <summary>"channels_last" ((steps, features) samples) or "channels_first" ((features, steps)).</summary>
    public string DataFormat { get; }

    private bool Last => DataFormat == "channels_last";

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        LayerShapes.Rank(this, inputShape, 2);
        int steps = Last ? inputShape[0] : inputShape[1], features = Last ? inputShape[1] : inputShape[0];
        int length = ConvGeometry.OutputLength(steps, PoolSize, Strides, Padding);
        return LayerShapes.Output(this, inputShape, Last ? [length, features] : [features, length], $"pool_size={PoolSize}");
    }

    private ConvGeometry Geometry(int batch)
    {
        var s = InputShape!;
        return Last
            ? ConvGeometry.Create(batch, 1, s[0], s[1], 1, PoolSize, 1, Strides, Padding)
            : ConvGeometry.Create(batch * s[0], 1, s[1], 1, 1, PoolSize, 1, Strides, Padding);
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        var saved = ctx.StateOf<Saved>();
        saved.Geo = Geometry(inputs.BatchSize);
        var output = ctx.Scratch(CallContext.OutputSlot, inputs.BatchSize, OutputShape!);
        if (!_max) Backend.Current.AvgPoolForward(saved.Geo, inputs.Buffer, output.Buffer);
        else
        {
            if (ctx.Training && saved.Argmax.Length < output.Length) saved.Argmax = new int[output.Length];
            Backend.Current.MaxPoolForward(saved.Geo, inputs.Buffer, output.Buffer, ctx.Training ? saved.Argmax : []);
        }
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        if (!needInputGrad) return null;
        var saved = ctx.StateOf<Saved>();
        var gradIn = ctx.Scratch(CallContext.GradInSlot, gradOutput.BatchSize, InputShape!);
        if (_max) Backend.Current.MaxPoolBackward(saved.Geo, gradOutput.Buffer, saved.Argmax, gradIn.Buffer);
        else Backend.Current.AvgPoolBackward(saved.Geo, gradOutput.Buffer, gradIn.Buffer);
        return gradIn;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        // tf.keras 2.4's Pooling1D.get_config order: strides before pool_size.
        var c = base.GetConfig();
        c["strides"] = IntArray(Strides);
        c["pool_size"] = IntArray(PoolSize);
        c["padding"] = Padding;
        c["data_format"] = DataFormat;
        return c;
    }
}
