#nullable enable
namespace KerasNet.ConsoleApp.Commands;

/// <summary>Finds the tutorial's dataset: a folder holding <c>training_set/</c> and <c>test_set/</c>.</summary>
public static class DatasetLocator
{
    /// <summary>
    /// The folder given with <c>--data</c> (checked), or else the single dataset under <c>data/</c>: looked for in the
    /// current folder and then beside KerasNet.sln above the app, so <c>run.sh</c> works from anywhere.
    /// </summary>
    public static string Resolve(string? given)
    {
        if (given != null) return Check(given);
        var dataDir = Candidates().FirstOrDefault(Directory.Exists)
            ?? throw new KerasNetException("No data/ folder found (looked in the current folder and the repository root); pass --data DIR with training_set/ and test_set/.");
        if (IsDataset(dataDir)) return dataDir;
        var sets = Directory.GetDirectories(dataDir).Where(IsDataset).Order(StringComparer.Ordinal).ToList();
        return sets.Count switch
        {
            1 => sets[0],
            0 => throw new KerasNetException($"{dataDir}: no dataset inside (a folder with training_set/ and test_set/); pass --data DIR."),
            _ => throw new KerasNetException($"{dataDir}: several datasets ({string.Join(", ", sets.Select(Path.GetFileName))}); choose one with --data DIR."),
        };
    }

    private static string Check(string dir)
    {
        if (!Directory.Exists(dir)) throw new KerasNetException($"{dir}: data folder not found.");
        foreach (var sub in new[] { "training_set", "test_set" })
            if (!Directory.Exists(Path.Combine(dir, sub))) throw new KerasNetException($"{dir}: no {sub}/ folder inside (expected training_set/ and test_set/ with one subfolder per class).");
        return dir;
    }

    private static bool IsDataset(string dir) =>
        Directory.Exists(Path.Combine(dir, "training_set")) && Directory.Exists(Path.Combine(dir, "test_set"));

    private static IEnumerable<string> Candidates()
    {
        yield return "data";
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "KerasNet.sln"))) { yield return Path.Combine(d.FullName, "data"); yield break; }
    }
}
