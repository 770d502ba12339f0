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
/// (one per model output), saves the raw outputs as float32 .npy files in the same order.
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
        var command = new Command("predict", "Predict with a model on images or .npy arrays.");
        model.AddTo(command);
        foreach (var o in new Option[] { input, images, targetSize, rescale, colorMode, output, batchSize, skipInvalid }) command.Options.Add(o);
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
            int outputCount = network.Outputs.Count;
            if (outPaths.Length > 0 && outPaths.Length != outputCount)
                throw new UsageException($"model '{network.Name}' has {outputCount} output{(outputCount == 1 ? "" : "s")} ({string.Join(", ", network.OutputNames)}) " +
                    $"but {outPaths.Length} --output {(outPaths.Length == 1 ? "was" : "were")} given; give --output once per output, in that order.");
            var data = npy.Length > 0
                ? ImageOptions.FromNpy(npy, network, p.GetValue(batchSize))
                : new ImageOptions(p.GetValue(targetSize), p.GetValue(rescale), p.GetValue(colorMode), p.GetValue(batchSize), p.GetValue(skipInvalid)).Load(imagePath!, network, requireClasses: false);
            Tensor[] outputs = network.PredictTensors(data.Data);
            var predicted = outputs.Select(Classification.PredictedClasses).ToArray();
            var outputNames = network.OutputNames;
            int width = data.Files.Max(f => f.Length);
            for (int i = 0; i < data.Files.Count; i++)
            {
                var parts = new List<string>();
                for (int o = 0; o < outputs.Length; o++)
                {
                    string cls = predicted[o][i].ToString(CultureInfo.InvariantCulture);
                    if (data.ClassNames is { } names && predicted[o][i] < names.Length) cls += $" ({names[predicted[o][i]]})";
                    var row = outputs[o].Buffer.AsSpan(i * outputs[o].SampleSize, outputs[o].SampleSize).ToArray();
                    string values = $"{cls}  [{string.Join(", ", row.Select(PyText.Repr))}]";
                    parts.Add(outputs.Length == 1 ? values : $"{outputNames[o]}: {values}");
                }
                context.Out.WriteLine($"{data.Files[i].PadRight(width)}  {string.Join("  ", parts)}");
            }
            for (int o = 0; o < outPaths.Length; o++)
            {
                Saving.Npy.Save(outPaths[o], outputs[o]);
                context.Out.WriteLine($"Wrote {outPaths[o]} {ShapeUtil.Format(outputs[o].Shape)}{(outputs.Length == 1 ? "" : $" (output '{outputNames[o]}')")}");
            }
            return Cli.Success;
        });
        return command;
    }
}
