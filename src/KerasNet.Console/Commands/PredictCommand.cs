#nullable enable
using System.CommandLine;
using System.Globalization;
using KerasNet.ConsoleApp.Reporting;
using KerasNet.Engine;
using KerasNet.Utils;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>
/// <c>kerasnet predict</c>: runs a model on images or .npy arrays (one <c>--input</c> per model input); prints one line
/// per sample (name, predicted class, outputs; each output named when there are several) and, with <c>--output</c>
/// (one per model output), saves the raw outputs as float32 .npy files in the same order; <c>--csv</c> adds a CSV.
/// Samples are read, predicted and written one batch at a time, so memory does not grow with their number. A sample
/// whose outputs hold a NaN is reported as class <c>nan</c> and makes the command exit 1 (after writing everything).
/// </summary>
public static class PredictCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new CliOptions.ModelOptions();
        var input = CliOptions.Paths("--input", "NHWC float32 .npy array of inputs (as numpy saves it); repeat once per model input, in the model's input order.", helpName: "X.npy");
        var images = CliOptions.Path("--images", "An image file, a flat folder of images, or a folder with one subfolder per class.", helpName: "DIR|FILE");
        var targetSize = CliOptions.TargetSize();
        var rescale = CliOptions.Rescale();
        var colorMode = CliOptions.ColorMode();
        var skipInvalid = CliOptions.SkipInvalid();
        var output = CliOptions.Paths("--output", "Write the raw model outputs here as float32 .npy; repeat once per model output, in the model's output order.", helpName: "Y.npy");
        var batchSize = CliOptions.PositiveInt("--batch-size", 32, "Samples per batch.");
        var csv = CliOptions.Path("--csv", "Also write the predictions as CSV (file, true class, predicted class and outputs per sample), row by row.", helpName: "FILE");
        var command = new Command("predict", "Predict with a model on images or .npy arrays; results are printed and written as they are computed.");
        model.AddTo(command);
        foreach (var o in new Option[] { input, images, targetSize, rescale, colorMode, output, csv, batchSize, skipInvalid }) command.Options.Add(o);
        command.SetAction(p =>
        {
            var source = model.Resolve(p, weightsRequired: true);
            string[] npy = p.GetValue(input) ?? [], outPaths = p.GetValue(output) ?? [];
            string? imagePath = p.GetValue(images);
            if ((npy.Length == 0) == (imagePath == null)) throw new UsageException("give exactly one of --input X.npy (once per model input) and --images DIR|FILE.");
            if (npy.Length > 0 && (p.GetResult(targetSize) != null || p.GetResult(colorMode) != null))
                throw new UsageException("--target-size and --color-mode apply to --images, not to --input.");
            foreach (var o in outPaths)
                if (!o.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--output must be a .npy file, got '{o}'.");
            if (outPaths.Distinct(StringComparer.Ordinal).Count() != outPaths.Length) throw new UsageException("the same --output file is given twice.");

            var network = source.Load();
            StartupTrace.Mark("model loaded");
            int outputCount = network.Outputs.Count;
            if (outPaths.Length > 0 && outPaths.Length != outputCount)
                throw new UsageException($"model '{network.Name}' has {outputCount} output{(outputCount == 1 ? "" : "s")} ({string.Join(", ", network.OutputNames)}) " +
                    $"but {outPaths.Length} --output {(outPaths.Length == 1 ? "was" : "were")} given; give --output once per output, in that order.");
            var data = npy.Length > 0
                ? ImageOptions.FromNpy(npy, network, p.GetValue(batchSize))
                : new ImageOptions(p.GetValue(targetSize), p.GetValue(rescale), p.GetValue(colorMode), p.GetValue(batchSize), p.GetValue(skipInvalid)).List(imagePath!, network, requireClasses: false);
            var shapes = network.Outputs.Select(t => t.Shape).ToArray();
            using (var writer = new PredictionWriter(context.Out, data, network.OutputNames, shapes, outPaths, p.GetValue(csv)))
            {
                var results = new Dictionary<int, Tensor[]>();
                foreach (var batch in data.Batches())
                {
                    // One set of result tensors per batch size (the last batch may be smaller), reused batch after batch.
                    if (!results.TryGetValue(batch.Count, out var y))
                        results[batch.Count] = y = shapes.Select(s => new Tensor(ShapeUtil.WithBatch(batch.Count, s))).ToArray();
                    StartupTrace.Mark("batch read");
                    network.PredictInto(batch.X, y);
                    StartupTrace.Mark("batch predicted");
                    writer.Write(batch, y);
                }
                if (writer.Samples == 0) throw new KerasNetException($"{imagePath}: none of the {data.Names.Count} image(s) could be decoded.");
                if (data.Skipped.Count > 0) context.Out.WriteLine($"Skipped {data.Skipped.Count} invalid image(s): {string.Join(", ", data.Skipped)}");
                writer.Commit();
                if (writer.NaNSamples > 0)
                    throw new NonFinitePredictionException($"{writer.NaNSamples} of {writer.Samples} sample(s) have NaN outputs (the first: {writer.FirstNaN}); they are printed with the class 'nan' and saved as NaN.");
            }
            return Cli.Success;
        });
        return command;
    }
}
