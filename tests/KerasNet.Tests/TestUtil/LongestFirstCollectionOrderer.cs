#nullable enable
using Xunit.Abstractions;
using Xunit.Sdk;

namespace KerasNet.Tests.TestUtil;

/// <summary>
/// Starts the longest test classes first (longest-processing-time scheduling): xunit runs a class's tests one after
/// another, so a long class started last decides when the parallel phase ends. The list is measured (mean test time
/// per class on the 2-core machine, heaviest first); classes not in it follow in xunit's default order. Only the start
/// order changes: a stale list costs time, never correctness.
/// </summary>
public sealed class LongestFirstCollectionOrderer : ITestCollectionOrderer
{
    private static readonly string[] Longest =
    [
        "KerasNet.Tests.Faults.SignalTests",
        "KerasNet.Tests.Faults.FuzzTests",
        "KerasNet.Tests.Faults.StreamingMemoryTests",
        "KerasNet.Tests.Models.TfjsGraphOracleTests",
        "KerasNet.Tests.Console.EndToEndTests",
        "KerasNet.Tests.Models.OnnxOracleTests",
        "KerasNet.Tests.Models.TrainingOracleTests",
        "KerasNet.Tests.Sklearn.SklearnMetricsTests",
        "KerasNet.Tests.Preprocessing.DecoderFuzzTests",
        "KerasNet.Tests.Models.FixtureRebuildTests",
        "KerasNet.Tests.Layers.LayerGradientTests",
        "KerasNet.Tests.Losses.LossTests",
    ];

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        new DefaultTestCollectionOrderer().OrderTestCollections(testCollections).OrderBy(Rank); // stable

    // A class's own collection is named "Test collection for <full class name>".
    private static int Rank(ITestCollection c)
    {
        for (int i = 0; i < Longest.Length; i++)
            if (c.DisplayName.EndsWith(" " + Longest[i], StringComparison.Ordinal)) return i;
        return Longest.Length;
    }
}
