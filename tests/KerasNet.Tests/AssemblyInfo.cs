// Every test runs in a fresh KerasContext (automatic names, random streams, backend, limits, warning sink), so test
// classes run in parallel (xunit's default: one collection per class, up to one per core; see xunit.runner.json).
// Tests that need a process-wide resource join the serial "ProcessWide" collection (TestUtil/ProcessWideCollection.cs).
[assembly: KerasNet.Tests.TestUtil.KerasContextPerTest]
