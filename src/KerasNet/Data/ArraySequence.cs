#nullable enable
using KerasNet.Engine;

namespace KerasNet.Data;

/// <summary>Batches over in-memory arrays (what <c>fit(x, y, batch_size, shuffle)</c> iterates), reshuffled per epoch.</summary>
public sealed class ArraySequence : IDataSequence
{
    private readonly Tensor[] _x;
    private readonly Tensor[]? _y;
    private readonly int[] _order;
    private readonly bool _shuffle;
    private readonly Random? _rng;
    private readonly Tensor[] _bx;
    private readonly Tensor[]? _by;
    private readonly Tensor? _sw;
    private Tensor? _bsw;

    /// <summary>Creates the sequence; x and y are (samples, ...) and must have the same number of samples.</summary>
    public ArraySequence(Tensor x, Tensor? y, int batchSize = 32, bool shuffle = false, int? seed = null, Tensor? sampleWeight = null)
        : this([x], y is null ? null : [y], batchSize, shuffle, seed, sampleWeight) { }

    /// <summary>
    /// Batches of several input (and target) arrays with the same number of samples, for multi-input/output models;
    /// <paramref name="sampleWeight"/> (samples, or samples x timesteps) travels with the samples as each batch's
    /// <see cref="Batch.SampleWeight"/>.
    /// </summary>
    public ArraySequence(Tensor[] x, Tensor[]? y, int batchSize = 32, bool shuffle = false, int? seed = null, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (batchSize <= 0) throw new KerasNetException($"batch_size must be positive, got {batchSize}.");
        if (x.Length == 0 || x.Any(t => t is null)) throw new KerasNetException("ArraySequence needs at least one input array.");
        foreach (var t in x.Concat(y ?? []))
            if (t is null || t.BatchSize != x[0].BatchSize)
                throw new ShapeMismatchException($"x has {x[0].BatchSize} samples but {(t is null ? "an array is null" : $"an array has {t.BatchSize}")}.");
        if (sampleWeight != null && sampleWeight.BatchSize != x[0].BatchSize)
            throw new ShapeMismatchException($"sample_weight has {sampleWeight.BatchSize} samples but x has {x[0].BatchSize}.");
        _x = x; _y = y; _sw = sampleWeight; BatchSize = batchSize; _shuffle = shuffle;
        _bx = new Tensor[x.Length];
        _by = y is null ? null : new Tensor[y.Length];
        _order = Enumerable.Range(0, x[0].BatchSize).ToArray();
        if (shuffle) { _rng = KerasRandom.For(seed, "shuffle"); Shuffle(); }
    }

    /// <summary>Samples per batch (the last batch may be smaller).</summary>
    public int BatchSize { get; }

    /// <inheritdoc/>
    public int Count => (Samples + BatchSize - 1) / BatchSize;

    /// <inheritdoc/>
    public int Samples => _x[0].BatchSize;

    /// <inheritdoc/>
    public Batch GetBatch(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index));
        int start = index * BatchSize, n = Math.Min(BatchSize, Samples - start);
        for (int i = 0; i < _x.Length; i++) _bx[i] = Gather(_x[i], _bx[i], start, n);
        if (_y != null) for (int i = 0; i < _y.Length; i++) _by![i] = Gather(_y[i], _by[i], start, n);
        if (_sw != null) _bsw = Gather(_sw, _bsw, start, n);
        return new Batch(_bx, _by) { SampleWeight = _sw is null ? null : _bsw };
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
