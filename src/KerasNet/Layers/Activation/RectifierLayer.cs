#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// The rectifier layers (<see cref="ReLU"/>, <see cref="LeakyReLU"/>, <see cref="ThresholdedReLU"/>): Keras's
/// three spellings of one function, computed by one backend kernel that <see cref="Options"/> parameterises.
/// </summary>
public abstract class RectifierLayer : ElementwiseLayer
{
    /// <summary>Sets the common Keras arguments; the subclass sets <see cref="Options"/> once its own are checked.</summary>
    private protected RectifierLayer(Shape? inputShape, string? name) : base(inputShape, name) { }

    /// <summary>Slope, saturation and threshold as the kernel takes them.</summary>
    internal ReluOptions Options { get; private protected set; }

    // Lane-by-lane vector operations over the whole buffer (its tail loaded into a vector too): the same bits anywhere.
    internal override int InferenceInvariantSamples => int.MaxValue;

    private protected sealed override void Apply(CallContext ctx, Tensor x, Tensor y) => Backend.Current.Relu(x.Buffer, y.Buffer, x.Length, Options);

    private protected sealed override void Gradient(CallContext ctx, Tensor x, Tensor y, Tensor gradOut, Tensor gradIn) =>
        Backend.Current.ReluBackward(x.Buffer, gradOut.Buffer, gradIn.Buffer, x.Length, Options);
}
