#nullable enable
using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>Where a command writes: its normal output and its error stream.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error)
{
    /// <summary>
    /// Whether <see cref="Out"/> is the process's own standard output (the app, not a test capturing it): Keras's
    /// progress bar then goes through Console.Out, redrawn in place on a terminal; otherwise straight to <see cref="Out"/>.
    /// </summary>
    public bool OutIsConsole { get; init; }
}

/// <summary>
/// The <c>kerasnet</c> command line: builds the commands, parses, runs, and turns every failure into an exit code
/// with a one-line message: 0 success, 1 a runtime failure (a <see cref="KerasNetException"/>, no stack trace),
/// 2 bad arguments, 130/143 when <c>train</c> or <c>fit</c> was stopped by SIGINT/SIGTERM (<see cref="Interruption"/>). Without a command (or with only options) it runs <c>train</c>, the tutorial.
/// </summary>
public static class Cli
{
    /// <summary>Exit code of a successful run.</summary>
    public const int Success = 0;
    /// <summary>Exit code of a runtime failure (and of <c>compare</c> when the inputs differ).</summary>
    public const int Failure = 1;
    /// <summary>Exit code of bad arguments.</summary>
    public const int UsageError = 2;

    // Each subcommand with its factory. Start-up: a run builds only the subcommand it names (building all eight, with
    // every option and its validators, costs more than parsing); help and errors at the root build them all.
    private static readonly (string Name, Func<CliContext, Command> Create)[] Subcommands =
    [
        ("train", TrainCommand.Create),
        ("predict", PredictCommand.Create),
        ("evaluate", EvaluateCommand.Create),
        ("fit", FitCommand.Create),
        ("featuremaps", FeatureMapsCommand.Create),
        ("summary", SummaryCommand.Create),
        ("convert", ConvertCommand.Create),
        ("compare", CompareCommand.Create),
        ("serve", ServeCommand.Create),
    ];

    /// <summary>Builds the root command with every subcommand, or only with <paramref name="only"/> when that names one.</summary>
    public static Command BuildRoot(CliContext context, string? only = null)
    {
        // A plain command named "kerasnet" (RootCommand would take the assembly's name, KerasNet.Console, for the help text).
        var root = new Command("kerasnet", "KerasNet: Keras for .NET. Without a command, runs 'train' (the tutorial).")
        {
            new HelpOption(),
            new VersionOption(),
        };
        // A loop, not LINQ: Any over a tuple array is generic code JIT-compiled at every start (issue 17).
        bool known = false;
        foreach (var (name, _) in Subcommands) known |= name == only;
        foreach (var (name, create) in Subcommands)
            if (!known || name == only) root.Subcommands.Add(create(context));
        return root;
    }

    /// <summary>
    /// Runs the app with <paramref name="args"/>, writing to <paramref name="output"/> and <paramref name="error"/>, and
    /// returns the exit code. Console.Out and Console.Error point at the writers meanwhile, so library messages
    /// (Keras's <c>Found N images</c> lines) land in the same place; this is how tests run commands in-process.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0 || (args[0].StartsWith('-') && !IsRootOption(args[0]))) args = ["train", .. args];
        StartupTrace.Mark("main, " + IsaDispatch.Describe());
        var context = new CliContext(output, error) { OutIsConsole = ReferenceEquals(output, Console.Out) };
        var root = BuildRoot(context, args[0]);
        StartupTrace.Mark("commands built");
        var parse = root.Parse(args);
        StartupTrace.Mark("parsed");
        string command = CommandPath(parse);
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        if (!ReferenceEquals(output, oldOut)) Console.SetOut(output);
        if (!ReferenceEquals(error, oldErr)) Console.SetError(error);
        try
        {
            if (parse.Action is ParseErrorAction)
            {
                // An unknown word explains more than the "required command" error it also causes.
                var first = parse.Errors.FirstOrDefault(e => e.Message.Contains("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
                return Usage(error, command, first.Message);
            }
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e) { return Usage(error, command, e.Message); }
        catch (InterruptedException e)
        {
            error.WriteLine($"{command}: {OneLine(e.Message)}");
            return e.ExitCode;
        }
        catch (KerasNetException e) { return Fail(error, command, e.Message); }
        // Anything else is a KerasNet bug or an environment problem: still one line, and KERASNET_DEBUG=1 shows where.
        catch (Exception e)
        {
            if (Environment.GetEnvironmentVariable("KERASNET_DEBUG") == "1") { error.WriteLine(e); return Failure; }
            return Fail(error, command, $"internal error ({e.GetType().Name}): {e.Message} (set KERASNET_DEBUG=1 for details)");
        }
        finally
        {
            output.Flush();
            error.Flush();
            StartupTrace.Mark("done");
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    private static int Usage(TextWriter error, string command, string message)
    {
        error.WriteLine($"{command}: {OneLine(message)} (see '{command} --help')");
        return UsageError;
    }

    private static int Fail(TextWriter error, string command, string message)
    {
        error.WriteLine($"{command}: error: {OneLine(message)}");
        return Failure;
    }

    private static string OneLine(string s) => string.Join(" ", s.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static bool IsRootOption(string arg) => arg is "-h" or "-?" or "--help" or "/?" or "/h" or "--version";

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r != null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command.Name);
        return string.Join(" ", names);
    }
}
