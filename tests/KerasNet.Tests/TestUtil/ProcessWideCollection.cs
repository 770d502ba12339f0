namespace KerasNet.Tests.TestUtil;

/// <summary>
/// Tests that use a resource of the whole process, which a per-test <see cref="KerasContext"/> cannot isolate. xunit runs
/// this collection after every parallel collection has finished, one test at a time. Members: the test that changes the
/// current directory (DatasetLocatorTests), the GEMM tests that force each vector width (Gemm.Width is
/// process-wide: other tests' bit-identity checks would mix the two paths), and the kill test (25 child processes killed
/// at random moments within a 40 s budget: timing-sensitive on a 2-core machine), and the inference-memory test
/// (it measures the managed heap of this process around a call that grows gigabytes of buffers). The in-process CLI tests are not
/// here: CliRunner gives each run its own console through async-flow routing writers.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideCollection
{
    public const string Name = "ProcessWide";
}
