#nullable enable
using KerasNet.Data;
using KerasNet.Engine;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// The shared machinery of Keras's image iterators: an index order reshuffled at every epoch end, batches built by
/// loading each sample, augmenting it and standardising it, and the next batch prepared on a worker thread while
/// the caller trains on the current one. Batch tensors are reused (two sets, alternating).
/// Augmentation is repeatable: each epoch takes one seed from <c>KerasRandom.For(seed, "augment")</c>, and batch i of
/// that epoch draws its parameters from a generator seeded by (epoch seed, i), so the result does not depend on
/// threads or on the order in which batches are asked for.
/// </summary>
public abstract class ImageIterator : IDataSequence
{
    private readonly int[] _order;
    private readonly Random? _shuffleRng;
    private readonly Random _augmentRng;
    private int _epochSeed;
    private readonly Tensor?[] _x = new Tensor?[2], _y = new Tensor?[2];
    private int _lastSlot = 1;
    private Task<Batch>? _pending;
    private int _pendingIndex = -1;

    /// <summary>Sets up the order for <paramref name="samples"/> samples.</summary>
    /// <param name="generator">The generator whose augmentation and standardisation apply.</param>
    /// <param name="samples">The number of samples.</param>
    /// <param name="batchSize">Images per batch, positive.</param>
    /// <param name="shuffle">Whether to reshuffle every epoch.</param>
    /// <param name="seed">The shuffle seed; null draws from the context's "shuffle" stream.</param>
    protected ImageIterator(ImageDataGenerator generator, int samples, int batchSize, bool shuffle, int? seed)
    {
        if (batchSize <= 0) throw new KerasNetException($"batch_size must be positive, got {batchSize}.");
        Generator = generator; BatchSize = batchSize; Shuffle = shuffle;
        _order = Enumerable.Range(0, samples).ToArray();
        if (shuffle) { _shuffleRng = KerasRandom.For(seed, "shuffle"); Reshuffle(); }
        _augmentRng = KerasRandom.For(seed, "augment");
        _epochSeed = _augmentRng.Next();
    }

    /// <summary>The generator whose augmentation and standardisation apply.</summary>
    public ImageDataGenerator Generator { get; }

    /// <summary>Images per batch (the last may be smaller).</summary>
    public int BatchSize { get; }

    /// <summary>Whether the order is reshuffled every epoch.</summary>
    public bool Shuffle { get; }

    /// <summary>Prepare the next batch on a worker thread while the current one is used (default true).</summary>
    public bool Prefetch { get; set; } = true;

    /// <inheritdoc/>
    public int Samples => _order.Length;

    /// <summary>Steps per epoch: ceil(Samples / BatchSize).</summary>
    public int Count => (Samples + BatchSize - 1) / BatchSize;

    /// <summary>The sample indices of the current epoch, in batch order.</summary>
    public IReadOnlyList<int> IndexArray => _order;

    /// <summary>Total seconds spent building batches (loading, augmenting, standardising), on any thread.</summary>
    public double LoadSeconds => Interlocked.CompareExchange(ref _loadTicks, 0, 0) / (double)System.Diagnostics.Stopwatch.Frequency;
    private long _loadTicks;

    /// <summary>Seconds the caller waited in GetBatch (loading not hidden behind the model step).</summary>
    public double WaitSeconds => _waitTicks / (double)System.Diagnostics.Stopwatch.Frequency;
    private long _waitTicks;

    /// <summary>Shape of one sample, e.g. (H, W, C).</summary>
    protected abstract int[] SampleShape { get; }

    /// <summary>Writes sample <paramref name="index"/> as 0..255 (or raw) floats before augmentation.</summary>
    /// <param name="index">The sample's index in the listing.</param>
    /// <param name="dst">Where its H * W * C values go.</param>
    protected abstract void LoadSample(int index, Span<float> dst);

    /// <summary>The target tensor for the given samples (may reuse <paramref name="y"/>), or null for no targets.</summary>
    /// <param name="indices">The samples of the batch, in batch order.</param>
    /// <param name="x">The batch's images (the target for <c>class_mode="input"</c>).</param>
    /// <param name="y">The previous batch's target tensor, to reuse; null at first.</param>
    /// <returns>The batch's targets, or null for no targets.</returns>
    protected abstract Tensor? Targets(ReadOnlySpan<int> indices, Tensor x, Tensor? y);

    /// <inheritdoc/>
    public Batch GetBatch(int index)
    {
        if ((uint)index >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(index), $"batch {index} of a sequence with {Count} batches.");
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        Batch b;
        if (_pending != null && _pendingIndex == index)
        {
            var p = _pending;
            _pending = null;
            b = p.GetAwaiter().GetResult();
            _lastSlot = 1 - _lastSlot;
        }
        else
        {
            DiscardPending();
            _lastSlot = 1 - _lastSlot;
            b = Build(index, _lastSlot);
        }
        _waitTicks += System.Diagnostics.Stopwatch.GetTimestamp() - t0;
        if (Prefetch && index + 1 < Count)
        {
            int next = index + 1, slot = 1 - _lastSlot;
            _pendingIndex = next;
            _pending = Task.Run(() => Build(next, slot));
        }
        return b;
    }

    /// <inheritdoc/>
    public void OnEpochEnd()
    {
        DiscardPending();
        if (Shuffle) Reshuffle();
        _epochSeed = _augmentRng.Next();
    }

    private void DiscardPending()
    {
        if (_pending == null) return;
        try { _pending.Wait(); } catch (AggregateException) { /* the batch is not used; a real error recurs when it is asked for */ }
        _pending = null;
        _pendingIndex = -1;
    }

    private void Reshuffle()
    {
        for (int i = _order.Length - 1; i > 0; i--)
        {
            int j = _shuffleRng!.Next(i + 1);
            (_order[i], _order[j]) = (_order[j], _order[i]);
        }
    }

    private Batch Build(int index, int slot)
    {
        long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        int start = index * BatchSize, n = Math.Min(BatchSize, Samples - start);
        var shape = SampleShape;
        var x = _x[slot] = Tensor.EnsureBatch(_x[slot], n, shape);
        int size = x.SampleSize;
        var indices = _order.AsSpan(start, n);
        var rng = new Random(unchecked(_epochSeed * 31 + index));
        bool augment = Generator.Augments;
        float[]? raw = augment ? new float[size] : null;
        int h = shape[0], w = shape.Length > 1 ? shape[1] : 1, c = shape.Length > 2 ? shape[2] : 1;
        for (int i = 0; i < n; i++)
        {
            var dst = x.Buffer.AsSpan(i * size, size);
            if (augment)
            {
                LoadSample(indices[i], raw);
                var p = Generator.GetRandomTransform(h, w, rng);
                Generator.ApplyTransform(raw, dst, h, w, c, p);
            }
            else LoadSample(indices[i], dst);
            Generator.Standardize(dst, shape);
        }
        var y = _y[slot] = Targets(indices, x, _y[slot]);
        Interlocked.Add(ref _loadTicks, System.Diagnostics.Stopwatch.GetTimestamp() - t0);
        return new Batch(x, y);
    }
}
