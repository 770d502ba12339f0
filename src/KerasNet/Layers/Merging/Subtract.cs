#nullable enable
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Subtracts two inputs element-wise, as <c>keras.layers.Subtract</c>: <c>Subtract().Apply(a, b)</c> is
/// <c>a - b</c>. It takes exactly 2 inputs, of the same shape or shapes that broadcast as in
/// <see cref="ElementwiseMerge"/>. Config: <c>{"name", "trainable", "dtype"}</c>.
/// </summary>
[KerasLayer("Subtract")]
public sealed class Subtract : ElementwiseMerge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>subtract</c>, <c>subtract_1</c>, ...).</param>
    /// <param name="trainable">Keras's <c>trainable</c> flag (the layer has no weights; it is kept in the config).</param>
    public Subtract(string? name = null, bool trainable = true) : base(name, trainable) { }

    private protected override int MaxInputs => 2;

    // One IEEE operation per element, in input order: the same bits in a vector lane and in a scalar tail.
    internal override int InferenceInvariantSamples => int.MaxValue;

    private protected override void Combine(Span<float> acc, ReadOnlySpan<float> x, int index, State state) => TensorPrimitives.Subtract(acc, x, acc);

    private protected override void InputGradients(CallContext ctx, Tensor gradOutput, State state)
    {
        ctx.InputGrads[0] = Reduced(gradOutput, 0, state);
        var local = LocalGradient(ctx, 1, state, gradOutput.BatchSize);
        TensorPrimitives.Negate(gradOutput.Span, local.Span);
        ctx.InputGrads[1] = Reduced(local, 1, state);
    }
}
