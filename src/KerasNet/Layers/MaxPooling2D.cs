#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>Max pooling over 2-D windows; the gradient goes to the first maximum of each window.</summary>
public sealed class MaxPooling2D : Pooling2D
{
    private int[] _argmax = Array.Empty<int>();

    /// <summary>Creates the layer (pool 2x2, strides = pool size, 'valid' by default).</summary>
    public MaxPooling2D(Size2? poolSize = null, Size2? strides = null, string padding = "valid",
        string dataFormat = "channels_last", Shape? inputShape = null, string? name = null)
        : base(poolSize, strides, padding, dataFormat, inputShape, name) { }

    /// <inheritdoc/>
    public override Tensor Call(Tensor inputs, bool training = false)
    {
        Prepare(inputs);
        if (training && _argmax.Length < Output!.Length) _argmax = new int[Output.Length];
        Backend.Current.MaxPoolForward(Geo, Input!.Buffer, Output!.Buffer, training ? _argmax : Array.Empty<int>());
        return Result();
    }

    /// <inheritdoc/>
    public override Tensor? Backward(Tensor gradOutput, bool needInputGrad)
    {
        CheckTrainable();
        if (!needInputGrad) return null;
        GradIn = Tensor.Ensure(GradIn, Input!.Shape);
        Backend.Current.MaxPoolBackward(Geo, gradOutput.Buffer, _argmax, GradIn.Buffer);
        return GradIn;
    }
}
