#nullable enable
using System.CommandLine;
using KerasNet.ConsoleApp.Reporting;
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
            var data = options.Load(p.GetValue(images)!, network, requireClasses: true);
            EnsureCompiled(network);
            var scores = network.Evaluate(data.Data);
            context.Out.WriteLine(string.Join(" - ", new[] { "loss" }.Concat(network.Metrics.Select(m => m.Name))
                .Select((name, i) => $"{name}: {PyText.Repr(scores[i])}")));

            Tensor outputs = network.PredictTensor(data.Data);
            int[] predicted = Classification.PredictedClasses(outputs);
            var names = data.ClassNames!;
            context.Out.WriteLine(PyText.Repr(names.Select((n, i) => new KeyValuePair<string, int>(n, i))));
            string report = ClassificationReport(data.Classes!, predicted);
            context.Out.WriteLine(report);
            var cm = ConfusionMatrix(data.Classes!, predicted, labels: Enumerable.Range(0, names.Length).ToArray());
            context.Out.Write(TrainingFiles.ConfusionMatrixText(cm, names));
            if (p.GetValue(output) is { } dir)
            {
                Saving.AtomicFile.WriteAllText(Path.Combine(dir, "classification_report.txt"), report);
                Plots.ConfusionMatrix(Path.Combine(dir, "confusion_matrix.png"), cm, names);
                TrainingFiles.WritePredictions(Path.Combine(dir, "predictions.csv"), data.Files, data.Classes, predicted, NDArrays.ToArray2D(outputs), names);
                context.Out.WriteLine($"Files written to {Path.GetFullPath(dir)}");
            }
            return Cli.Success;
        });
        return command;
    }

    // A model saved without its training config (or given as JSON + weights) gets the tutorial's loss and metric.
    private static void EnsureCompiled(Model model)
    {
        if (model.IsCompiled) return;
        bool binary = model.OutputShape is [1];
        model.Compile(optimizer: "adam", loss: binary ? "binary_crossentropy" : "categorical_crossentropy", metrics: ["accuracy"]);
    }
}
