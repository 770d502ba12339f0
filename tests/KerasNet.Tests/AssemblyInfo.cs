// Every test runs in a fresh KerasContext (automatic names, random streams, backend, limits, warning sink), so test
// classes run in parallel (xunit's default: one collection per class, as many at once as there are cores), the longest
// classes first. Tests that need a process-wide resource join the serial "ProcessWide" collection
// (TestUtil/ProcessWideCollection.cs), which runs alone after the others.
[assembly: KerasNet.Tests.TestUtil.KerasContextPerTest]
[assembly: TestCollectionOrderer("KerasNet.Tests.TestUtil.LongestFirstCollectionOrderer", "KerasNet.Tests")]
// xunit's framework plus the deletion of the run's temporary root when the tests are done (TestUtil/RunRootFramework.cs).
[assembly: TestFramework("KerasNet.Tests.TestUtil.RunRootFramework", "KerasNet.Tests")]
