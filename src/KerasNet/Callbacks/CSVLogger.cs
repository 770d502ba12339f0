#nullable enable
using System.Text;
using KerasNet.Utils;

namespace KerasNet.Callbacks;

/// <summary>
/// Streams epoch results to a CSV file as tf.keras 2.4's <c>CSVLogger</c> does: a header <c>epoch,&lt;sorted log
/// keys&gt;</c>, one row per epoch (0-based epoch; values are float32 metrics that Keras hands over as Python floats,
/// so they print as <c>repr</c> of that float32 value, e.g. 0.6931471824645996), rows ended by "\r\n" (the csv
/// module's excel dialect), "NA" for keys missing in the epoch where training was stopped. With
/// <see cref="Append"/> an existing non-empty file keeps its header and gets new rows.
/// </summary>
public sealed class CSVLogger : Callback
{
    private StreamWriter? _writer;
    private List<string>? _keys;
    private bool _writeHeader;

    /// <summary>Creates the logger.</summary>
    /// <param name="filename">The CSV file.</param>
    /// <param name="separator">Field separator (one character, as Python's csv module requires).</param>
    /// <param name="append">Append to an existing file instead of overwriting it.</param>
    public CSVLogger(string filename, string separator = ",", bool append = false)
    {
        if (string.IsNullOrEmpty(filename)) throw new KerasNetException("CSVLogger: filename must not be empty.");
        if (separator.Length != 1) throw new KerasNetException($"CSVLogger: separator must be a single character, got \"{separator}\".");
        Filename = filename; Separator = separator[0]; Append = append;
    }

    /// <summary>The CSV file.</summary>
    public string Filename { get; }
    /// <summary>The field separator.</summary>
    public char Separator { get; }
    /// <summary>Whether rows are appended to an existing file.</summary>
    public bool Append { get; }

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        _writeHeader = true;
        if (Append && File.Exists(Filename))
        {
            using var r = new StreamReader(Filename);
            _writeHeader = string.IsNullOrEmpty(r.ReadLine());
        }
        // A log is written as training goes (and flushed each epoch) so it survives a crash; an atomic write would not.
        try { _writer = new StreamWriter(Filename, Append, new UTF8Encoding(false)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DirectoryNotFoundException)
        { throw new KerasNetException($"CSVLogger: cannot open '{Filename}' for writing ({e.Message}).", e); }
        _keys = null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (_writer is null) return;
        _keys ??= logs.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        if (_writeHeader)
        {
            WriteRow(["epoch", .. _keys]);
            _writeHeader = false;
        }
        bool stopped = Model?.StopTraining == true;
        var row = new List<string> { epoch.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var k in _keys)
        {
            if (logs.TryGetValue(k, out var v)) row.Add(PyText.Repr((double)(float)v));
            else if (stopped) row.Add("NA");
            else throw new KerasNetException($"CSVLogger: epoch {epoch} has no value for '{k}', which the first epoch logged.");
        }
        WriteRow(row);
        _writer.Flush();
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        _writer?.Dispose();
        _writer = null;
    }

    // csv.QUOTE_MINIMAL: quote fields holding the separator, a quote or a line break; double inner quotes.
    private void WriteRow(IEnumerable<string> fields)
    {
        _writer!.Write(string.Join(Separator, fields.Select(f =>
            f.IndexOfAny([Separator, '"', '\r', '\n']) >= 0 ? "\"" + f.Replace("\"", "\"\"") + "\"" : f)));
        _writer.Write("\r\n");
    }
}
