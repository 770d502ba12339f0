#nullable enable
using System.Globalization;
using System.Text;
using System.Text.Json;
using KerasNet.Callbacks;
using KerasNet.Saving;
using KerasNet.Utils;

namespace KerasNet.ConsoleApp.Reporting;

/// <summary>The text files <c>train</c>, <c>evaluate</c> and <c>predict</c> write, each written atomically.</summary>
public static class TrainingFiles
{
    /// <summary><c>history.json</c>: Keras's <c>history.history</c> dict (<c>json.dump(history.history, f)</c>).</summary>
    public static void WriteHistoryJson(string path, History history)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            foreach (var (key, values) in history.history)
            {
                w.WriteStartArray(key);
                foreach (var v in values) w.WriteNumberValue(v);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        });
    }

    /// <summary><c>history.csv</c>: as Keras's CSVLogger writes it: <c>epoch</c> (from 0), then the log keys sorted.</summary>
    public static void WriteHistoryCsv(string path, History history)
    {
        var keys = history.history.Keys.Order(StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.Append(string.Join(",", ["epoch", .. keys.Select(Csv)])).Append('\n');
        for (int i = 0; i < history.Epoch.Count; i++)
        {
            sb.Append(history.Epoch[i].ToString(CultureInfo.InvariantCulture));
            foreach (var k in keys) sb.Append(',').Append(i < history.history[k].Count ? PyText.Repr(history.history[k][i]) : "");
            sb.Append('\n');
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    /// <summary>
    /// <c>predictions.csv</c>: <c>file,true_class,predicted_class,&lt;class names…&gt;</c>, one row per sample in the
    /// iterator's order; classes by name, then the model's output for each class.
    /// </summary>
    public static void WritePredictions(string path, IReadOnlyList<string> files, IReadOnlyList<int>? trueClasses,
        IReadOnlyList<int> predicted, float[,] outputs, IReadOnlyList<string> classNames)
    {
        int n = files.Count, k = outputs.GetLength(1);
        if (outputs.GetLength(0) != n || predicted.Count != n || (trueClasses != null && trueClasses.Count != n))
            throw new KerasNetException($"{path}: {n} files but {outputs.GetLength(0)} predictions.");
        using var csv = new PredictionsCsv(path, ["output"], [k], classNames);
        var row = new float[k];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < k; j++) row[j] = outputs[i, j];
            csv.Row(files[i], trueClasses?[i], [predicted[i]], [row]);
        }
        csv.Commit();
    }

    /// <summary>
    /// The model's preprocessing sidecar (<c>weights.hdf5.preprocessing.json</c>, see
    /// <see cref="KerasNet.Serving.ImagePreprocessing"/>): the target size, rgb, nearest resizing, the rescale factor and
    /// the class names in class-index order, as the training iterators used them; written atomically.
    /// </summary>
    public static void WritePreprocessing(string path, (int Height, int Width) targetSize, double rescale, IReadOnlyList<string> classNames) =>
        new KerasNet.Serving.ImagePreprocessing
        {
            TargetSize = targetSize,
            ColorMode = "rgb",
            Interpolation = "nearest",
            Rescale = rescale,
            ClassNames = classNames.ToArray(),
        }.Write(path);

    /// <summary>The confusion matrix as text: a header of predicted classes, one row per true class.</summary>
    public static string ConfusionMatrixText(int[,] cm, IReadOnlyList<string> classNames)
    {
        int n = cm.GetLength(0);
        const string corner = "true \\ predicted";
        int width = Math.Max(classNames.Max(s => s.Length), cm.Cast<int>().DefaultIfEmpty(0).Max().ToString(CultureInfo.InvariantCulture).Length);
        int first = Math.Max(corner.Length, classNames.Max(s => s.Length)) + 2;
        var sb = new StringBuilder();
        sb.Append(corner.PadRight(first));
        foreach (var c in classNames) sb.Append(' ').Append(c.PadLeft(width));
        sb.Append('\n');
        for (int i = 0; i < n; i++)
        {
            sb.Append(classNames[i].PadRight(first));
            for (int j = 0; j < n; j++) sb.Append(' ').Append(cm[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(width));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>RFC 4180 quoting where a field needs it.</summary>
    public static string Csv(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
}
