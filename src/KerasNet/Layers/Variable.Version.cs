#nullable enable
namespace KerasNet.Layers;

// The change counter of a weight: what caches derived from its values (a BatchNormalization's folded inference
// scale and shift) compare to know they are stale.
public sealed partial class Variable
{
    private long _version;

    /// <summary>
    /// Increases whenever KerasNet changes the values: <see cref="Assign"/> (SetWeights, LoadWeights), an
    /// optimizer's update, a BatchNormalization's moving statistics in a training call. Caches derived from the values
    /// compare it. Code that writes <see cref="Value"/> directly should call <see cref="MarkChanged"/> afterwards (a
    /// BatchNormalization's fold also compares values, but caches of larger weights, such as a folded kernel, may not).
    /// </summary>
    internal long Version => Volatile.Read(ref _version);

    /// <summary>
    /// Records that the values changed, so caches derived from them (a BatchNormalization's folded scale and shift)
    /// are rebuilt. Call it after writing <see cref="Value"/> directly; KerasNet's own writes call it themselves.
    /// </summary>
    public void MarkChanged() => Interlocked.Increment(ref _version);
}
