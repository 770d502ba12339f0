#nullable enable
using KerasNet.Data;
using KerasNet.Engine;

namespace KerasNet.Models;

/// <summary>
/// Consecutive batches of one Evaluate or Predict call, copied (a source may reuse its tensors for its next batch) and
/// stacked into one tensor per model input, with each batch's own targets and sample weights beside them. Reused call
/// after call by its model (<see cref="Model"/>'s stacking), so a steady validation allocates nothing for it.
/// </summary>
internal sealed class BatchStack
{
    private Tensor[] _inputs = [];
    private readonly List<Tensor[]?> _targets = [];
    private readonly List<Tensor?> _weights = [];
    private readonly List<int> _sizes = [];
    private Tensor?[] _outputRows = [], _logitRows = [];
    private int _limit;

    /// <summary>Batches held.</summary>
    public int Count { get; private set; }

    /// <summary>Samples held, over every batch.</summary>
    public int Rows { get; private set; }

    /// <summary>Empties the stack for batches of up to <paramref name="limit"/> samples in all.</summary>
    public void Clear(int limit)
    {
        Count = Rows = 0;
        _limit = limit;
    }

    /// <summary>Empties the stack, keeping its limit.</summary>
    public void Clear() => Count = Rows = 0;

    /// <summary>
    /// Whether <paramref name="b"/> can join: the stack's samples stay within its limit, and every input, target and
    /// sample weight has the per-sample shape of the batches already held (the first batch needs only to fit).
    /// </summary>
    public bool Fits(in Batch b)
    {
        Tensor x = null!, y = null!;
        var xs = b.Inputs(ref x);
        // A batch that fills the stack alone gains nothing from the copy.
        if (Count == 0) return 2 * xs[0].BatchSize <= _limit;
        if (Rows + xs[0].BatchSize > _limit) return false;
        if (xs.Length != _inputs.Length) return false;
        for (int k = 0; k < xs.Length; k++)
            if (!SameSample(xs[k], _inputs[k])) return false;
        var held = _targets[0];
        var ys = b.Targets(ref y);
        if (ys.IsEmpty != (held is null)) return false;
        if (held != null)
        {
            if (ys.Length != held.Length) return false;
            for (int o = 0; o < ys.Length; o++) if (!SameSample(ys[o], held[o])) return false;
        }
        var w = _weights[0];
        return (b.SampleWeight is null) == (w is null) && (w is null || SameSample(b.SampleWeight!, w));
    }

    /// <summary>Copies <paramref name="b"/> onto the stack (after <see cref="Fits"/> said it may join).</summary>
    public void Add(in Batch b)
    {
        Tensor x = null!, y = null!;
        var xs = b.Inputs(ref x);
        var ys = b.Targets(ref y);
        int n = xs[0].BatchSize;
        if (_inputs.Length != xs.Length) _inputs = new Tensor[xs.Length];
        for (int k = 0; k < xs.Length; k++) Append(ref _inputs[k], xs[k], Rows);
        if (_sizes.Count == Count) { _sizes.Add(0); _targets.Add(null); _weights.Add(null); }
        _sizes[Count] = n;
        if (ys.IsEmpty) _targets[Count] = null;
        else
        {
            var held = _targets[Count] is { } t && t.Length == ys.Length ? t : new Tensor[ys.Length];
            for (int o = 0; o < ys.Length; o++) held[o] = CopyOf(held[o], ys[o]);
            _targets[Count] = held;
        }
        _weights[Count] = b.SampleWeight is null ? null : CopyOf(_weights[Count], b.SampleWeight);
        Count++;
        Rows += n;
    }

    /// <summary>The stacked inputs, shaped (<see cref="Rows"/>, sample...).</summary>
    public Tensor[] StackedInputs()
    {
        foreach (var t in _inputs)
            if (t.BatchSize != Rows) t.Reshape([Rows, .. t.Shape.AsSpan(1)]);
        return _inputs;
    }

    /// <summary>Samples of batch <paramref name="j"/>.</summary>
    public int Size(int j) => _sizes[j];

    /// <summary>Targets of batch <paramref name="j"/> (a copy), one per output, or null.</summary>
    public Tensor[]? TargetsOf(int j) => _targets[j];

    /// <summary>Sample weights of batch <paramref name="j"/> (a copy), or null.</summary>
    public Tensor? WeightOf(int j) => _weights[j];

    /// <summary>
    /// Rows [row, row + n) of a stacked pass's output <paramref name="o"/> (kind 0) or its logits (kind 1), copied into a
    /// tensor the stack keeps: exactly what a pass of that batch alone gives its loss and metrics.
    /// </summary>
    public Tensor OutputRows(int kind, int o, Tensor source, int row, int n)
    {
        ref var slots = ref kind == 0 ? ref _outputRows : ref _logitRows;
        if (slots.Length <= o) Array.Resize(ref slots, o + 1);
        int sample = source.SampleSize;
        var t = slots[o] is { } held && held.Rank == source.Rank && held.BatchSize == n && held.Shape.AsSpan(1).SequenceEqual(source.Shape.AsSpan(1))
            ? held : slots[o] = new Tensor([n, .. source.Shape.AsSpan(1)]);
        source.Buffer.AsSpan(row * sample, n * sample).CopyTo(t.Span);
        return t;
    }

    private static bool SameSample(Tensor a, Tensor b) => a.Rank == b.Rank && a.Shape.AsSpan(1).SequenceEqual(b.Shape.AsSpan(1));

    private static Tensor CopyOf(Tensor? reuse, Tensor source)
    {
        var copy = Tensor.Ensure(reuse, (ReadOnlySpan<int>)source.Shape);
        source.Span.CopyTo(copy.Span);
        return copy;
    }

    // Appends source's samples after the first `rows` samples of the stacked tensor, whose buffer grows (kept rows
    // copied) up to the stack's limit.
    private void Append(ref Tensor stacked, Tensor source, int rows)
    {
        int sample = source.SampleSize, n = source.BatchSize;
        var sampleShape = source.Shape.AsSpan(1);
        if (stacked is null || stacked.Buffer.Length < (long)(rows + n) * sample)
        {
            int oldRows = stacked is null || sample == 0 ? 0 : stacked.Buffer.Length / sample;
            int capacityRows = Math.Min(_limit, Math.Max(rows + n, 2 * oldRows));
            var grown = new Tensor([capacityRows, .. sampleShape]);
            if (stacked != null && rows > 0) stacked.Buffer.AsSpan(0, rows * sample).CopyTo(grown.Buffer);
            stacked = grown;
        }
        else if (rows == 0 && !SameSample(stacked, source)) stacked.Reshape([n, .. sampleShape]);
        source.Span.CopyTo(stacked.Buffer.AsSpan(rows * sample));
    }
}
