#nullable enable
using System.CommandLine;
using KerasNet.ConsoleApp.Reporting;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>
/// <c>kerasnet featuremaps --model FILE --image IMG --output DIR</c>: the activations of every Conv2D layer (or of the
/// layers named with <c>--layers</c>) for one image, as the tutorial draws them: <c>DIR/&lt;layer&gt;.png</c>, a grid
/// with one min-max normalised grey tile per channel titled with the layer's name and shape, and with <c>--npy</c>
/// <c>DIR/&lt;layer&gt;.npy</c> (float32, (1, H, W, C)). The image is prepared as <c>predict --images</c> prepares it.
/// </summary>
public static class FeatureMapsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new CliOptions.ModelOptions();
        var image = CliOptions.Path("--image", "The image file to run through the model.", required: true, helpName: "IMG");
        var targetSize = CliOptions.TargetSize();
        var rescale = CliOptions.Rescale();
        var colorMode = CliOptions.ColorMode();
        var layers = new Option<string[]>("--layers")
        {
            Description = "Draw these layers (names as in 'summary'; each must output H x W x C maps) instead of every Conv2D layer.",
            HelpName = "NAME ...",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = CliOptions.Path("--output", "Folder for <layer>.png (and <layer>.npy with --npy); created when missing.", required: true, helpName: "DIR");
        var npy = new Option<bool>("--npy") { Description = "Also write each layer's activations as DIR/<layer>.npy, float32 of shape (1, H, W, C)." };
        var command = new Command("featuremaps", "Draw the feature maps (layer activations) of a model for one image, one PNG grid per layer.");
        model.AddTo(command);
        foreach (var o in new Option[] { image, targetSize, rescale, colorMode, layers, output, npy }) command.Options.Add(o);
        command.SetAction(p =>
        {
            var network = model.Resolve(p, weightsRequired: true).Load();
            string imagePath = p.GetValue(image)!, dir = p.GetValue(output)!;
            if (File.Exists(dir)) throw new KerasNetException($"{dir}: --output must be a folder, but this is a file.");
            var names = p.GetValue(layers) ?? [];
            var chosen = names.Length > 0 ? FeatureMaps.NamedLayers(network, names) : FeatureMaps.DefaultLayers(network);
            var x = new ImageOptions(p.GetValue(targetSize), p.GetValue(rescale), p.GetValue(colorMode), BatchSize: 1).LoadImage(imagePath, network);
            var maps = FeatureMaps.Compute(network, chosen, x);
            foreach (var file in FeatureMaps.Write(dir, maps, p.GetValue(npy)))
                context.Out.WriteLine($"Wrote {file}");
            return Cli.Success;
        });
        return command;
    }
}
