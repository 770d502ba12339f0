#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Concatenates a list of inputs along one axis, as <c>keras.layers.Concatenate</c>. The inputs have the same rank
/// and the same dimensions except along <see cref="Axis"/>, where the output's dimension is their sum (tf.keras
/// 2.4's shape check; anything else is a <see cref="ShapeMismatchException"/> naming the layer and the shapes).
/// The gradient of each input is its slice of the output's gradient. Config: <c>{"name", "trainable", "dtype", "axis"}</c>.
/// </summary>
[KerasLayer("Concatenate")]
public sealed partial class Concatenate : Merge
{
    private int _outer;       // product of the per-sample dimensions before the axis
    private int[] _chunks = []; // per input: its dimension along the axis times the product of the dimensions after it
    private int _outChunk;

    /// <summary>Creates the layer.</summary>
    /// <param name="axis">The axis to concatenate along, counted as Keras counts it, batch included: -1 (the default)
    /// is the last axis, 1 the first per-sample axis; negative values count from the end (-rank..-1). The batch axis
    /// (0, or -rank) is not accepted.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>concatenate</c>, <c>concatenate_1</c>, ...).</param>
    /// <param name="trainable">Keras's <c>trainable</c> flag (the layer has no weights; it is kept in the config).</param>
    public Concatenate(int axis = -1, string? name = null, bool trainable = true) : base(name, trainable) => Axis = axis;

    /// <summary>The layer of a Keras config (axis -1 when absent).</summary>
    internal static Concatenate FromConfig(LayerConfigReader c) => new(c.OptionalInt("axis") ?? -1, c.Name, c.Bool(true, "trainable"));

    /// <summary>Keras's <c>axis</c>, as given (batch axis included in the count).</summary>
    public int Axis { get; }

    /// <summary>The per-sample axis (0 = the first dimension after the batch) for inputs of per-sample rank <paramref name="rank"/>.</summary>
    private int SampleAxis(int rank, IReadOnlyList<int[]> shapes)
    {
        int full = rank + 1, a = Axis < 0 ? Axis + full : Axis;
        if (a < 0 || a >= full)
            throw new ShapeMismatchException($"Layer '{Name}' (Concatenate): axis {Axis} is out of range for inputs of rank {full} (batch included). Got inputs shapes: {FormatShapes(shapes)}.");
        if (a == 0)
            throw new KerasNetException($"Layer '{Name}' (Concatenate): concatenating along the batch axis (axis={Axis}) is not supported; use axis 1..{rank} or -1..-{rank}.");
        return a - 1;
    }

    private protected override int[] MergedShape(IReadOnlyList<int[]> inputShapes)
    {
        int rank = inputShapes[0].Length;
        int p = SampleAxis(rank, inputShapes);
        var output = (int[])inputShapes[0].Clone();
        for (int i = 1; i < inputShapes.Count; i++)
        {
            var s = inputShapes[i];
            bool match = s.Length == rank;
            for (int d = 0; match && d < rank; d++) match = d == p || s[d] == output[d];
            if (!match)
                throw new ShapeMismatchException(
                    $"Layer '{Name}' (Concatenate) requires inputs with matching shapes except for the concat axis (axis={Axis}). Got inputs shapes: {FormatShapes(inputShapes)}.");
            output[p] += s[p];
        }
        return output;
    }

    private protected override void OnBuild(IReadOnlyList<int[]> inputShapes, int[] outputShape)
    {
        int p = SampleAxis(outputShape.Length, inputShapes);
        _outer = ShapeUtil.Product(outputShape.AsSpan(0, p));
        int inner = ShapeUtil.Product(outputShape.AsSpan(p + 1));
        _chunks = inputShapes.Select(s => s[p] * inner).ToArray();
        _outChunk = outputShape[p] * inner;
    }

    // Each sample's inputs copied side by side.
    internal override int InferenceInvariantSamples => int.MaxValue;

    internal override void ForwardNode(CallContext ctx)
    {
        CheckInputs(ctx);
        var ins = ctx.Inputs;
        var output = ctx.Scratch(CallContext.OutputSlot, ins[0].BatchSize, OutputShape!);
        var dst = output.Span;
        int rows = ins[0].BatchSize * _outer, offset = 0;
        for (int i = 0; i < ins.Length; i++)
        {
            var src = ins[i].Span;
            int c = _chunks[i];
            for (int r = 0; r < rows; r++) src.Slice(r * c, c).CopyTo(dst.Slice(r * _outChunk + offset, c));
            offset += c;
        }
        ctx.Outputs[0] = output;
    }

    internal override void BackwardNode(CallContext ctx, ReadOnlySpan<Tensor> gradOutputs, bool needInputGrads, GradientSink sink)
    {
        var grads = ctx.InputGrads;
        if (!needInputGrads) { Array.Clear(grads); return; }
        var state = ctx.StateOf<GradState>();
        if (state.Grads.Length != grads.Length) state.Grads = new Tensor?[grads.Length];
        var g = gradOutputs[0].Span;
        int batch = gradOutputs[0].BatchSize, rows = batch * _outer, offset = 0;
        for (int i = 0; i < grads.Length; i++)
        {
            var gi = state.Grads[i] = Tensor.EnsureBatch(state.Grads[i], batch, InputShapes![i]);
            var dst = gi.Span;
            int c = _chunks[i];
            for (int r = 0; r < rows; r++) g.Slice(r * _outChunk + offset, c).CopyTo(dst.Slice(r * c, c));
            offset += c;
            grads[i] = gi;
        }
    }

    private sealed class GradState
    {
        public Tensor?[] Grads = [];
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = Axis;
        return c;
    }
}
