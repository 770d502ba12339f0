#nullable enable
namespace KerasNet.Layers;

// Row-sparse gradients: an Embedding's gradient is non-zero only on the rows its lookups used (TensorFlow's
// IndexedSlices). The dense gradient buffer still holds the whole gradient (zeros elsewhere), so every optimizer can
// use it; the rows are recorded so that optimizers whose TensorFlow sparse update differs from the dense one
// (momentum) update only those rows.
public sealed partial class GradientSink
{
    private readonly Dictionary<Variable, SparseRows> _rows = new(ReferenceEqualityComparer.Instance);

    /// <summary>
    /// Records that this step's gradient of <paramref name="v"/> (rows of <paramref name="rowLength"/> values) is
    /// non-zero only on <paramref name="rows"/> (duplicates allowed); a later call in the same step (a shared
    /// layer) adds its rows.
    /// </summary>
    /// <param name="v">The variable (an embedding matrix).</param>
    /// <param name="rows">The row indices whose gradient may be non-zero.</param>
    /// <param name="rowLength">The values per row (the embedding size).</param>
    public void MarkRows(Variable v, ReadOnlySpan<int> rows, int rowLength)
    {
        if (!_rows.TryGetValue(v, out var set)) _rows[v] = set = new SparseRows(v.Size / rowLength, rowLength);
        set.Add(rows);
    }

    /// <summary>The rows of this step's gradient of <paramref name="v"/> when it is row-sparse, else null.</summary>
    internal SparseRows? RowsOf(Variable v) => _rows.TryGetValue(v, out var s) && s.Active ? s : null;

    private void ResetRows()
    {
        foreach (var s in _rows.Values) s.Clear();
    }
}

/// <summary>The distinct rows of a row-sparse gradient, in first-use order (buffers reused step after step).</summary>
internal sealed class SparseRows(int rowCount, int rowLength)
{
    private readonly bool[] _seen = new bool[rowCount];
    private readonly int[] _rows = new int[rowCount];
    private int _count;

    /// <summary>Floats per row.</summary>
    public int RowLength { get; } = rowLength;

    /// <summary>Whether rows were recorded in this step.</summary>
    public bool Active { get; private set; }

    /// <summary>The distinct rows recorded.</summary>
    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, _count);

    public void Add(ReadOnlySpan<int> rows)
    {
        Active = true;
        foreach (int r in rows)
        {
            if (_seen[r]) continue;
            _seen[r] = true;
            _rows[_count++] = r;
        }
    }

    public void Clear()
    {
        foreach (int r in Rows) _seen[r] = false;
        _count = 0;
        Active = false;
    }
}
