#nullable enable
using System.CommandLine;
using System.Globalization;
using KerasNet.ConsoleApp.Reporting;
using KerasNet.Engine;
using KerasNet.Utils;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>
/// <c>kerasnet predict</c>: runs a model on images or a .npy array; prints one line per sample (name, predicted class,
/// outputs) and, with <c>--output</c>, saves the raw outputs as a float32 .npy in the same order.
/// </summary>
public static class PredictCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new CliOptions.ModelOptions();
        var input = CliOptions.Path("--input", "NHWC float32 .npy array of inputs (as numpy saves it).");
        var images = CliOptions.Path("--images", "An image file, a flat folder of images, or a folder with one subfolder per class.", helpName: "DIR|FILE");
        var targetSize = CliOptions.TargetSize();
        var rescale = CliOptions.Rescale();
        var colorMode = CliOptions.ColorMode();
        var skipInvalid = CliOptions.SkipInvalid();
        var output = CliOptions.Path("--output", "Write the raw model outputs here as a float32 .npy.");
        var batchSize = CliOptions.PositiveInt("--batch-size", 32, "Samples per batch.");
        var command = new Command("predict", "Predict with a model on images or a .npy array.");
        model.AddTo(command);
        foreach (var o in new Option[] { input, images, targetSize, rescale, colorMode, output, batchSize, skipInvalid }) command.Options.Add(o);
        command.SetAction(p =>
        {
            var source = model.Resolve(p, weightsRequired: true);
            string? npy = p.GetValue(input), imagePath = p.GetValue(images), outPath = p.GetValue(output);
            if ((npy == null) == (imagePath == null)) throw new UsageException("give exactly one of --input X.npy and --images DIR|FILE.");
            if (npy != null && (p.GetResult(targetSize) != null || p.GetResult(colorMode) != null))
                throw new UsageException("--target-size and --color-mode apply to --images, not to --input.");
            if (outPath != null && !outPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase)) throw new UsageException($"--output must be a .npy file, got '{outPath}'.");

            var network = source.Load();
            var data = npy != null
                ? ImageOptions.FromNpy(npy, p.GetValue(batchSize))
                : new ImageOptions(p.GetValue(targetSize), p.GetValue(rescale), p.GetValue(colorMode), p.GetValue(batchSize), p.GetValue(skipInvalid)).Load(imagePath!, network, requireClasses: false);
            Tensor outputs = network.PredictTensor(data.Data);
            int[] predicted = Classification.PredictedClasses(outputs);
            int width = data.Files.Max(f => f.Length);
            for (int i = 0; i < data.Files.Count; i++)
            {
                string cls = predicted[i].ToString(CultureInfo.InvariantCulture);
                if (data.ClassNames is { } names && predicted[i] < names.Length) cls += $" ({names[predicted[i]]})";
                var row = outputs.Buffer.AsSpan(i * outputs.SampleSize, outputs.SampleSize).ToArray();
                context.Out.WriteLine($"{data.Files[i].PadRight(width)}  {cls}  [{string.Join(", ", row.Select(PyText.Repr))}]");
            }
            if (outPath != null)
            {
                Saving.Npy.Save(outPath, outputs);
                context.Out.WriteLine($"Wrote {outPath} {ShapeUtil.Format(outputs.Shape)}");
            }
            return Cli.Success;
        });
        return command;
    }
}
