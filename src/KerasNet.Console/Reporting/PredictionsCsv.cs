#nullable enable
using System.Text;
using KerasNet.Saving;
using KerasNet.Utils;

namespace KerasNet.ConsoleApp.Reporting;

/// <summary>
/// <c>predictions.csv</c> written row by row as predictions come: <c>file,true_class,predicted_class,&lt;columns…&gt;</c>
/// (for several outputs, a <c>&lt;output&gt;_predicted_class</c> column and the output's values per output). The file
/// is written atomically (<see cref="AtomicFile.Begin"/>): it appears complete at <see cref="Commit"/> or not at all.
/// </summary>
public sealed class PredictionsCsv : IDisposable
{
    private readonly AtomicFile.PendingFile _file;
    private readonly StreamWriter _writer;
    private readonly IReadOnlyList<string>? _classNames;

    /// <summary>
    /// Starts <paramref name="path"/> for outputs of <paramref name="sizes"/> values per sample, named
    /// <paramref name="outputNames"/>; the value columns of an output are the class names when it has one value per
    /// class, else <c>output_0</c>, ... (one output) or <c>&lt;output&gt;_0</c>, ... (several).
    /// </summary>
    public PredictionsCsv(string path, IReadOnlyList<string> outputNames, IReadOnlyList<int> sizes, IReadOnlyList<string>? classNames)
    {
        _classNames = classNames;
        _file = AtomicFile.Begin(path);
        _writer = new StreamWriter(_file.Stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        var columns = new List<string> { "file", "true_class" };
        bool one = sizes.Count == 1;
        for (int o = 0; o < sizes.Count; o++)
        {
            columns.Add(one ? "predicted_class" : $"{outputNames[o]}_predicted_class");
            for (int j = 0; j < sizes[o]; j++)
                columns.Add(classNames != null && sizes[o] == classNames.Count ? classNames[j] : one ? $"output_{j}" : $"{outputNames[o]}_{j}");
        }
        _writer.Write(string.Join(",", columns.Select(TrainingFiles.Csv)));
        _writer.Write('\n');
    }

    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    /// <summary>One sample: its name, true class (or null), and per output the predicted class (null: NaN) and values.</summary>
    public void Row(string file, int? trueClass, ReadOnlySpan<int?> predicted, IReadOnlyList<float[]> values)
    {
        _writer.Write(TrainingFiles.Csv(file));
        _writer.Write(',');
        if (trueClass is int t) _writer.Write(TrainingFiles.Csv(Name(t)));
        for (int o = 0; o < predicted.Length; o++)
        {
            _writer.Write(',');
            _writer.Write(predicted[o] is int p ? TrainingFiles.Csv(Name(p)) : "nan");
            foreach (var v in values[o])
            {
                _writer.Write(',');
                _writer.Write(PyText.Repr(v));
            }
        }
        _writer.Write('\n');
        Rows++;
    }

    /// <summary>Flushes the rows and replaces the target file.</summary>
    public void Commit()
    {
        _writer.Flush();
        _file.Commit();
    }

    /// <summary>Abandons the file unless committed.</summary>
    public void Dispose()
    {
        try { _writer.Dispose(); } catch (IOException) { } catch (ObjectDisposedException) { }
        _file.Dispose();
    }

    private string Name(int c) => _classNames != null && c >= 0 && c < _classNames.Count ? _classNames[c] : c.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
