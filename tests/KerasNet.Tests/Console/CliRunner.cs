#nullable enable
using KerasNet.ConsoleApp.Commands;

namespace KerasNet.Tests.Console;

/// <summary>Runs <c>kerasnet</c> in-process through its entry point and captures what it prints.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static Result Run(params string[] args)
    {
        var (o, e) = (new StringWriter(), new StringWriter());
        int code = Cli.Run(args, o, e);
        return new Result(code, o.ToString(), e.ToString());
    }
}
