#nullable enable
using KerasNet.ConsoleApp.Commands;

namespace KerasNet.Tests.Console;

/// <summary>Runs <c>kerasnet</c> in-process through its entry point and captures what it prints.</summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error);

    public static Result Run(params string[] args)
    {
        // A real kerasnet run is a fresh process: Keras's automatic names (conv2d, conv2d_1, ...) start over, whatever
        // the tests before this one created.
        KerasBackend.ClearSession();
        var (o, e) = (new StringWriter(), new StringWriter());
        int code = Cli.Run(args, o, e);
        return new Result(code, o.ToString(), e.ToString());
    }

    /// <summary>Asserts the exit code and a single error line that contains every expected text.</summary>
    public static void AssertOneLineError(Result r, int exitCode, params string[] expected)
    {
        Assert.Equal(exitCode, r.ExitCode);
        var lines = r.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        foreach (var text in expected) Assert.Contains(text, lines[0]);
    }
}
