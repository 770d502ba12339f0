#nullable enable
using System.CommandLine;
using KerasNet.ConsoleApp.Reporting;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Models;
using static KerasNet.Sklearn.SklearnMetrics;
using KerasNet.Utils;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>
/// <c>kerasnet evaluate --model FILE --images DIR</c>: Keras's evaluate line (loss, accuracy), then the class indices,
/// scikit-learn's classification report and the confusion matrix; with <c>--output DIR</c> also the report, the heatmap
/// and predictions.csv as <c>train</c> writes them.
/// </summary>
public static class EvaluateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new CliOptions.ModelOptions();
        var images = CliOptions.Path("--images", "Folder with one subfolder of images per class (as flow_from_directory reads it).", required: true, helpName: "DIR");
        var targetSize = CliOptions.TargetSize();
        var rescale = CliOptions.Rescale();
        var colorMode = CliOptions.ColorMode();
        var skipInvalid = CliOptions.SkipInvalid();
        var batchSize = CliOptions.PositiveInt("--batch-size", 32, "Samples per batch.");
        var output = CliOptions.Path("--output", "Also write classification_report.txt, confusion_matrix.png and predictions.csv to this folder.", helpName: "DIR");
        var command = new Command("evaluate", "Evaluate a model on a folder of labelled images: loss, accuracy, classification report, confusion matrix.");
        model.AddTo(command);
        foreach (var o in new Option[] { images, targetSize, rescale, colorMode, batchSize, output, skipInvalid }) command.Options.Add(o);
        command.SetAction(p =>
        {
            var network = model.Resolve(p, weightsRequired: true).Load();
            var options = new ImageOptions(p.GetValue(targetSize), p.GetValue(rescale), p.GetValue(colorMode), p.GetValue(batchSize), p.GetValue(skipInvalid));
            var data = options.List(p.GetValue(images)!, network, requireClasses: true);
            EnsureCompiled(network);
            var names = data.ClassNames!;
            string? dir = p.GetValue(output);
            var result = Stream(network, data, names, dir == null ? null : Path.Combine(dir, "predictions.csv"));
            context.Out.WriteLine(string.Join(" - ", network.MetricsNames.Select((name, i) => $"{name}: {PyText.Repr(result.Scores[i])}")));

            context.Out.WriteLine(PyText.Repr(names.Select((n, i) => new KeyValuePair<string, int>(n, i))));
            string report = ClassificationReport(result.TrueClasses, result.Predicted);
            context.Out.WriteLine(report);
            var cm = ConfusionMatrix(result.TrueClasses, result.Predicted, labels: Enumerable.Range(0, names.Length).ToArray());
            context.Out.Write(TrainingFiles.ConfusionMatrixText(cm, names));
            if (dir != null)
            {
                result.Csv!.Commit();
                Saving.AtomicFile.WriteAllText(Path.Combine(dir, "classification_report.txt"), report);
                Plots.ConfusionMatrix(Path.Combine(dir, "confusion_matrix.png"), cm, names);
                context.Out.WriteLine($"Files written to {Path.GetFullPath(dir)}");
            }
            result.Csv?.Dispose();
            return Cli.Success;
        });
        return command;
    }

    private sealed record Streamed(double[] Scores, int[] TrueClasses, int[] Predicted, PredictionsCsv? Csv);

    /// <summary>
    /// One pass over the images, a batch at a time: Keras's evaluate (loss and metrics as sample-weighted means over
    /// the batches, with its progress bar) and the predicted class of every sample, whose CSV rows are written as they
    /// come. Only the class numbers are kept, never the images.
    /// </summary>
    private static Streamed Stream(Model network, SampleSource data, string[] names, string? csvPath)
    {
        int k = network.Outputs[0].Shape.Aggregate(1, (a, d) => a * d);
        var csv = csvPath == null ? null : new PredictionsCsv(csvPath, network.OutputNames, [k], names);
        try
        {
            double[]? sums = null; // sized by the first batch: the metric names are known once the model has seen targets
            var trueClasses = new List<int>(data.Names.Count);
            var predicted = new List<int>(data.Names.Count);
            var bar = new Progbar((data.Names.Count + data.BatchSize - 1) / data.BatchSize, 1, network.ProgressOutput);
            var outputs = new Dictionary<int, (Tensor Y, Tensor Target)>();
            var row = new float[k];
            long seen = 0;
            int step = 0;
            foreach (var batch in data.Batches())
            {
                int n = batch.Count;
                if (!outputs.TryGetValue(n, out var buffers))
                    outputs[n] = buffers = (new Tensor(ShapeUtil.WithBatch(n, network.Outputs[0].Shape)), new Tensor(k == 1 ? new[] { n, 1 } : new[] { n, names.Length }));
                Targets(buffers.Target, batch, data.Classes!, names.Length);
                var scores = network.TestOnBatch(new Batch(batch.X[0], buffers.Target));
                sums ??= new double[scores.Length];
                for (int i = 0; i < sums.Length; i++) sums[i] += scores[i] * n;
                seen += n;
                network.PredictInto(batch.X, [buffers.Y]);
                var classes = Classification.PredictedClasses(buffers.Y);
                for (int i = 0; i < n; i++)
                {
                    int item = batch.Items[i];
                    trueClasses.Add(data.Classes![item]);
                    predicted.Add(classes[i]);
                    buffers.Y.Buffer.AsSpan(i * k, k).CopyTo(row);
                    csv?.Row(data.Names[item], data.Classes[item], [classes[i]], [row]);
                }
                bar.Update(++step, network.MetricsNames.Select((m, i) => new KeyValuePair<string, double>(m, sums[i] / seen)).ToList());
            }
            if (seen == 0) throw new KerasNetException($"none of the {data.Names.Count} image(s) could be decoded.");
            if (data.Skipped.Count > 0) Console.WriteLine($"Skipped {data.Skipped.Count} invalid image(s): {string.Join(", ", data.Skipped)}");
            return new Streamed(sums!.Select(v => v / seen).ToArray(), trueClasses.ToArray(), predicted.ToArray(), csv);
        }
        catch
        {
            csv?.Dispose();
            throw;
        }
    }

    // Keras's flow_from_directory targets: one-hot for class_mode 'categorical', the class index for a single output.
    private static void Targets(Tensor y, SampleBatch batch, int[] classes, int numClasses)
    {
        y.Clear();
        int n = batch.Count;
        for (int i = 0; i < n; i++)
        {
            int c = classes[batch.Items[i]];
            if (y.SampleSize == 1) y[i] = c;
            else y[i * numClasses + c] = 1f;
        }
    }

    // A model saved without its training config (or given as JSON + weights) gets the tutorial's loss and metric.
    private static void EnsureCompiled(Model model)
    {
        if (model.IsCompiled) return;
        bool binary = model.OutputShape is [1];
        model.Compile(optimizer: "adam", loss: binary ? "binary_crossentropy" : "categorical_crossentropy", metrics: ["accuracy"]);
    }
}
