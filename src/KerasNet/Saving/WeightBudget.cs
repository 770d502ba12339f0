#nullable enable
using KerasNet.Engine;

namespace KerasNet.Saving;

/// <summary>
/// The allocation guard of config loading: while a model is created from a config, every weight a layer creates is
/// counted before its memory is allocated (<see cref="Charge"/> runs first in the Variable constructor) and refused
/// once the total exceeds what the file can hold, so a corrupt config cannot make us allocate gigabytes. Because the
/// check sits where weights are born, it covers every layer class, nested models included, without per-class code.
/// Outside a <see cref="Begin"/> scope it does nothing. The scope is per thread: configs load on the calling thread.
/// </summary>
internal sealed class WeightBudget : IDisposable
{
    [ThreadStatic] private static WeightBudget? _current;

    private readonly string _source;
    private readonly long _limit, _byteLimit;
    private long _left, _bytesLeft;
    private string? _layer;

    private WeightBudget(long limit, string source)
    {
        _limit = _left = limit;
        // The memory budget (KerasLimits.MaxModelBytes) too: a weight takes its value and its gradient buffer.
        _byteLimit = _bytesLeft = KerasContext.Current.Limits.MaxModelBytes;
        _source = source;
    }

    /// <summary>
    /// Starts counting for one config load. A scope already open on this thread (a nested model's config) keeps
    /// counting against the outer budget, so the returned scope then does nothing.
    /// </summary>
    public static IDisposable Begin(long limit, string source)
    {
        if (_current != null) return Nested.Instance;
        return _current = new WeightBudget(limit, source);
    }

    /// <summary>Names the layer whose weights are created next, for the refusal message.</summary>
    public static void Building(Layers.Layer layer)
    {
        if (_current != null) _current._layer = layer.Name;
    }

    /// <summary>Counts a weight about to be allocated; throws when the config declares more than the budget.</summary>
    public static void Charge(string weightName, int[] shape)
    {
        var b = _current;
        if (b == null) return;
        long size = 1;
        foreach (int d in shape)
        {
            // Saturate instead of overflowing: any size beyond the budget is refused the same way.
            size = d < 0 || size > long.MaxValue / Math.Max(1, d) ? long.MaxValue : size * d;
        }
        if (size > b._left)
            throw new ModelConfigException(
                $"{b._source}: layer '{b._layer ?? "?"}' declares weight '{weightName}' of shape {ShapeUtil.Format(shape)}, which brings the model to more weights than the file or the {b._limit}-weight limit allows: the config is corrupt.");
        b._left -= size;
        long bytes = size > long.MaxValue / MemoryBudget.BytesPerWeight ? long.MaxValue : size * MemoryBudget.BytesPerWeight;
        if (bytes > b._bytesLeft)
            throw new ModelConfigException(
                $"{b._source}: layer '{b._layer ?? "?"}' declares weight '{weightName}' of shape {ShapeUtil.Format(shape)}, {MemoryBudget.Bytes(bytes)} with its gradient buffer, which brings the model's weights past the memory budget of {MemoryBudget.Bytes(b._byteLimit)} {MemoryBudget.HowToRaise}.");
        b._bytesLeft -= bytes;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (ReferenceEquals(_current, this)) _current = null;
    }

    private sealed class Nested : IDisposable
    {
        public static readonly Nested Instance = new();
        public void Dispose() { }
    }
}
