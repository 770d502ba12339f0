#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Gives each sample a new shape of the same size, as <c>keras.layers.Reshape</c>: a view of the input in its row-major
/// order (no copy, forward or backward). One dimension of <see cref="TargetShape"/> may be -1, inferred from the
/// input's size. Config: <c>{"target_shape": [...]}</c> (as given, -1 included).
/// </summary>
[KerasLayer("Reshape")]
public sealed class Reshape : Layer
{
    private readonly int[] _target;

    /// <summary>Creates the layer.</summary>
    /// <param name="targetShape">The per-sample output shape, e.g. (3, 4) or (-1, 2): positive sizes and at most one -1.</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>reshape</c>, ...).</param>
    public Reshape(Shape targetShape, Shape? inputShape = null, string? name = null) : base(name, inputShape)
    {
        _target = (int[])(targetShape.Dims ?? throw new KerasNetException("Reshape: target_shape is required.")).Clone();
        if (_target.Length == 0) throw new KerasNetException("Reshape: target_shape must have at least one dimension.");
        if (_target.Count(d => d == -1) > 1)
            throw new KerasNetException($"Reshape: the target_shape argument must not contain more than one -1 value. Received: target_shape={ShapeUtil.Format(_target)}.");
        if (_target.Any(d => d == 0 || d < -1))
            throw new KerasNetException($"Reshape: target_shape dimensions must be positive or -1, got {ShapeUtil.Format(_target)}.");
    }

    /// <summary>The layer of a Keras config (Keras 1, 2 and 3 write target_shape alike).</summary>
    internal static Reshape FromConfig(LayerConfigReader c) =>
        new(c.IntList("target_shape") ?? throw c.Error("missing field 'target_shape'."), name: c.Name);

    /// <summary>The target shape as given (a -1 kept).</summary>
    public IReadOnlyList<int> TargetShape => _target;

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape)
    {
        long size = 1, known = 1;
        foreach (var d in inputShape) size *= d;
        foreach (var d in _target) if (d != -1) known *= d;
        var output = (int[])_target.Clone();
        int unknown = Array.IndexOf(output, -1);
        bool fits = unknown >= 0 ? size % known == 0 : size == known;
        if (!fits)
            throw new ShapeMismatchException($"Layer '{Name}' (Reshape): total size of new array must be unchanged, input_shape = [{string.Join(", ", inputShape)}], output_shape = [{string.Join(", ", _target)}].");
        if (unknown >= 0) output[unknown] = (int)(size / known);
        return LayerShapes.Output(this, inputShape, output, $"target_shape={ShapeUtil.Format(_target)}");
    }

    // A view of the input.
    internal override int InferenceInvariantSamples => int.MaxValue;

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        return ctx.View = Tensor.ViewOfBatch(ctx.View, inputs, inputs.BatchSize, OutputShape!);
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink) =>
        needInputGrad ? ctx.GradView = Tensor.ViewOfBatch(ctx.GradView, gradOutput, gradOutput.BatchSize, InputShape!) : null;

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["target_shape"] = IntArray(_target);
        return c;
    }
}
