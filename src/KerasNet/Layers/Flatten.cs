#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// Flattens each sample to one dimension. channels_last keeps the NHWC order (h, w, c); channels_first
/// flattens in (c, h, w) order, which is the sample's own memory order.
/// </summary>
public sealed class Flatten : Layer
{
    private Tensor? _view, _gradView;

    /// <summary>Creates the layer.</summary>
    public Flatten(string dataFormat = "channels_last", Shape? inputShape = null, string? name = null)
        : base(name, inputShape) => DataFormat = PoolingArgs.CheckDataFormat(dataFormat, "Flatten");

    /// <summary>"channels_last" or "channels_first".</summary>
    public string DataFormat { get; }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => [ShapeUtil.Product(inputShape)];

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        CheckInput(inputs);
        _view = Tensor.ViewOf(_view, inputs, [inputs.BatchSize, OutputShape![0]]);
        return _view;
    }

    /// <inheritdoc/>
    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        if (!needInputGrad) return null;
        _gradView = Tensor.ViewOfBatch(_gradView, gradOutput, gradOutput.BatchSize, InputShape!);
        return _gradView;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["data_format"] = DataFormat;
        return c;
    }
}
