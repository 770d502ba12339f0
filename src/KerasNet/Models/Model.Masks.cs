#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Models;

// Masks and models. A model used as a layer takes its inputs' masks into its graph and gives back the masks of its
// outputs (tf.keras 2.4's Functional: supports_masking, compute_mask runs the graph; computed with the outputs).
// A model output that carries a mask weighs the loss and the metrics of that output, as tf.keras 2.4's compile_utils
// does (apply_mask: the mask becomes the sample weight of each (sample, timestep) row).
public partial class Model
{
    /// <summary>A model passes masks through its graph, as tf.keras 2.4's Functional and Sequential do.</summary>
    public override bool SupportsMasking => true;

    internal override bool MayCreateMask => Graph?.MayCreateMasks ?? false;

    /// <summary>The output masks of the inner graph evaluation of this call (made with the outputs).</summary>
    internal override void ComputeMasks(CallContext ctx)
    {
        var outs = ctx.OutputMasks;
        if (ctx.State is not GraphContext inner) { Array.Clear(outs); return; }
        for (int i = 0; i < outs.Length; i++) outs[i] = inner.OutputMask(i);
    }

    /// <summary>The loss of output <paramref name="o"/>, weighted by the sample weights and by that output's mask when it has one.</summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private double OutputLoss(GraphContext ctx, int o, Tensor yPred, Tensor yTrue, Tensor? grad, Tensor? logits, Tensor? sampleWeight)
    {
        var mask = ctx.OutputMask(o);
        if (mask is null) return _losses[o].Compute(yPred, yTrue, sampleWeight, grad, logits);
        var rows = ctx.MaskedRows ??= new MaskedRows();
        if (sampleWeight is null) return rows.Loss(_losses[o], mask, yPred, yTrue, grad, logits, o);
        // tf.keras's apply_mask: the mask multiplies the sample weights (a sample's weight spread over its timesteps).
        return _losses[o].Compute(yPred, yTrue, rows.Weights(mask, sampleWeight, yPred.BatchSize, o), grad, logits);
    }

    /// <summary>The rows of output <paramref name="o"/> and its targets that its mask keeps (all, without a mask).</summary>
    private static (Tensor Pred, Tensor True) MaskedRowsOf(GraphContext ctx, int o, Tensor yPred, Tensor yTrue)
    {
        var mask = ctx.OutputMask(o);
        if (mask is null) return (yPred, yTrue);
        var rows = ctx.MaskedRows ??= new MaskedRows();
        return rows.Gather(mask, yPred, yTrue, null, o);
    }
}

/// <summary>
/// tf.keras 2.4's masked loss: each row of an output (a sample, or a (sample, timestep) pair: every axis but the
/// last) has the mask as its sample weight, and the loss is <c>sum(mask * row_loss) / rows</c> (reduction
/// SUM_OVER_BATCH_SIZE divides by the number of rows, not by the mask's sum). Masks are 0/1, so this is the loss of
/// the kept rows alone times kept/rows, and its gradient is theirs times kept/rows (zero on masked rows); metrics
/// (weighted means over rows) are those of the kept rows. The kept rows are gathered into buffers reused call after
/// call, so any loss and metric work unchanged on them.
/// </summary>
internal sealed class MaskedRows
{
    private Tensor? _pred, _true, _logits, _grad;
    private int[] _kept = [];
    private int _count;

    /// <summary>The masked loss of one output (see the class remarks); writes the gradient when asked.</summary>
    public double Loss(Losses.Loss loss, Tensor mask, Tensor yPred, Tensor yTrue, Tensor? grad, Tensor? logits, int output)
    {
        var (p, t) = Gather(mask, yPred, yTrue, logits, output);
        int rows = mask.Length;
        if (_count == rows) return loss.Compute(yPred, yTrue, grad, logits);
        if (_count == 0)
        {
            grad?.Clear();
            return 0;
        }
        int c = yPred.Shape[^1];
        Tensor? g = grad is null ? null : _grad = Tensor.Ensure(_grad, (ReadOnlySpan<int>)p.Shape);
        double value = loss.Compute(p, t, g, logits is null ? null : _logits);
        // A "sum" reduction sums the kept rows; the mean of sum_over_batch_size counts the masked ones too.
        float scale = loss.Reduction == "sum" ? 1f : (float)_count / rows;
        if (grad != null)
        {
            grad.Clear();
            var src = g!.Span;
            var dst = grad.Span;
            for (int i = 0; i < _count; i++)
                System.Numerics.Tensors.TensorPrimitives.Multiply(src.Slice(i * c, c), scale, dst.Slice(_kept[i] * c, c));
        }
        return value * scale;
    }

    /// <summary>
    /// The rows the mask keeps, gathered (the tensors themselves when it keeps all). Valid until the next call.
    /// </summary>
    /// <exception cref="ShapeMismatchException">The mask does not have one value per row of the output.</exception>
    public (Tensor Pred, Tensor True) Gather(Tensor mask, Tensor yPred, Tensor yTrue, Tensor? logits, int output)
    {
        int c = yPred.Shape[^1], rows = yPred.Length / c;
        if (mask.Length != rows || yTrue.Length % rows != 0)
            throw new ShapeMismatchException(
                $"Model output {output} of shape {ShapeUtil.Format(yPred.Shape)} has a mask of shape {ShapeUtil.Format(mask.Shape)} and targets of shape {ShapeUtil.Format(yTrue.Shape)}: the mask needs one value per row (every axis but the last), as tf.keras weighs the loss with it.");
        if (_kept.Length < rows) _kept = new int[rows];
        _count = 0;
        var m = mask.Span;
        for (int r = 0; r < rows; r++) if (m[r] != 0) _kept[_count++] = r;
        if (_count == rows) return (yPred, yTrue);
        int tc = yTrue.Length / rows;
        // Targets keep their rank relative to the output: (rows, classes), or (rows, 1) for (batch, timesteps) ones.
        _pred = GatherRows(_pred, yPred, c);
        _true = GatherRows(_true, yTrue, tc);
        if (logits != null) _logits = GatherRows(_logits, logits, c);
        return (_pred, _true);
    }

    /// <summary>The mask times the sample weights, one value per row (a sample's weight repeated over its timesteps).</summary>
    public Tensor Weights(Tensor mask, Tensor sampleWeight, int batch, int output)
    {
        int rows = mask.Length;
        var w = _weights = Tensor.Ensure(_weights, rows);
        var m = mask.Span;
        var sw = sampleWeight.Span;
        int per = sw.Length == rows ? 1 : sw.Length == batch && rows % batch == 0 ? rows / batch
            : throw new ShapeMismatchException($"Model output {output}: sample weights of shape {ShapeUtil.Format(sampleWeight.Shape)} match neither its {batch} samples nor its {rows} masked rows.");
        for (int r = 0; r < rows; r++) w[r] = m[r] * sw[per == 1 ? r : r / per];
        return w;
    }

    private Tensor? _weights;

    private Tensor GatherRows(Tensor? into, Tensor source, int width)
    {
        var t = Tensor.Ensure(into, _count, width);
        var src = source.Span;
        var dst = t.Span;
        for (int i = 0; i < _count; i++) src.Slice(_kept[i] * width, width).CopyTo(dst.Slice(i * width, width));
        return t;
    }
}
