#nullable enable
using System.Text.Json;
using KerasNet.Tests.TestUtil;

namespace KerasNet.Tests.Preprocessing;

/// <summary>
/// Builds the mixed-format class folder with PIL once (prep_oracle.py make) and runs keras_preprocessing's
/// flow_from_directory on it for every configuration the tests compare against.
/// </summary>
public sealed class KerasFolderFixture : IDisposable
{
    /// <summary>The configurations, in the order of the oracle's outputs.</summary>
    public static readonly (string ColorMode, string Interpolation, int H, int W)[] Configs =
    [
        ("rgb", "nearest", 64, 64),
        ("grayscale", "nearest", 64, 64),
        ("rgba", "nearest", 64, 64),
        ("rgb", "bilinear", 64, 64),
        ("rgba", "bilinear", 48, 40),
        ("rgb", "bicubic", 33, 70),
        ("grayscale", "bicubic", 64, 64),
    ];

    /// <summary>validation_split subsets compared by listing only.</summary>
    public static readonly (double Split, string Subset)[] SplitConfigs =
        [(0.3, "training"), (0.3, "validation"), (0.5, "validation"), (0.77, "training")];

    private readonly Lazy<string?> _setup;

    public KerasFolderFixture() => _setup = new Lazy<string?>(Setup);

    /// <summary>The folder of images (null when the oracle is missing).</summary>
    public string Folder => Path.Combine(Root, "images");

    /// <summary>The oracle outputs.</summary>
    public string OutDir => Path.Combine(Root, "keras");

    private string Root { get; } = Oracle.TempDir();

    /// <summary>Skips without the oracle; otherwise makes sure the folder and Keras's outputs exist.</summary>
    public void Require()
    {
        Oracle.RequirePython("keras_preprocessing", "PIL", "scipy");
        _ = _setup.Value;
    }

    private string? Setup()
    {
        Oracle.RunPythonScript("prep_oracle.py", "make", Folder);
        var cfg = Configs.Select(c => new Dictionary<string, object>
        {
            ["target_size"] = new[] { c.H, c.W }, ["color_mode"] = c.ColorMode, ["interpolation"] = c.Interpolation,
            ["rescale"] = 1.0 / 255,
        }).ToList();
        var cfgPath = Path.Combine(Root, "flow.json");
        File.WriteAllText(cfgPath, JsonSerializer.Serialize(cfg));
        Oracle.RunPythonScript("prep_oracle.py", "flow", Folder, OutDir, cfgPath);
        var split = SplitConfigs.Select(c => new Dictionary<string, object>
        {
            ["target_size"] = new[] { 8, 8 }, ["color_mode"] = "rgb", ["interpolation"] = "nearest",
            ["validation_split"] = c.Split, ["subset"] = c.Subset, ["pixels"] = false,
        }).ToList();
        File.WriteAllText(cfgPath, JsonSerializer.Serialize(split));
        Oracle.RunPythonScript("prep_oracle.py", "flow", Folder, Path.Combine(OutDir, "split"), cfgPath);
        return OutDir;
    }

    /// <summary>Keras's class_indices, filenames and classes for configuration i.</summary>
    public (Dictionary<string, int> ClassIndices, string[] Filenames, int[] Classes) Meta(int i, string? sub = null)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(sub == null ? OutDir : Path.Combine(OutDir, sub), $"{i}.json")));
        var r = doc.RootElement;
        return (r.GetProperty("class_indices").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()),
            r.GetProperty("filenames").EnumerateArray().Select(e => e.GetString()!).ToArray(),
            r.GetProperty("classes").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
