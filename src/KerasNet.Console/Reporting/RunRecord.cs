#nullable enable
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.ConsoleApp.Commands;
using KerasNet.Saving;

namespace KerasNet.ConsoleApp.Reporting;

/// <summary>
/// <c>run.json</c>, the record of one <c>train</c> run: when (UTC), the seed, the command line, the data folder, image
/// size, epochs, batch size, the class names in index order, and every file of the run with its size and SHA-256.
/// It is the first file moved into the output folder and the model files the last, so <see cref="Verify"/> tells a
/// folder holding one run's files from one caught between two runs.
/// </summary>
public static class RunRecord
{
    /// <summary>The record's file name.</summary>
    public const string FileName = "run.json";

    /// <summary>Writes the record into <paramref name="folder"/>, listing every other file below it.</summary>
    public static void Write(string folder, TrainSettings settings, IReadOnlyList<string> classNames)
    {
        var files = new JsonObject();
        foreach (var (name, path) in Files(folder))
            files[name] = new JsonObject { ["bytes"] = new FileInfo(path).Length, ["sha256"] = Sha256(path) };
        var record = new JsonObject
        {
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["seed"] = settings.Seed,
            ["arguments"] = new JsonArray((settings.Arguments ?? []).Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["data"] = Path.GetFullPath(settings.DataDirectory),
            ["image_size"] = settings.ImageSize,
            ["epochs"] = settings.Epochs,
            ["batch_size"] = settings.BatchSize,
            ["classes"] = new JsonArray(classNames.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
            ["files"] = files,
        };
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), record.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>
    /// What is wrong with the run in <paramref name="folder"/>: files its record lists that are missing or differ,
    /// and output files it does not list. Empty for a consistent folder (or one without a record and without outputs).
    /// </summary>
    public static List<string> Verify(string folder)
    {
        var problems = new List<string>();
        var recordPath = Path.Combine(folder, FileName);
        var present = Files(folder).Where(f => !f.Name.StartsWith('.')).ToDictionary(f => f.Name, f => f.Path);
        if (!File.Exists(recordPath))
        {
            if (present.Count > 0) problems.Add($"no {FileName}, but output files: {string.Join(", ", present.Keys)}");
            return problems;
        }
        JsonObject files;
        try { files = (JsonNode.Parse(File.ReadAllText(recordPath)) as JsonObject)?["files"] as JsonObject ?? throw new JsonException("no 'files'"); }
        catch (JsonException e) { problems.Add($"{FileName} is not a run record ({e.Message})"); return problems; }
        foreach (var (name, entry) in files)
        {
            if (!present.TryGetValue(name, out var path)) { problems.Add($"{name} is listed but missing"); continue; }
            if (new FileInfo(path).Length != entry!["bytes"]!.GetValue<long>() || Sha256(path) != entry["sha256"]!.GetValue<string>())
                problems.Add($"{name} is not the file of this run");
        }
        foreach (var name in present.Keys)
            if (name != FileName && !files.ContainsKey(name)) problems.Add($"{name} is not part of the recorded run");
        return problems;
    }

    // Every file below the folder ('/'-separated relative names), skipping hidden entries (staging, temporary files).
    private static IEnumerable<(string Name, string Path)> Files(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 };
        foreach (var path in Directory.EnumerateFiles(folder, "*", options).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(folder, path).Replace(Path.DirectorySeparatorChar, '/');
            if (name == FileName || name.Split('/').Any(part => part.StartsWith('.'))) continue;
            yield return (name, path);
        }
    }

    private static string Sha256(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }
}
