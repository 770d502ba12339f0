#nullable enable
using KerasNet.Engine;

namespace KerasNet.Data;

/// <summary>
/// A batch's inputs and targets as spans in the model's order, without an array per batch: <see cref="Batch.Xs"/> /
/// <see cref="Batch.Ys"/> when the model has several, else the one tensor held in the caller's <c>slot</c>
/// (a local that must outlive the span; <see cref="Batch"/>'s tensors are properties, so a span cannot point at them).
/// </summary>
internal static class BatchSpans
{
    /// <summary>Every input of <paramref name="b"/>.</summary>
    public static ReadOnlySpan<Tensor> Inputs(this in Batch b, ref Tensor slot)
    {
        slot = b.X;
        return b.Xs != null ? b.Xs : new ReadOnlySpan<Tensor>(ref slot);
    }

    /// <summary>Every target of <paramref name="b"/>; empty when the batch has none.</summary>
    public static ReadOnlySpan<Tensor> Targets(this in Batch b, ref Tensor slot)
    {
        if (b.Ys != null) return b.Ys;
        if (b.Y is null) return default;
        slot = b.Y;
        return new ReadOnlySpan<Tensor>(ref slot);
    }
}
