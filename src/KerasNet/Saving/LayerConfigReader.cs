#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Layers;

namespace KerasNet.Saving;

/// <summary>
/// Reads one layer's Keras config, whatever Keras generation wrote it: every getter takes the Keras 2/3 field name
/// first and then its Keras 1 aliases (<c>filters</c> / <c>nb_filter</c>), and every failure names the source,
/// the layer and the field.
/// </summary>
public sealed class LayerConfigReader
{
    internal LayerConfigReader(JsonObject config, string className, string source)
    {
        Config = config;
        ClassName = className;
        Source = source;
        KerasVersion = ConfigVersion.Current;
        Name = config["name"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
    }

    /// <summary>The raw config object.</summary>
    public JsonObject Config { get; }

    /// <summary>The Keras class name of the entry.</summary>
    public string ClassName { get; }

    /// <summary>The file or text the config came from (for messages).</summary>
    public string Source { get; }

    /// <summary>The layer name in the config, if any.</summary>
    public string? Name { get; }

    /// <summary>
    /// The keras_version of the file the config came from ("2.4.0", "3.11.3"), or null when unknown (then read as
    /// tf.keras 2); names whose meaning changed in Keras 3 (<c>hard_sigmoid</c>) are read by it.
    /// </summary>
    public string? KerasVersion { get; }

    /// <summary>Whether any of the keys is present and not null.</summary>
    /// <param name="keys">The config keys to try, the current name first, then older Keras spellings (Keras 1's
    /// <c>border_mode</c>, ...).</param>
    /// <returns>True when one of the keys holds a non-null value.</returns>
    public bool Has(params string[] keys) => keys.Any(k => Config[k] != null);

    /// <summary>An error about this layer.</summary>
    /// <param name="problem">What is wrong.</param>
    /// <returns>The exception (to throw), naming the source, the layer and its class.</returns>
    public ModelConfigException Error(string problem) =>
        new($"{Source}: layer '{Name ?? "?"}' ({ClassName}): {problem}");

    private JsonNode Required(string[] keys) =>
        keys.Select(k => Config[k]).FirstOrDefault(n => n != null)
        ?? throw Error($"missing field '{keys[0]}'{(keys.Length > 1 ? $" (or {string.Join(", ", keys.Skip(1).Select(k => $"'{k}'"))})" : "")}.");

    /// <summary>A required integer.</summary>
    /// <param name="keys">The config keys to try, the current name first, then older Keras spellings (Keras 1's
    /// <c>border_mode</c>, ...).</param>
    /// <returns>The value; a missing or non-integer field throws.</returns>
    public int Int(params string[] keys) => AsInt(Required(keys), keys[0]);

    /// <summary>An optional integer.</summary>
    /// <param name="keys">The config keys to try, the current name first, then older Keras spellings (Keras 1's
    /// <c>border_mode</c>, ...).</param>
    /// <returns>The value, or null when absent.</returns>
    public int? OptionalInt(params string[] keys) => Has(keys) ? Int(keys) : null;

    /// <summary>A number.</summary>
    /// <param name="fallback">The value when no key is present (Keras's default for the field).</param>
    /// <param name="keys">The config keys to try, the current name first, then older Keras spellings (Keras 1's
    /// <c>border_mode</c>, ...).</param>
    /// <returns>The value, or <paramref name="fallback"/> when absent.</returns>
    public double Double(double fallback, params string[] keys)
    {
        if (!Has(keys)) return fallback;
        var n = Required(keys);
        return n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d)
            ? d : throw Error($"field '{keys[0]}' should be a number, got {n.ToJsonString()}.");
    }

