#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// A layer whose training arithmetic depends on which Keras wrote the model it was loaded from (BatchNormalization:
/// tf.keras 2.x's fused kernel updates the moving variance with the unbiased batch variance, Keras 1 and 3 with the
/// biased one). The loaders tell it once the model is built.
/// </summary>
internal interface ISavedByAware
{
    /// <summary>The model came from a file or config written by Keras <paramref name="kerasVersion"/> on <paramref name="backend"/> (null: unknown).</summary>
    void LoadedFrom(string kerasVersion, string? backend);
}

/// <summary>Hands the writer's Keras version to every <see cref="ISavedByAware"/> layer of a loaded model.</summary>
internal static class SavedBy
{
    /// <summary>Tells every layer of <paramref name="model"/>, nested models included; a null version changes nothing.</summary>
    public static void Apply(Model model, string? kerasVersion, string? backend)
    {
        if (kerasVersion is null) return;
        foreach (var l in model.Layers)
        {
            if (l is Model inner) Apply(inner, kerasVersion, backend);
            else if (l is ISavedByAware aware) aware.LoadedFrom(kerasVersion, backend);
        }
    }

    /// <summary>
    /// The writer of a to_json() text: its <c>keras_version</c> (Keras 1 and 2 write one), "3" for Keras 3's
    /// serialization (a <c>module</c> field and no version), else null (unknown: KerasNet's tf.keras 2.4 rules stay).
    /// </summary>
    public static (string? Version, string? Backend) OfJson(JsonObject root)
    {
        string? Str(string key) => root[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        if (Str("keras_version") is { } version) return (version, Str("backend"));
        return root.ContainsKey("module") ? ("3", null) : (null, null);
    }
}
