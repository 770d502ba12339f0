#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// What LayerNormalization and UnitNormalization share: each sample is normalised over <see cref="Axis"/>
/// independently of the others. The loops see [rows, features] with the normalised axes last; when they are not the
/// trailing axes of the sample, each sample is permuted first (the other axes first, these last, in order) and the
/// result permuted back.
/// </summary>
public abstract class RowNormalization : Layer
{
    /// <summary>Per-call state: two values per row (the subclass's statistics) and the permuted copies.</summary>
    private protected sealed class Saved
    {
        public float[] RowA = [], RowB = [];
        public Tensor? PermX, PermY, PermDy, PermDx;

        public void Ensure(int rows)
        {
            if (RowA.Length < rows) (RowA, RowB) = (new float[rows], new float[rows]);
        }
    }

    /// <summary>Keeps the axis (as given) and the common arguments.</summary>
    private protected RowNormalization(AxisSpec axis, Shape? inputShape, string? name, bool trainable) : base(name, inputShape, trainable)
    {
        if (axis.Values.Count == 0) throw new KerasNetException($"{ClassName} '{Name}': axis is an empty list.");
        Axis = axis;
    }

    /// <summary>The axis or axes normalised over, as given (Keras counts the batch as 0; negative from the end).</summary>
    public AxisSpec Axis { get; }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    internal NormalizedAxes? Layout { get; private set; }

    private bool Permuted => !(Layout!.Contiguous && Layout.After == 1);

    /// <summary>Resolves the axes, then lets the subclass add its weights.</summary>
    /// <param name="inputShape">The per-sample input shape (without the batch axis), as Keras's
    /// <c>build(input_shape)</c> minus the batch dimension.</param>
    public override void Build(int[] inputShape)
    {
        Layout = NormalizedAxes.Resolve(this, Axis, inputShape);
        BuildWeights(Layout);
        base.Build(inputShape);
    }

    /// <summary>Adds the subclass's weights for the resolved axes.</summary>
    private protected virtual void BuildWeights(NormalizedAxes layout) { }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

    /// <summary>Normalises [rows, features] x into y, keeping per-row statistics in the state's RowA/RowB.</summary>
    private protected abstract void ForwardRows(IBackend be, Saved s, Tensor x, int rows, int features, Tensor y);

    /// <summary>Back-propagates [rows, features] dy into dx (null: not wanted) and the weights' gradients.</summary>
    private protected abstract void BackwardRows(IBackend be, Saved s, Tensor dy, Tensor x, Tensor y, int rows, int features, Tensor? dx, GradientSink sink);

    private Tensor ToLast(IBackend be, Tensor src, ref Tensor? dst)
    {
        dst = Tensor.EnsureBatch(dst, src.BatchSize, Layout!.PermutedShape);
        be.PermuteSamples(src.Buffer, src.BatchSize, Layout.SampleShape, Layout.ToLast, dst.Buffer);
        return dst;
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor input)
    {
        CheckInput(input);
        var s = ctx.StateOf<Saved>();
        var be = Backend.Current;
        int features = Layout!.Size, rows = input.Length / features;
        s.Ensure(rows);
        var output = ctx.Scratch(CallContext.OutputSlot, input.Shape);
        if (!Permuted)
        {
            ForwardRows(be, s, input, rows, features, output);
            return output;
        }
        var x = ToLast(be, input, ref s.PermX);
        var y = s.PermY = Tensor.Ensure(s.PermY, (ReadOnlySpan<int>)x.Shape);
        ForwardRows(be, s, x, rows, features, y);
        be.PermuteSamples(y.Buffer, input.BatchSize, Layout.PermutedShape, Layout.FromLast, output.Buffer);
        return output;
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        var s = ctx.StateOf<Saved>();
        var be = Backend.Current;
        int features = Layout!.Size, rows = gradOutput.Length / features;
        var gradIn = needInputGrad ? ctx.Scratch(CallContext.GradInSlot, gradOutput.Shape) : null;
        if (!Permuted)
        {
            BackwardRows(be, s, gradOutput, ctx.Inputs[0], ctx.Scratch(CallContext.OutputSlot, gradOutput.Shape), rows, features, gradIn, sink);
            return gradIn;
        }
        var dy = ToLast(be, gradOutput, ref s.PermDy);
        var dx = needInputGrad ? (s.PermDx = Tensor.Ensure(s.PermDx, (ReadOnlySpan<int>)dy.Shape)) : null;
        BackwardRows(be, s, dy, s.PermX!, s.PermY!, rows, features, dx, sink);
        if (gradIn != null) be.PermuteSamples(dx!.Buffer, gradOutput.BatchSize, Layout.PermutedShape, Layout.FromLast, gradIn.Buffer);
        return gradIn;
    }

    /// <summary>The axis as tf.keras writes it: as given before build, a list of non-negative axes once built.</summary>
    private protected JsonNode AxisJson() => Built ? IntArray(Layout!.KerasAxes) : Axis.ToJson();

    /// <summary>The axis as Keras 3 writes it once built (as given; a single axis becomes a list of one when <paramref name="asList"/>).</summary>
    private protected JsonNode Keras3AxisJson(bool asList) => asList && !Axis.IsList ? IntArray([.. Axis.Values]) : Axis.ToJson();
}
