#nullable enable
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Multiplies a list of inputs element-wise, as <c>keras.layers.Multiply</c>: <c>Multiply().Apply(a, b, ...)</c> is
/// <c>a * b * ...</c>. The inputs have the same shape, or shapes that broadcast as in <see cref="ElementwiseMerge"/>.
/// The gradient of each input is the output's gradient times the product of the other inputs.
/// Config: <c>{"name", "trainable", "dtype"}</c>.
/// </summary>
[KerasLayer("Multiply")]
public sealed class Multiply : ElementwiseMerge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>multiply</c>, <c>multiply_1</c>, ...).</param>
    /// <param name="trainable">Keras's <c>trainable</c> flag (the layer has no weights; it is kept in the config).</param>
    public Multiply(string? name = null, bool trainable = true) : base(name, trainable) { }

    // One IEEE operation per element, in input order: the same bits in a vector lane and in a scalar tail.
    internal override int InferenceInvariantSamples => int.MaxValue;

    private protected override void Combine(Span<float> acc, ReadOnlySpan<float> x, int index, State state) => TensorPrimitives.Multiply(acc, x, acc);

    private protected override void InputGradients(CallContext ctx, Tensor gradOutput, State state)
    {
        var ins = ctx.Inputs;
        for (int i = 0; i < ins.Length; i++)
        {
            var local = LocalGradient(ctx, i, state, gradOutput.BatchSize);
            gradOutput.Span.CopyTo(local.Span);
            for (int j = ins.Length - 1; j >= 0; j--)
                if (j != i) MultiplyBy(local.Span, ins[j], j);
            ctx.InputGrads[i] = Reduced(local, i, state);
        }
    }
}
