#nullable enable
namespace KerasNet.Engine;

/// <summary>
/// An element-wise optimizer update for one weight tensor, given a contiguous range of its values and their
/// gradient. The fused dense backward pass calls it on each kernel row as soon as that row's gradient exists,
/// so the full weight gradient is never stored. Called from worker threads on disjoint ranges.
/// </summary>
internal interface IWeightUpdate
{
    /// <summary>Updates w = values[offset .. offset + w.Length) from its gradient g.</summary>
    void Update(int offset, Span<float> w, ReadOnlySpan<float> g);
}
