#nullable enable
using System.CommandLine;

namespace KerasNet.ConsoleApp.Commands;

/// <summary><c>kerasnet convert IN OUT</c>: between Keras HDF5 (.h5/.hdf5), .keras, and JSON architecture + weights.</summary>
public static class ConvertCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var input = new Argument<string>("IN") { Description = "Model to read: .h5, .hdf5, .keras, or .json (with --weights)." };
        var output = new Argument<string>("OUT") { Description = "Model to write: .h5, .hdf5, .keras, or .json (weights beside it, or at --output-weights)." };
        var weights = CliOptions.Path("--weights", "Weights for a .json IN (as model.save_weights).");
        var outputWeights = CliOptions.Path("--output-weights", "Where the weights of a .json OUT go (default: OUT with .weights.h5).");
        var command = new Command("convert", "Convert a model between .h5/.hdf5, .keras and JSON + weights.") { input, output, weights, outputWeights };
        command.SetAction(p =>
        {
            string inPath = p.GetValue(input)!, outPath = p.GetValue(output)!;
            var source = new ModelSource(inPath, p.GetValue(weights));
            if (source.IsJson && source.Weights == null)
                throw new UsageException($"{inPath} holds only the architecture; add --weights FILE.");
            if (!source.IsJson && source.Weights != null)
                throw new UsageException("--weights goes with a .json IN; a .h5/.hdf5/.keras model already holds its weights.");
            if (ModelStore.Kind(outPath) != ModelFileKind.Json && p.GetValue(outputWeights) != null)
                throw new UsageException("--output-weights applies only when OUT is a .json architecture.");
            if (Path.GetFullPath(inPath) == Path.GetFullPath(outPath))
                throw new UsageException("IN and OUT are the same file.");
            var model = source.Load();
            foreach (var written in ModelStore.Save(model, outPath, p.GetValue(outputWeights)))
                context.Out.WriteLine($"Wrote {written}");
            return Cli.Success;
        });
        return command;
    }
}
