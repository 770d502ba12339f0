#nullable enable
using System.CommandLine;

namespace KerasNet.ConsoleApp.Commands;

/// <summary><c>kerasnet train</c>: the tutorial (<see cref="Program.Tutorial"/>), the default command.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var data = CliOptions.Path("--data", "Folder with training_set/ and test_set/ (default: the dataset in data/).", helpName: "DIR");
        var epochs = CliOptions.PositiveInt("--epochs", 50, "Training epochs.");
        var batchSize = CliOptions.PositiveInt("--batch-size", 8, "Training batch size.");
        // Three 3x3 convolutions each followed by 2x2 pooling need at least 22 pixels.
        var imageSize = CliOptions.PositiveInt("--image-size", 64, "Images are resized to SIZE x SIZE (at least 22).");
        imageSize.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && int.TryParse(r.Tokens[0].Value, out int v) && v is > 0 and < 22)
                r.AddError($"--image-size must be at least 22 for the tutorial's three conv/pool stages, got {v}.");
        });
        var seed = new Option<int?>("--seed") { HelpName = "N", Description = "Seed for weights, shuffling and augmentation (repeatable runs)." };
        var output = CliOptions.Path("--output", "Folder for the files written (default: output/).", helpName: "DIR");
        var skipInvalid = CliOptions.SkipInvalid();

        var command = new Command("train", "Run the tutorial: train the CNN on the dataset, evaluate, plot, save and reload it. " +
            "Writes network.json, weights.hdf5, history.json, history.csv, loss.png, accuracy.png, confusion_matrix.png, predictions.csv, classification_report.txt, feature_maps/ (the Conv2D activations of the first test image) and weights.hdf5.preprocessing.json (how images are prepared, for serve).")
        {
            data, epochs, batchSize, imageSize, seed, output, skipInvalid,
        };
        command.SetAction(p =>
        {
            var settings = new TrainSettings(
                DataDirectory: DatasetLocator.Resolve(p.GetValue(data)),
                OutputDirectory: p.GetValue(output) ?? "output",
                Epochs: p.GetValue(epochs),
                BatchSize: p.GetValue(batchSize),
                ImageSize: p.GetValue(imageSize),
                Seed: p.GetValue(seed),
                SkipInvalid: p.GetValue(skipInvalid),
                Arguments: ["train", .. p.Tokens.Select(t => t.Value)]);
            using var interrupt = Interruption.Install();
            Program.Tutorial(settings, interrupt);
            context.Out.WriteLine($"Files written to {Path.GetFullPath(settings.OutputDirectory)}");
            // A signal while the finished set was being moved in waited for it; it still ends the command with its code.
            interrupt.ThrowIfRequested($"the run had finished: {settings.OutputDirectory} holds its complete files");
            return Cli.Success;
        });
        return command;
    }
}
