#nullable enable
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using KerasNet.Callbacks;
using KerasNet.Layers;
using KerasNet.Losses;
using KerasNet.Metrics;
using KerasNet.Optimizers;
using KerasNet.Saving;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Console;

/// <summary>
/// The README's table of what KerasNet supports is generated from the code: the layer classes the config registry
/// loads (with their Keras aliases, grouped by the folder their file lives in), and the public loss, metric,
/// optimizer and callback classes. The test fails when the README and the code disagree;
/// <c>KERASNET_UPDATE_README=1</c> rewrites the README's table instead.
/// </summary>
public sealed partial class ReadmeSupportTableTests
{
    private const string Begin = "<!-- supported:begin -->", End = "<!-- supported:end -->";

    [GeneratedRegex(@"\bclass\s+(\w+)")]
    private static partial Regex ClassDeclaration();

    /// <summary>The folder (family) under src/KerasNet/Layers that declares each class; root files by their role.</summary>
    private static Dictionary<string, string> Families()
    {
        var layers = Path.Combine(Oracle.RepoRoot, "src", "KerasNet", "Layers");
        var family = new Dictionary<string, string>();
        foreach (var file in Directory.EnumerateFiles(layers, "*.cs", SearchOption.AllDirectories))
        {
            var folder = Path.GetRelativePath(layers, Path.GetDirectoryName(file)!).Split(Path.DirectorySeparatorChar)[0];
            foreach (Match m in ClassDeclaration().Matches(File.ReadAllText(file)))
                family.TryAdd(m.Groups[1].Value, folder == "." ? RootFamily(m.Groups[1].Value) : folder);
        }
        return family;
    }

    // The tutorial's first layers predate the family folders.
    private static string RootFamily(string cls) => cls switch
    {
        "Conv2D" => "Convolution",
        "MaxPooling2D" or "AveragePooling2D" => "Pooling",
        _ => "Core",
    };

    private static IEnumerable<Type> Concrete<T>() => typeof(Layer).Assembly.GetTypes()
        .Where(t => t.IsPublic && !t.IsAbstract && typeof(T).IsAssignableFrom(t)).OrderBy(t => t.Name, StringComparer.Ordinal);

    internal static string Generate()
    {
        var families = Families();
        var registered = LayerRegistry.ClassNames.ToHashSet();
        var rows = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var t in Concrete<Layer>())
        {
            var names = t.GetCustomAttribute<KerasLayerAttribute>()?.ClassNames.Where(registered.Contains).ToList();
            if (names is not { Count: > 0 }) continue;
            var family = families.TryGetValue(t.Name, out var f) ? f : "Core";
            var text = names.Count == 1 ? names[0] : $"{names[0]} ({string.Join(", ", names.Skip(1))})";
            (rows.TryGetValue(family, out var list) ? list : rows[family] = []).Add(text);
        }
        var sb = new StringBuilder();
        sb.Append(Begin).Append('\n');
        sb.Append("| What | Keras classes (aliases read from older files in brackets) |\n|---|---|\n");
        sb.Append("| Models | Sequential, Functional (Model), either nested in another as a layer; InputLayer |\n");
        foreach (var (family, list) in rows) sb.Append($"| Layers: {family} | {string.Join(", ", list.Order(StringComparer.Ordinal))} |\n");
        void Row<T>(string what) => sb.Append($"| {what} | {string.Join(", ", Concrete<T>().Select(t => t.Name))} |\n");
        Row<Loss>("Losses");
        Row<Metric>("Metrics");
        Row<Optimizer>("Optimizers");
        Row<Callback>("Callbacks");
        sb.Append("| Files | `.h5`/`.hdf5` (Keras 1, 2 and tf.keras; full models and weights), `.keras` (Keras 3), `.weights.h5`, model JSON (`to_json`), `.npy` arrays |\n");
        sb.Append(End);
        return sb.ToString();
    }

    [Fact]
    public void TheReadmeTableIsWhatTheCodeHas()
    {
        var path = Path.Combine(Oracle.RepoRoot, "README.md");
        var readme = File.ReadAllText(path).Replace("\r\n", "\n");
        int b = readme.IndexOf(Begin, StringComparison.Ordinal), e = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(b >= 0 && e > b, $"README.md has no {Begin} ... {End} section");
        var current = readme[b..(e + End.Length)];
        var generated = Generate();
        if (Environment.GetEnvironmentVariable("KERASNET_UPDATE_README") == "1" && current != generated)
        {
            File.WriteAllText(path, readme[..b] + generated + readme[(e + End.Length)..]);
            return;
        }
        Assert.True(current == generated, "README.md's supported table is out of date: run `KERASNET_UPDATE_README=1 dotnet test --filter ReadmeSupportTable`.\n" + generated);
        // The table is not empty words: it names the tutorial's classes and Keras 1's aliases.
        Assert.Contains("Conv2D (Convolution2D", generated);
        Assert.Contains("| Optimizers | ", generated);
    }
}
