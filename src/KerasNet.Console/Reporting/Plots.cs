#nullable enable
using KerasNet.Saving;
using ScottPlot;

namespace KerasNet.ConsoleApp.Reporting;

/// <summary>
/// The tutorial's matplotlib/seaborn figures as PNG files drawn with ScottPlot (SkiaSharp, headless):
/// training vs validation curves per epoch and the annotated confusion-matrix heatmap.
/// </summary>
public static class Plots
{
    /// <summary>Image size of every plot, in pixels.</summary>
    public const int Width = 800, Height = 600;

    /// <summary>
    /// <c>plt.plot(history['loss']); plt.plot(history['val_loss'])</c>: one line per series against the epoch (1-based),
    /// written atomically to <paramref name="path"/>.
    /// </summary>
    public static void Curves(string path, string title, string yLabel, IReadOnlyList<(string Label, IReadOnlyList<double> Values)> series)
    {
        var plot = new Plot();
        foreach (var (label, values) in series)
        {
            if (values.Count == 0) continue;
            double[] xs = Enumerable.Range(1, values.Count).Select(i => (double)i).ToArray();
            var line = plot.Add.Scatter(xs, values.ToArray());
            line.LegendText = label;
            line.LineWidth = 2;
            line.MarkerSize = values.Count > 1 ? 4 : 8;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        Save(plot, path);
    }

    /// <summary>
    /// <c>sns.heatmap(cm, annot=True)</c>: rows are the true classes (top to bottom), columns the predicted ones,
    /// each cell shaded by its count and labelled with it.
    /// </summary>
    public static void ConfusionMatrix(string path, int[,] cm, IReadOnlyList<string> classNames)
    {
        int n = cm.GetLength(0);
        if (n != cm.GetLength(1) || n != classNames.Count)
            throw new KerasNetException($"{path}: the confusion matrix is {n}x{cm.GetLength(1)} but there are {classNames.Count} class names.");
        var plot = new Plot();
        int max = Math.Max(1, cm.Cast<int>().DefaultIfEmpty(0).Max());
        var colormap = new ScottPlot.Colormaps.Blues();
        for (int row = 0; row < n; row++)
        {
            for (int col = 0; col < n; col++)
            {
                double shade = (double)cm[row, col] / max;
                // Row 0 on top, as seaborn draws it: y grows upwards in ScottPlot, so row r spans [n-r-1, n-r].
                double bottom = n - row - 1;
                var cell = plot.Add.Rectangle(col, col + 1, bottom, bottom + 1);
                // ScottPlot's Blues runs from dark (0) to light (1): the largest count gets the darkest cell, as in seaborn.
                cell.FillColor = colormap.GetColor(0.95 - 0.85 * shade);
                cell.LineColor = Colors.White;
                var text = plot.Add.Text(cm[row, col].ToString(System.Globalization.CultureInfo.InvariantCulture), col + 0.5, bottom + 0.5);
                text.LabelFontSize = 28;
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = shade > 0.5 ? Colors.White : Colors.Black;
            }
        }
        double[] ticks = Enumerable.Range(0, n).Select(i => i + 0.5).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, classNames.ToArray());
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, classNames.Reverse().ToArray());
        plot.Axes.SetLimits(0, n, 0, n);
        plot.Title("Confusion matrix");
        plot.XLabel("predicted class");
        plot.YLabel("true class");
        Save(plot, path);
    }

    private static void Save(Plot plot, string path) => Save(plot, path, Width, Height);

    /// <summary>Renders <paramref name="plot"/> as a PNG of the given size, written atomically to <paramref name="path"/>.</summary>
    internal static void Save(Plot plot, string path, int width, int height)
    {
        byte[] png;
        try { png = plot.GetImageBytes(width, height, ImageFormat.Png); }
        catch (Exception e) when (e is DllNotFoundException or TypeInitializationException)
        {
            throw new KerasNetException($"{path}: cannot draw the plot: SkiaSharp's native library did not load ({e.GetBaseException().Message}).", e);
        }
        AtomicFile.WriteAllBytes(path, png);
    }
}
