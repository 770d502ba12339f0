#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

// Masks of the merge layers, as tf.keras 2.4's merge.py: _Merge supports masking and its compute_mask is the logical
// and of the inputs' masks (an unmasked input counts as all true); Concatenate's keeps the masks with their timesteps
// (and along the last axis, again an and); Dot's is None.
public abstract partial class Merge
{
    /// <summary>Merge layers take masks (tf.keras 2.4's _Merge sets supports_masking).</summary>
    public override bool SupportsMasking => true;

    /// <summary>
    /// tf.keras 2.4's <c>_Merge.compute_mask</c>: <c>all(concatenate([expand_dims(m, 0) for m in masks if m is not
    /// None], 0), 0)</c>, the element-wise and of the masks given; null when no input has one.
    /// </summary>
    /// <exception cref="ShapeMismatchException">Two masks of different shapes (Keras cannot stack them either).</exception>
    internal override void ComputeMasks(CallContext ctx)
    {
        var ins = ctx.InputMasks;
        Tensor? first = null;
        int count = 0;
        foreach (var m in ins)
        {
            if (m is null) continue;
            if (first != null && !ShapeUtil.Equal(first.Shape, m.Shape))
                throw new ShapeMismatchException($"Layer '{Name}' ({ClassName}) cannot combine input masks of shapes {ShapeUtil.Format(first.Shape)} and {ShapeUtil.Format(m.Shape)}.");
            first ??= m;
            count++;
        }
        ctx.OutputMasks[0] = count <= 1 ? first : And(ctx, ins, first!);
    }

    /// <summary>The element-wise product (and, on 0/1 values) of the non-null masks, in a mask buffer of the call.</summary>
    private protected static Tensor And(CallContext ctx, ReadOnlySpan<Tensor?> masks, Tensor first)
    {
        var output = ctx.MaskScratch(0, first.Shape);
        first.Span.CopyTo(output.Span);
        bool skipped = false;
        foreach (var m in masks)
        {
            if (m is null) continue;
            if (!skipped && ReferenceEquals(m, first)) { skipped = true; continue; }
            System.Numerics.Tensors.TensorPrimitives.Multiply(output.Span, m.Span, output.Span);
        }
        return output;
    }
}

public sealed partial class Dot
{
    /// <summary>tf.keras 2.4's <c>Dot.compute_mask</c>: the dot product of masked inputs has no mask.</summary>
    internal override void ComputeMasks(CallContext ctx) => ctx.OutputMasks[0] = null;
}

public sealed partial class Concatenate
{
    /// <summary>
    /// tf.keras 2.4's <c>Concatenate.compute_mask</c>: each input's mask, expanded to the input's rank (an unmasked
    /// input gives ones), is concatenated along the layer's axis and reduced with <c>all</c> over the last axis. Along
    /// the last axis that is the and of the masks; along another axis the masks are concatenated with their timesteps.
    /// </summary>
    /// <exception cref="KerasNetException">
    /// Along an axis other than the last, masked and unmasked inputs whose last dimension is not 1: Keras's
    /// concatenation of a (…, 1) mask with a (…, features) block of ones fails there too.
    /// </exception>
    internal override void ComputeMasks(CallContext ctx)
    {
        var ins = ctx.InputMasks;
        int masked = 0;
        Tensor? first = null;
        foreach (var m in ins) if (m != null) { masked++; first ??= m; }
        var outs = ctx.OutputMasks;
        if (masked == 0) { outs[0] = null; return; }
        int rank = OutputShape!.Length, p = SampleAxis(rank, InputShapes!);
        if (p == rank - 1)
        {
            outs[0] = masked == 1 ? first : And(ctx, ins, first!);
            return;
        }
        for (int i = 0; i < ins.Length; i++)
            if (ins[i] is null && InputShapes![i][^1] != 1)
                throw new KerasNetException(
                    $"Layer '{Name}' (Concatenate): input {i} has no mask but others do; tf.keras cannot concatenate their masks along axis {Axis} (it would join a (..., 1) mask with (..., {InputShapes[i][^1]}) ones). Mask every input or none.");
        // Masks are shaped as their inputs without the last axis: concatenate them along per-sample axis p.
        int batch = ctx.Inputs[0].BatchSize;
        Span<int> maskShape = stackalloc int[rank];
        maskShape[0] = batch;
        for (int d = 0; d < rank - 1; d++) maskShape[d + 1] = OutputShape[d];
        var output = ctx.MaskScratch(0, maskShape);
        int outer = batch * ShapeUtil.Product(OutputShape.AsSpan(0, p)), inner = ShapeUtil.Product(OutputShape.AsSpan(p + 1, rank - 2 - p));
        int outChunk = OutputShape[p] * inner, offset = 0;
        var dst = output.Span;
        for (int i = 0; i < ins.Length; i++)
        {
            int chunk = InputShapes![i][p] * inner;
            for (int r = 0; r < outer; r++)
            {
                var to = dst.Slice(r * outChunk + offset, chunk);
                if (ins[i] is { } m) m.Span.Slice(r * chunk, chunk).CopyTo(to);
                else to.Fill(1f);
            }
            offset += chunk;
        }
        outs[0] = output;
    }
}
