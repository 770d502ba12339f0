#nullable enable
using System.CommandLine;

namespace KerasNet.ConsoleApp.Commands;

/// <summary><c>kerasnet summary --model FILE</c>: Keras 2.4's <c>model.summary()</c> of any loadable model.</summary>
public static class SummaryCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(CliContext context)
    {
        var model = new CliOptions.ModelOptions();
        var command = new Command("summary", "Print the Keras summary of a model (.h5, .hdf5, .keras, or a .json architecture).");
        model.AddTo(command);
        command.SetAction(p =>
        {
            var network = model.Resolve(p, weightsRequired: false).Load();
            network.Summary(context.Out.WriteLine);
            return Cli.Success;
        });
        return command;
    }
}
