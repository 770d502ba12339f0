#nullable enable
using KerasNet.Engine;

namespace KerasNet.Data;

/// <summary>Batches over in-memory arrays (what <c>fit(x, y, batch_size, shuffle)</c> iterates), reshuffled per epoch.</summary>
public sealed class ArraySequence : IDataSequence
{
    private readonly Tensor _x;
    private readonly Tensor? _y;
    private readonly int[] _order;
    private readonly bool _shuffle;
    private readonly Random? _rng;
    private Tensor? _bx, _by;

    /// <summary>Creates the sequence; x and y are (samples, ...) and must have the same number of samples.</summary>
    public ArraySequence(Tensor x, Tensor? y, int batchSize = 32, bool shuffle = false, int? seed = null)
    {
        if (batchSize <= 0) throw new KerasNetException($"batch_size must be positive, got {batchSize}.");
        if (y != null && y.BatchSize != x.BatchSize)
            throw new ShapeMismatchException($"x has {x.BatchSize} samples but y has {y.BatchSize}.");
        _x = x; _y = y; BatchSize = batchSize; _shuffle = shuffle;
        _order = Enumerable.Range(0, x.BatchSize).ToArray();
        if (shuffle) { _rng = KerasRandom.For(seed, "shuffle"); Shuffle(); }
    }

    /// <summary>Samples per batch (the last batch may be smaller).</summary>
    public int BatchSize { get; }

    /// <inheritdoc/>
    public int Count => (Samples + BatchSize - 1) / BatchSize;

    /// <inheritdoc/>
    public int Samples => _x.BatchSize;

    /// <inheritdoc/>
    public Batch GetBatch(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
        int start = index * BatchSize, n = Math.Min(BatchSize, Samples - start);
        _bx = Gather(_x, _bx, start, n);
        if (_y != null) _by = Gather(_y, _by, start, n);
        return new Batch(_bx, _y is null ? null : _by);
    }

    private Tensor Gather(Tensor src, Tensor? dst, int start, int n)
    {
        int size = src.SampleSize;
        var shape = (int[])src.Shape.Clone();
        shape[0] = n;
        dst = Tensor.Ensure(dst, shape);
        for (int i = 0; i < n; i++)
            src.Buffer.AsSpan(_order[start + i] * size, size).CopyTo(dst.Buffer.AsSpan(i * size, size));
        return dst;
    }

    /// <inheritdoc/>
    public void OnEpochEnd()
    {
        if (_shuffle) Shuffle();
    }

    private void Shuffle()
    {
        for (int i = _order.Length - 1; i > 0; i--)
        {
            int j = _rng!.Next(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }
}
