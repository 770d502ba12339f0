#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KerasNet.Saving;

/// <summary>
/// The keras_version of the file a config is being read from, for the few names whose meaning changed between Keras
/// versions (Keras 3's <c>hard_sigmoid</c>). Set by <see cref="ModelConfigReader.Read"/> for one load (per thread, as
/// configs load on the calling thread) and captured by each <see cref="LayerConfigReader"/>.
/// </summary>
internal static class ConfigVersion
{
    [ThreadStatic] private static string? _current;

    /// <summary>The version of the config being read on this thread, or null (tf.keras 2 semantics).</summary>
    public static string? Current => _current;

    /// <summary>Sets the version until the returned scope is disposed (the previous one is restored).</summary>
    public static IDisposable Begin(string? version)
    {
        var scope = new Scope(_current);
        _current = version;
        return scope;
    }

    /// <summary>
    /// The version a model config records: its <c>keras_version</c> field (to_json of Keras 1-2), else "3" for Keras 3's
    /// serialization (a <c>module</c> key at the root: Keras 3's to_json writes no version), else null.
    /// </summary>
    public static string? Of(JsonObject root) =>
        root["keras_version"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
            : root.ContainsKey("module") ? "3" : null;

    private sealed class Scope(string? previous) : IDisposable
    {
        public void Dispose() => _current = previous;
    }
}
