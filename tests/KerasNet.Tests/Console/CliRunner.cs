#nullable enable
using System.Text;
using KerasNet.ConsoleApp.Commands;

namespace KerasNet.Tests.Console;

/// <summary>
/// Runs <c>kerasnet</c> in-process through its entry point and captures what it prints. Each run gets a fresh
/// <see cref="KerasContext"/> (as a new process would: names, seed, warnings) and its own console: the test process's
/// Console.Out and Console.Error are <see cref="FlowWriter"/>s that send a run's writes (its own, the library's
/// "Found N images" lines, the tutorial's prints) to that run's writers and everyone else's to the real streams, so
/// CLI tests run in parallel with other tests.
/// </summary>
public static class CliRunner
{
    public sealed record Result(int ExitCode, string Out, string Error);

    // Installed once, before the first run; Cli.Run leaves Console alone when handed Console.Out and Console.Error.
    private static readonly FlowWriter Out = Install(System.Console.Out, System.Console.SetOut);
    private static readonly FlowWriter Err = Install(System.Console.Error, System.Console.SetError);

    public static Result Run(params string[] args)
    {
        // A real kerasnet run is a fresh process: Keras's automatic names (conv2d, conv2d_1, ...) start over, whatever
        // the tests before this one created.
        KerasBackend.ClearSession();
        var (o, e) = (new StringWriter(), new StringWriter());
        int code;
        using (KerasContext.Use(new KerasContext()))
        using (Out.Route(o))
        using (Err.Route(e))
            code = Cli.Run(args, System.Console.Out, System.Console.Error);
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

    private static FlowWriter Install(TextWriter real, Action<TextWriter> set)
    {
        var w = new FlowWriter(real);
        set(w);
        return w;
    }

    /// <summary>A writer that forwards to the target routed for the current async flow, else to the real stream.</summary>
    public sealed class FlowWriter(TextWriter fallback) : TextWriter
    {
        private readonly AsyncLocal<TextWriter?> _route = new();

        private TextWriter Target => _route.Value ?? fallback;

        /// <summary>Sends this flow's writes to <paramref name="target"/> until disposed.</summary>
        public IDisposable Route(TextWriter target)
        {
            var previous = _route.Value;
            _route.Value = target;
            return new Restore(() => _route.Value = previous);
        }

        public override Encoding Encoding => Target.Encoding;
        public override IFormatProvider FormatProvider => Target.FormatProvider;
        [System.Diagnostics.CodeAnalysis.AllowNull]
        public override string NewLine { get => Target.NewLine; set => Target.NewLine = value; }
        public override void Write(char value) => Target.Write(value);
        public override void Write(char[] buffer, int index, int count) => Target.Write(buffer, index, count);
        public override void Write(ReadOnlySpan<char> buffer) => Target.Write(buffer);
        public override void Write(string? value) => Target.Write(value);
        public override void WriteLine() => Target.WriteLine();
        public override void WriteLine(string? value) => Target.WriteLine(value);
        public override void WriteLine(ReadOnlySpan<char> buffer) => Target.WriteLine(buffer);
        public override void Flush() => Target.Flush();

        private sealed class Restore(Action restore) : IDisposable
        {
            public void Dispose() => restore();
        }
    }
}
