#nullable enable
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// Averages a list of inputs element-wise, as <c>keras.layers.Average</c>: <c>Average().Apply(a, b, ...)</c> is
/// <c>(a + b + ...) / n</c>. The inputs have the same shape, or shapes that broadcast as in
/// <see cref="ElementwiseMerge"/>; each receives the output's gradient divided by n. Config: <c>{"name", "trainable", "dtype"}</c>.
/// </summary>
public sealed class Average : ElementwiseMerge
{
    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>average</c>, <c>average_1</c>, ...).</param>
    /// <param name="trainable">Keras's <c>trainable</c> flag (the layer has no weights; it is kept in the config).</param>
    public Average(string? name = null, bool trainable = true) : base(name, trainable) { }

    private protected override void Combine(Span<float> acc, ReadOnlySpan<float> x, int index, State state) => AddInto(acc, x);

    private protected override void Finish(Span<float> acc, int inputs) => TensorPrimitives.Divide(acc, (float)inputs, acc);

    private protected override void InputGradients(CallContext ctx, Tensor gradOutput, State state)
    {
        var share = ctx.Scratch(CallContext.GradOutSlot, gradOutput.BatchSize, OutputShape!);
        TensorPrimitives.Divide(gradOutput.Span, (float)ctx.Inputs.Length, share.Span);
        PassThrough(ctx, share, state);
    }
}
