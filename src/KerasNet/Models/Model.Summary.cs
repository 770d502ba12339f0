#nullable enable
using System.Globalization;
using System.Text;
using KerasNet.Engine;

namespace KerasNet.Models;

public partial class Model
{
    /// <summary>
    /// Prints the Keras 2.4 summary table (65 columns, cells cut to their column) through <paramref name="printFn"/>
    /// (Console.WriteLine by default).
    /// </summary>
    public void Summary(Action<string>? printFn = null) => (printFn ?? Console.WriteLine)(SummaryText().TrimEnd('\n'));

    /// <summary>The summary as text, one line per row, each ending in a newline.</summary>
    public string SummaryText(int lineLength = 65)
    {
        if (this is not Sequential) throw new KerasNetException($"Model '{Name}': the summary of Functional models is not supported yet.");
        var _layers = Layers;
        if (!Built) throw new KerasNetException($"Model '{Name}' has not been built yet: give the first layer an inputShape, or call Build or Fit first.");
        int[] positions = [(int)(lineLength * .45), (int)(lineLength * .85), lineLength];
        var sb = new StringBuilder();
        void Line(string s) => sb.Append(s).Append('\n');
        Line($"Model: \"{Name}\"");
        Line(new string('_', lineLength));
        Line(Row(["Layer (type)", "Output Shape", "Param #"], positions));
        Line(new string('=', lineLength));
        for (int i = 0; i < _layers.Count; i++)
        {
            var l = _layers[i];
            Line(Row([$"{l.Name} ({l.ClassName})", ShapeUtil.FormatWithNone(l.OutputShape!), l.CountParams().ToString(CultureInfo.InvariantCulture)], positions));
            Line(new string(i == _layers.Count - 1 ? '=' : '_', lineLength));
        }
        if (_layers.Count == 0) Line(new string('=', lineLength));
        long total = CountParams();
        long trainable = _layers.Where(l => l.Trainable).Sum(l => (long)l.CountParams());
        Line($"Total params: {total.ToString("N0", CultureInfo.InvariantCulture)}");
        Line($"Trainable params: {trainable.ToString("N0", CultureInfo.InvariantCulture)}");
        Line($"Non-trainable params: {(total - trainable).ToString("N0", CultureInfo.InvariantCulture)}");
        Line(new string('_', lineLength));
        return sb.ToString();
    }

    // Keras's print_row: each cell replaces the previous line's last character with a space, then is cut/padded to its column end.
    private static string Row(string[] fields, int[] positions)
    {
        var line = "";
        for (int i = 0; i < fields.Length; i++)
        {
            if (i > 0) line = line[..^1] + " ";
            line += fields[i];
            if (line.Length > positions[i]) line = line[..positions[i]];
            line = line.PadRight(positions[i]);
        }
        return line;
    }
}
