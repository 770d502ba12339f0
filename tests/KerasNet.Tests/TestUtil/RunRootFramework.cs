#nullable enable
using System.Reflection;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KerasNet.Tests.TestUtil;

/// <summary>
/// xunit's own framework with one addition: when every test of the assembly has finished, and before xunit reports the
/// run finished (after which the test host may be stopped at any moment), the run's temporary root
/// (<see cref="TestTemp.Root"/>) is deleted and what it held is reported as a diagnostic message.
/// </summary>
public sealed class RunRootFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    /// <inheritdoc/>
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName name, ISourceInformationProvider source, IMessageSink diagnostics)
        : XunitTestFrameworkExecutor(name, source, diagnostics)
    {
        protected override async void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            using var runner = new Runner(TestAssembly, testCases, DiagnosticMessageSink, executionMessageSink, executionOptions);
            await runner.RunAsync();
        }
    }

    private sealed class Runner(ITestAssembly assembly, IEnumerable<IXunitTestCase> testCases, IMessageSink diagnostics,
        IMessageSink execution, ITestFrameworkExecutionOptions options)
        : XunitTestAssemblyRunner(assembly, testCases, diagnostics, execution, options)
    {
        protected override Task BeforeTestAssemblyFinishedAsync()
        {
            var (folders, bytes) = TestTemp.Measure(TestTemp.Root);
            bool deleted = TestTemp.DeleteTree(TestTemp.Root);
            DiagnosticMessageSink.OnMessage(new DiagnosticMessage(
                $"Test run root {TestTemp.Root}: {folders} folder(s), {bytes / 1e6:F1} MB {(deleted ? "deleted" : "could NOT be deleted")}."));
            return base.BeforeTestAssemblyFinishedAsync();
        }
    }
}