    /// <summary>A boolean with a default.</summary>
    /// <param name="fallback">The value when no key is present (Keras's default for the field).</param>
    /// <param name="keys">The config keys to try, the current name first, then older Keras spellings (Keras 1's
    /// <c>border_mode</c>, ...).</param>
    /// <returns>The value, or <paramref name="fallback"/> when absent.</returns>
    public bool Bool(bool fallback, params string[] keys)
    {
        if (!Has(keys)) return fallback;
        var n = Required(keys);
        return n.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error($"field '{keys[0]}' should be true or false, got {n.ToJsonString()}."),
        };
    }

    /// <summary>A string with a default (null when absent and no default).</summary>
    /// <param name="fallback">The value when no key is present (Keras's default for the field).</param>
    /// <param name="keys">The config keys to try, the current name first, then older Keras spellings (Keras 1's
    /// <c>border_mode</c>, ...).</param>
    /// <returns>The value, or <paramref name="fallback"/> when absent.</returns>
    public string? String(string? fallback, params string[] keys)
    {
        if (!Has(keys)) return fallback;
        var n = Required(keys);
        return n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : throw Error($"field '{keys[0]}' should be a string, got {n.ToJsonString()}.");
    }

    /// <summary>A 2-D size given as [h, w] or a single int.</summary>
    /// <param name="keys">The config keys to try, the current name first, then older Keras spellings (Keras 1's
    /// <c>border_mode</c>, ...).</param>
    /// <returns>The size, or null when absent.</returns>
    public Size2? Size(params string[] keys)
    {
        if (!Has(keys)) return null;
        var n = Required(keys);
        if (n is JsonArray a)
        {
            if (a.Count != 2) throw Error($"field '{keys[0]}' should have 2 values, got {a.ToJsonString()}.");
            return new Size2(AsInt(a[0], keys[0]), AsInt(a[1], keys[0]));
        }
        int d = AsInt(n, keys[0]);
        return new Size2(d, d);
    }

    /// <summary>A batch shape [null, d1, ...] as the per-sample shape; null when absent.</summary>
    /// <param name="keys">The config keys to try, the current name first, then older Keras spellings (Keras 1's
    /// <c>border_mode</c>, ...).</param>
    /// <returns>The per-sample shape, or null when absent.</returns>
    public int[]? BatchShape(params string[] keys)
    {
        if (!Has(keys)) return null;
        if (Required(keys) is not JsonArray a || a.Count < 2) throw Error($"field '{keys[0]}' should be a batch shape like [null, 28, 28, 1].");
        return a.Skip(1).Select(d => d == null ? throw Error($"field '{keys[0]}' has an unknown (null) dimension; only the batch dimension may be null.") : AsInt(d, keys[0])).ToArray();
    }

    /// <summary>Whether the batch shape under the first present key has an unknown (null) dimension after the batch one.</summary>
    /// <param name="keys">The config keys to try, the current name first, then older Keras spellings (Keras 1's
    /// <c>border_mode</c>, ...).</param>
    /// <returns>True when a dimension after the batch one is null.</returns>
    public bool HasUnknownDims(params string[] keys) =>
        keys.Select(k => Config[k]).FirstOrDefault(n => n != null) is JsonArray a && a.Skip(1).Any(d => d is null);

    /// <summary>
    /// data_format, or Keras 1's dim_ordering ('th' is channels_first, 'tf' channels_last); channels_last when absent,
    /// as Keras 2 resolves a missing value from its default image_data_format.
    /// </summary>
    /// <returns><c>"channels_last"</c> or <c>"channels_first"</c>.</returns>
    public string DataFormat()
    {
        var f = String(null, "data_format");
        if (f != null) return f is "channels_last" or "channels_first" ? f : throw Error($"unknown data_format '{f}'.");
        return String("default", "dim_ordering") switch
        {
            "th" => "channels_first",
            "tf" or "default" => "channels_last",
            var o => throw Error($"unknown dim_ordering '{o}'."),
        };
    }

    /// <summary>padding, or Keras 1's border_mode; 'valid' when absent.</summary>
    /// <returns><c>"valid"</c>, <c>"same"</c> or <c>"causal"</c>, as the file says.</returns>
    public string Padding() => String("valid", "padding", "border_mode")!;

    /// <summary>
    /// An activation (a name, or a Keras 3 serialized function object) as the KerasNet name of the function the file
    /// means: <c>hard_sigmoid</c> of a Keras 3 file comes back as <see cref="Activations.HardSigmoidKeras3"/>.
    /// </summary>
    /// <param name="keys">The config keys to try, the current name first, then older Keras spellings (Keras 1's
    /// <c>border_mode</c>, ...).</param>
    /// <returns>The activation's name, or null when absent.</returns>
    public string? Activation(params string[] keys)
    {
        if (!Has(keys)) return null;
        var n = Required(keys);
        string name = n switch
        {
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonObject o when o["config"] is JsonValue cv && cv.GetValueKind() == JsonValueKind.String => cv.GetValue<string>(),
            JsonObject o when o["class_name"] is JsonValue cn => cn.GetValue<string>(),
            _ => throw Error($"field '{keys[0]}' should name an activation, got {n.ToJsonString()}."),
        };
        try { return Activations.Name(Activations.Parse(name, KerasVersion)); }
        catch (KerasNetException e) { throw Error($"field '{keys[0]}': {e.Message}"); }
    }

    /// <summary>
    /// An initializer in any form Keras wrote (a name such as "glorot_uniform", Keras 2's
    /// <c>{"class_name", "config"}</c> or Keras 3's <c>{"module", "class_name", "config", "registered_name"}</c>);
    /// <paramref name="fallback"/> when absent or null. A class KerasNet does not implement becomes an
    /// <see cref="UnknownInitializer"/> that keeps its config, so it never stops a model from loading.
    /// </summary>
    /// <param name="fallback">The Keras name of the layer's default initializer (<c>"glorot_uniform"</c>,
    /// <c>"zeros"</c>).</param>
    /// <param name="keys">The config keys to try, the current name first, then older Keras spellings (Keras 1's
    /// <c>border_mode</c>, ...).</param>
    /// <returns>The initializer.</returns>
    public Initializer Initializer(string fallback, params string[] keys) =>
        WeightObject(keys, Layers.Initializer.FromJson) ?? Layers.Initializer.Get(fallback);

    /// <summary>
    /// An optional regularizer (Keras 1's <c>{"name": ...}</c> form too); classes KerasNet does not know become
    /// an <see cref="UnknownRegularizer"/>.
    /// </summary>
    /// <param name="keys">The config keys to try, the current name first, then older Keras spellings (Keras 1's
    /// <c>border_mode</c>, ...).</param>
    /// <returns>The regularizer, or null when absent.</returns>
    public Regularizer? Regularizer(params string[] keys) => WeightObject(keys, Layers.Regularizer.FromJson);

    /// <summary>An optional constraint, in any Keras form; unknown classes become an <see cref="UnknownConstraint"/>.</summary>
    /// <param name="keys">The config keys to try, the current name first, then older Keras spellings (Keras 1's
    /// <c>border_mode</c>, ...).</param>
    /// <returns>The constraint, or null when absent.</returns>
    public Constraint? Constraint(params string[] keys) => WeightObject(keys, Layers.Constraint.FromJson);

    private T? WeightObject<T>(string[] keys, Func<JsonNode?, T?> read) where T : class
    {
        if (!Has(keys)) return null;
        try { return read(Required(keys)); }
        catch (KerasNetException e) { throw Error($"field '{keys.First(k => Config[k] != null)}': {e.Message}"); }
    }

    private int AsInt(JsonNode? n, string key)
    {
        if (n is JsonValue v)
        {
            if (v.TryGetValue<int>(out var i)) return i;
            if (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue) return (int)d;
        }
        throw Error($"field '{key}' should be an integer, got {n?.ToJsonString() ?? "null"}.");
    }
}
