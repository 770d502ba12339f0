#nullable enable
using System.Globalization;
using KerasNet.ConsoleApp.Reporting;
using KerasNet.Engine;
using KerasNet.Saving;
using KerasNet.Utils;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>
/// Writes predictions as they are made, batch by batch: one line per sample on standard output, the raw outputs into
/// .npy files (one per model output) and a CSV, nothing held beyond the current batch. A sample with a NaN output is
/// printed with the class <c>nan</c> and counted (<see cref="NaNSamples"/>). Values are written straight to the
/// writer; an output of more than <see cref="SummaryThreshold"/> values per sample is shown as numpy shows a large
/// array (its first and last three values) and saved in full only in the files.
/// </summary>
internal sealed class PredictionWriter : IDisposable
{
    /// <summary>numpy's print threshold: larger arrays print as their first and last three values.</summary>
    public const int SummaryThreshold = 1000;

    private readonly TextWriter _out;
    private readonly SampleSource _source;
    private readonly IReadOnlyList<string> _outputNames;
    private readonly int[] _sizes;
    private readonly NpyWriter[] _npy;
    private readonly PredictionsCsv? _csv;
    private readonly int[][] _shapes;
    private readonly string? _csvPath;
    private readonly int _width;
    private readonly int?[] _predicted;
    private readonly float[][] _rows;

    public PredictionWriter(TextWriter output, SampleSource source, IReadOnlyList<string> outputNames, IReadOnlyList<int[]> outputShapes,
        IReadOnlyList<string> npyPaths, string? csvPath)
    {
        _out = output;
        _source = source;
        _outputNames = outputNames;
        _shapes = outputShapes.Select(s => (int[])s.Clone()).ToArray();
        _sizes = _shapes.Select(s => s.Aggregate(1, (a, d) => a * d)).ToArray();
        _csvPath = csvPath;
        _width = source.Names.Count == 0 ? 0 : source.Names.Max(f => f.Length);
        _predicted = new int?[_sizes.Length];
        _rows = _sizes.Select(k => new float[k]).ToArray();
        var opened = new List<NpyWriter>();
        try
        {
            for (int o = 0; o < npyPaths.Count; o++) opened.Add(new NpyWriter(npyPaths[o], outputShapes[o]));
            _npy = opened.ToArray();
            _csv = csvPath == null ? null : new PredictionsCsv(csvPath, outputNames, _sizes, source.ClassNames);
        }
        catch
        {
            foreach (var w in opened) w.Dispose();
            throw;
        }
    }

    /// <summary>Samples written.</summary>
    public long Samples { get; private set; }

    /// <summary>Samples with at least one NaN output value.</summary>
    public long NaNSamples { get; private set; }

    /// <summary>The name of the first sample with a NaN output.</summary>
    public string? FirstNaN { get; private set; }

    /// <summary>Writes one batch's outputs (row i belongs to <c>batch.Items[i]</c>).</summary>
    public void Write(SampleBatch batch, Tensor[] outputs)
    {
        for (int o = 0; o < _npy.Length; o++) _npy[o].Append(outputs[o].Span);
        for (int i = 0; i < batch.Count; i++)
        {
            int item = batch.Items[i];
            string name = _source.Names[item];
            bool nan = false;
            for (int o = 0; o < outputs.Length; o++)
            {
                var row = outputs[o].Buffer.AsSpan(i * _sizes[o], _sizes[o]);
                row.CopyTo(_rows[o]);
                bool rowNaN = HasNaN(row);
                nan |= rowNaN;
                _predicted[o] = rowNaN ? null : Classify(row);
            }
            if (nan && NaNSamples++ == 0) FirstNaN = name;
            WriteLine(name);
            _csv?.Row(name, _source.Classes?[item], _predicted, _rows);
            Samples++;
        }
    }

    /// <summary>Completes the files (the .npy headers get their row counts) and reports them.</summary>
    public void Commit()
    {
        for (int o = 0; o < _npy.Length; o++)
        {
            _npy[o].Commit();
            var shape = new long[] { _npy[o].Rows }.Concat(_shapes[o].Select(d => (long)d)).ToArray();
            _out.WriteLine($"Wrote {_npy[o].Path} ({string.Join(", ", shape)}{(shape.Length == 1 ? "," : "")}){(_sizes.Length == 1 ? "" : $" (output '{_outputNames[o]}')")}");
        }
        if (_csv != null)
        {
            _csv.Commit();
            _out.WriteLine($"Wrote {_csvPath} ({_csv.Rows} rows)");
        }
    }

    public void Dispose()
    {
        foreach (var w in _npy) w.Dispose();
        _csv?.Dispose();
    }

    private void WriteLine(string name)
    {
        _out.Write(name.PadRight(_width));
        for (int o = 0; o < _sizes.Length; o++)
        {
            _out.Write("  ");
            if (_sizes.Length > 1) { _out.Write(_outputNames[o]); _out.Write(": "); }
            if (_predicted[o] is int c)
            {
                _out.Write(c.ToString(CultureInfo.InvariantCulture));
                if (_source.ClassNames is { } names && c < names.Length) { _out.Write(" ("); _out.Write(names[c]); _out.Write(')'); }
            }
            else _out.Write("nan");
            _out.Write("  [");
            var row = _rows[o];
            if (row.Length <= SummaryThreshold) WriteValues(row);
            else
            {
                WriteValues(row.AsSpan(0, 3));
                _out.Write(", ..., ");
                WriteValues(row.AsSpan(row.Length - 3));
            }
            _out.Write(']');
        }
        _out.WriteLine();
    }

    private void WriteValues(ReadOnlySpan<float> values)
    {
        for (int j = 0; j < values.Length; j++)
        {
            if (j > 0) _out.Write(", ");
            _out.Write(PyText.Repr(values[j]));
        }
    }

    private static bool HasNaN(ReadOnlySpan<float> row)
    {
        foreach (var v in row) if (float.IsNaN(v)) return true;
        return false;
    }

    // np.argmax (first maximum) for several values; a single sigmoid output thresholded at 0.5 (class_mode='binary').
    private static int Classify(ReadOnlySpan<float> row)
    {
        if (row.Length == 1) return row[0] > 0.5f ? 1 : 0;
        int best = 0;
        for (int j = 1; j < row.Length; j++) if (row[j] > row[best]) best = j;
        return best;
    }
}
