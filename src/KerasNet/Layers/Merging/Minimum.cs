#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// The element-wise minimum of a list of inputs, as <c>keras.layers.Minimum</c>: folded left to right with
/// <c>tf.minimum</c>. The inputs have the same shape, or shapes that broadcast as in <see cref="ElementwiseMerge"/>.
/// Each output element's gradient goes to one input: TensorFlow's <c>tf.minimum(x, y)</c> gives it to <c>x</c> where
/// <c>x &lt;= y</c>, so over the fold it goes to the first input holding the minimum (ties go to the earliest input,
/// never split). Config: <c>{"name", "trainable", "dtype"}</c>.
/// </summary>
public sealed class Minimum : ElementwiseMerge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>minimum</c>, <c>minimum_1</c>, ...).</param>
    /// <param name="trainable">Keras's <c>trainable</c> flag (the layer has no weights; it is kept in the config).</param>
    public Minimum(string? name = null, bool trainable = true) : base(name, trainable) { }

    private protected override void Combine(Span<float> acc, ReadOnlySpan<float> x, int index, State state) =>
        Select<LessEqual>(acc, x, index, state);

    private protected override void InputGradients(CallContext ctx, Tensor gradOutput, State state) => RouteToWinners(ctx, gradOutput, state);

    private struct LessEqual : IKeep
    {
        public readonly bool Keep(float acc, float x) => acc <= x;
    }
}
