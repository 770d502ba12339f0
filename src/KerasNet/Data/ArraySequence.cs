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
    private readonly int[]? _batchOrder; // shuffle="batch": which block of consecutive samples each batch is
    private readonly Random? _rng;
    private readonly Tensor? _sw;
    // Full batches and the short last one use tensors of their own, so neither is re-shaped (allocated) per step.
    private readonly Tensor[] _bx, _bxShort;
    private readonly Tensor[]? _by, _byShort;
    private Tensor? _bsw, _bswShort;

    /// <summary>Creates the sequence; x and y are (samples, ...) and must have the same number of samples.</summary>
    /// <param name="x">The inputs, samples first.</param>
    /// <param name="y">The targets, samples first; null for inputs only (prediction).</param>
    /// <param name="batchSize">Samples per batch (Keras's default 32); the last batch may be short.</param>
    /// <param name="shuffle">Whether to shuffle the samples at each epoch (default false).</param>
    /// <param name="seed">The shuffle seed; null draws from the context's "shuffle" stream.</param>
    /// <param name="sampleWeight">One weight per sample (or per sample and timestep), travelling with the samples; null
    /// for none.</param>
    public ArraySequence(Tensor x, Tensor? y, int batchSize = 32, bool shuffle = false, int? seed = null, Tensor? sampleWeight = null)
        : this([x], y is null ? null : [y], batchSize, shuffle, seed, sampleWeight) { }

    /// <summary>
    /// Batches of several input (and target) arrays with the same number of samples, for multi-input/output models;
    /// <paramref name="sampleWeight"/> (samples, or samples x timesteps) travels with the samples as each batch's
    /// <see cref="Batch.SampleWeight"/>.
    /// </summary>
    /// <param name="x">The inputs, samples first (one tensor per model input).</param>
    /// <param name="y">The targets, samples first (one per output); null for inputs only (prediction).</param>
    /// <param name="batchSize">Samples per batch (Keras's default 32); the last batch may be short.</param>
    /// <param name="shuffle">Whether to shuffle the samples at each epoch (default false).</param>
    /// <param name="seed">The shuffle seed; null draws from the context's "shuffle" stream.</param>
    /// <param name="sampleWeight">One weight per sample (or per sample and timestep), travelling with the samples; null
    /// for none.</param>
    public ArraySequence(Tensor[] x, Tensor[]? y, int batchSize = 32, bool shuffle = false, int? seed = null, Tensor? sampleWeight = null)
        : this(x, y, batchSize, shuffle, batchWise: false, seed, sampleWeight) { }

    /// <summary>
    /// As the public constructor; <paramref name="batchWise"/> is Keras's <c>shuffle="batch"</c> (tf.keras 2.4's
    /// TensorLikeDataAdapter): batch k holds the k-th block of consecutive samples, the blocks are visited in a
    /// shuffled order and each block's rows are shuffled, anew every epoch.
    /// </summary>
    internal ArraySequence(Tensor[] x, Tensor[]? y, int batchSize, bool shuffle, bool batchWise, int? seed, Tensor? sampleWeight = null)
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
        _bxShort = new Tensor[x.Length];
        _by = y is null ? null : new Tensor[y.Length];
        _byShort = y is null ? null : new Tensor[y.Length];
        _order = Enumerable.Range(0, x[0].BatchSize).ToArray();
        if (shuffle && batchWise) _batchOrder = Enumerable.Range(0, Count).ToArray();
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
        int block = _batchOrder?[index] ?? index;
        int start = block * BatchSize, n = Math.Min(BatchSize, Samples - start);
        bool full = n == BatchSize;
        var bx = full ? _bx : _bxShort;
        var by = full ? _by : _byShort;
        for (int i = 0; i < _x.Length; i++) bx[i] = Gather(_x[i], bx[i], start, n);
        if (_y != null) for (int i = 0; i < _y.Length; i++) by![i] = Gather(_y[i], by[i], start, n);
        if (_sw is null) return new Batch(bx, by);
        var sw = full ? (_bsw = Gather(_sw, _bsw, start, n)) : (_bswShort = Gather(_sw, _bswShort, start, n));
        return new Batch(bx, by) { SampleWeight = sw };
    }

    private Tensor Gather(Tensor src, Tensor? dst, int start, int n)
    {
        int size = src.SampleSize;
        Span<int> shape = stackalloc int[src.Shape.Length];
        src.Shape.CopyTo(shape);
        shape[0] = n;
        dst = Tensor.Ensure(dst, (ReadOnlySpan<int>)shape);
        var from = src.Buffer.AsSpan();
        var to = dst.Buffer.AsSpan();
        for (int i = 0; i < n; i++)
            from.Slice(_order[start + i] * size, size).CopyTo(to.Slice(i * size, size));
        return dst;
    }

    /// <inheritdoc/>
    public void OnEpochEnd()
    {
        if (_shuffle) Shuffle();
    }

    private void Shuffle()
    {
        if (_batchOrder is null) { Permute(_order.AsSpan()); return; }
        Permute(_batchOrder);
        for (int b = 0; b < _batchOrder.Length; b++)
        {
            int start = b * BatchSize;
            Permute(_order.AsSpan(start, Math.Min(BatchSize, _order.Length - start)));
        }
    }

    private void Permute(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = _rng!.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
