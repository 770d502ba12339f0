#nullable enable
namespace KerasNet.Tests.Console;

/// <summary>CliRunner keeps each in-process run's console to itself, so CLI tests can run beside any other test.</summary>
public sealed class CliRunnerTests
{
    [Fact]
    public async Task ConsoleWritesOfOtherFlowsStayOutOfARun()
    {
        CliRunner.Run("--version"); // installs the routing writers
        using var stop = new CancellationTokenSource();
        var noise = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested) { System.Console.WriteLine("NOISE"); System.Console.Error.WriteLine("NOISE"); Thread.Sleep(1); }
        });
        try
        {
            for (int i = 0; i < 20; i++)
            {
                var r = CliRunner.Run("--version");
                Assert.Equal(0, r.ExitCode);
                Assert.DoesNotContain("NOISE", r.Out + r.Error);
                Assert.NotEmpty(r.Out);
                var bad = CliRunner.Run("summary", "--model", "/nonexistent/absent.h5");
                Assert.DoesNotContain("NOISE", bad.Out + bad.Error);
                Assert.Contains("absent.h5", bad.Error);
            }
        }
        finally { stop.Cancel(); }
        await noise;
    }

    [Fact]
    public void ParallelRunsKeepTheirOutputAndNames()
    {
        var results = new CliRunner.Result[6];
        Parallel.For(0, results.Length, i => results[i] = CliRunner.Run("summary", "--model", $"/nonexistent/absent{i}.h5"));
        for (int i = 0; i < results.Length; i++)
        {
            CliRunner.AssertOneLineError(results[i], 1, $"absent{i}.h5");
            for (int j = 0; j < results.Length; j++) if (j != i) Assert.DoesNotContain($"absent{j}.h5", results[i].Error);
        }
    }
}
