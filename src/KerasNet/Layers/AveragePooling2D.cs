#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>Average pooling over 2-D windows; with 'same' padding only in-image pixels are averaged (TensorFlow).</summary>
public sealed class AveragePooling2D : Pooling2D
{
    /// <summary>Creates the layer (pool 2x2, strides = pool size, 'valid' by default).</summary>
    public AveragePooling2D(Size2? poolSize = null, Size2? strides = null, string padding = "valid",
        string dataFormat = "channels_last", Shape? inputShape = null, string? name = null)
        : base(poolSize, strides, padding, dataFormat, inputShape, name) { }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        Prepare(inputs);
        Backend.Current.AvgPoolForward(Geo, Input!.Buffer, Output!.Buffer);
        return Result();
    }

    /// <inheritdoc/>
    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        CheckTrainable();
        if (!needInputGrad) return null;
        GradIn = Tensor.Ensure(GradIn, Input!.Shape);
        Backend.Current.AvgPoolBackward(Geo, gradOutput.Buffer, GradIn.Buffer);
        return GradIn;
    }
}
