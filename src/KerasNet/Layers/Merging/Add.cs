#nullable enable
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Adds a list of inputs element-wise, as <c>keras.layers.Add</c>: <c>Add().Apply(a, b, ...)</c> is
/// <c>a + b + ...</c>. The inputs have the same shape, or shapes that broadcast as in <see cref="ElementwiseMerge"/>
/// (a dimension of size 1 or a missing leading dimension); every input receives the output's gradient, summed over
/// the dimensions it was broadcast along. Config: <c>{"name", "trainable", "dtype"}</c>.
/// </summary>
[KerasLayer("Add")]
public sealed class Add : ElementwiseMerge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>add</c>, <c>add_1</c>, ...).</param>
    /// <param name="trainable">Keras's <c>trainable</c> flag (the layer has no weights; it is kept in the config).</param>
    public Add(string? name = null, bool trainable = true) : base(name, trainable) { }

    // One IEEE operation per element, in input order: the same bits in a vector lane and in a scalar tail.
    internal override int InferenceInvariantSamples => int.MaxValue;

    private protected override void Combine(Span<float> acc, ReadOnlySpan<float> x, int index, State state) => AddInto(acc, x);

    private protected override void InputGradients(CallContext ctx, Tensor gradOutput, State state) => PassThrough(ctx, gradOutput, state);
}
