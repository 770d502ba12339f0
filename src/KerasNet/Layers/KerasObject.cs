#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

/// <summary>
/// A Keras object that a layer config holds by class name and config: an <see cref="Initializer"/>, a
/// <see cref="Regularizer"/> or a <see cref="Constraint"/>. Keras 2 saves it as <c>{"class_name", "config"}</c>,
/// Keras 3 as <c>{"module", "class_name", "config", "registered_name"}</c>.
/// </summary>
public abstract class KerasObject
{
    /// <summary>Keras class name ("GlorotUniform", "L2", "MaxNorm").</summary>
    public abstract string ClassName { get; }

    /// <summary>The Keras config object, with tf.keras 2.4's fields.</summary>
    /// <returns>The config as a JSON object, Keras's field names to values (what <c>get_config()</c> returns, as saved
    /// in a model file).</returns>
    public virtual JsonObject GetConfig() => new();

    /// <summary>
    /// The config this object was read from, if any. Its numbers keep their spelling when written back
    /// (<c>-1</c> stays <c>-1</c>, not <c>-1.0</c>), as Python keeps an int an int, so a loaded model writes
    /// the config it was read from.
    /// </summary>
    internal JsonObject? ReadConfig { get; set; }

    /// <summary>Keras 3's module for this family ("keras.initializers").</summary>
    internal abstract string Keras3Module { get; }

    /// <summary>
    /// The class name Keras 3 writes: the one read from a Keras 3 config, since Keras 3 versions spell some
    /// classes differently (OrthogonalInitializer, then Orthogonal), else <see cref="ClassName"/>.
    /// </summary>
    internal virtual string Keras3ClassName => Keras3NameAsRead ?? ClassName;

    private string? Keras3NameAsRead { get; set; }

    /// <summary>
    /// Reads a node in any Keras form: <paramref name="create"/> makes the classes KerasNet knows (null for others),
    /// <paramref name="unknown"/> keeps the rest as read. Null for JSON null.
    /// </summary>
    internal static T? Read<T>(JsonNode? node, string what, Func<string, KerasObjectSpec, T?> create, Func<KerasObjectSpec, T> unknown)
        where T : KerasObject
    {
        var spec = KerasObjectSpec.Parse(node, what);
        if (spec is null) return null;
        var obj = spec.IsCustom ? null : create(spec.ClassName, spec);
        if (obj is null) return unknown(spec);
        if (!spec.IsName) obj.ReadConfig = (JsonObject)spec.Config.DeepClone();
        if (spec.IsKeras3) obj.Keras3NameAsRead = spec.ClassName;
        return obj;
    }

    /// <summary>Keras 3's config: the same fields, in Keras 3's order.</summary>
    internal virtual JsonObject GetKeras3Config() => GetConfig();

    /// <summary>tf.keras 2.4's serialized form.</summary>
    internal virtual JsonNode ToKeras2Json() => new JsonObject { ["class_name"] = ClassName, ["config"] = GetConfig() };

    /// <summary>Keras 3's serialized form (serialize_keras_object).</summary>
    internal virtual JsonNode ToKeras3Json() => new JsonObject
    {
        ["module"] = Keras3Module,
        ["class_name"] = Keras3ClassName,
        ["config"] = GetKeras3Config(),
        ["registered_name"] = null,
    };

    /// <summary>
    /// Puts back the spelling of the values this object was read from: every non-string field present in both
    /// (numbers, null or SeedGenerator seeds, axis lists). Strings stay canonical, because Keras normalises them
    /// (VarianceScaling's legacy distribution "normal" is written "truncated_normal").
    /// </summary>
    private protected JsonObject AsRead(JsonObject canonical)
    {
        if (ReadConfig is null) return canonical;
        foreach (var key in canonical.Select(p => p.Key).ToList())
        {
            if (!ReadConfig.TryGetPropertyValue(key, out var read)) continue;
            if (IsString(canonical[key]) || IsString(read)) continue;
            canonical[key] = read?.DeepClone();
        }
        return canonical;
    }

    /// <summary>Moves "seed" first, where Keras 3's random initializers put their base class's field.</summary>
    private protected static JsonObject SeedFirst(JsonObject config)
    {
        if (!config.ContainsKey("seed")) return config;
        var o = new JsonObject { ["seed"] = config["seed"]?.DeepClone() };
        foreach (var (k, v) in config) if (k != "seed") o[k] = v?.DeepClone();
        return o;
    }

    private static bool IsString(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    /// <inheritdoc/>
    public override string ToString() => ClassName;
}

/// <summary>
/// One serialized Keras object as a config holds it, in any of its forms: a name (<c>"l2"</c>), Keras 2's
/// <c>{"class_name", "config"}</c>, Keras 3's <c>{"module", "class_name", "config", "registered_name"}</c>, or
/// Keras 1's <c>{"name": "L1L2Regularizer", "l1": 0.0, ...}</c>.
/// </summary>
internal sealed class KerasObjectSpec
{
    private KerasObjectSpec(string className, JsonObject config, JsonNode raw, bool isName, bool isKeras3, string? module, string? registeredName)
    {
        ClassName = className; Config = config; Raw = raw; IsName = isName; IsKeras3 = isKeras3; Module = module; RegisteredName = registeredName;
    }

    /// <summary>The class name (or the name given as a string).</summary>
    public string ClassName { get; }

    /// <summary>The config fields (empty for a name).</summary>
    public JsonObject Config { get; }

    /// <summary>The node as read, for objects KerasNet does not know.</summary>
    public JsonNode Raw { get; }

    /// <summary>Given as a bare name.</summary>
    public bool IsName { get; }

    /// <summary>Given in Keras 3's form (has "module" or "registered_name").</summary>
    public bool IsKeras3 { get; }

    /// <summary>Keras 3's module, if any.</summary>
    public string? Module { get; }

    /// <summary>Keras 3's registered_name, if any.</summary>
    public string? RegisteredName { get; }

    /// <summary>
    /// Whether Keras 3 says it is someone's own class: a module outside Keras or a registered name
    /// ("Custom>MyInit"). Such an object is kept as it is even when its class name is also a Keras one.
    /// </summary>
    public bool IsCustom =>
        RegisteredName != null && RegisteredName != ClassName
        || Module != null && Module != "keras" && !Module.StartsWith("keras.", StringComparison.Ordinal);

    /// <summary>Reads a node; null for JSON null. Throws a <see cref="KerasNetException"/> for other kinds.</summary>
    public static KerasObjectSpec? Parse(JsonNode? node, string what)
    {
        switch (node)
        {
            case null: return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return new KerasObjectSpec(v.GetValue<string>(), new JsonObject(), v, isName: true, false, null, null);
            case JsonObject o when o["class_name"] is JsonValue cn && cn.GetValueKind() == JsonValueKind.String:
            {
                var config = o["config"] switch
                {
                    null => new JsonObject(),
                    JsonObject c => c,
                    var other => throw new KerasNetException($"the 'config' of {what} '{cn.GetValue<string>()}' should be an object, got {other.ToJsonString()}."),
                };
                bool k3 = o.ContainsKey("module") || o.ContainsKey("registered_name");
                return new KerasObjectSpec(cn.GetValue<string>(), config, o, false, k3, OptionalString(o, "module"), OptionalString(o, "registered_name"));
            }
            case JsonObject o when o["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String:
            {
                // Keras 1 wrote the class name beside the fields: {"name": "MaxNorm", "m": 2, "axis": 0}.
                var config = new JsonObject();
                foreach (var (k, val) in o) if (k != "name") config[k] = val?.DeepClone();
                return new KerasObjectSpec(n.GetValue<string>(), config, o, false, false, null, null);
            }
            default: throw new KerasNetException($"should be {what}: a name or an object with 'class_name', got {Short(node)}.");
        }
    }

    private static string? OptionalString(JsonObject o, string key) =>
        o[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    internal static string Short(JsonNode n)
    {
        var s = n.ToJsonString();
        return s.Length <= 80 ? s : s[..77] + "...";
    }

    /// <summary>Reads typed fields of <see cref="Config"/>, naming the class and field when one has the wrong kind.</summary>
    public double Number(string key, double fallback, params string[] aliases)
    {
        var n = Field(key, aliases);
        if (n is null) return fallback;
        return n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && double.IsFinite(d)
            ? d : throw Bad(key, "a finite number", n);
    }

    /// <summary>A string field.</summary>
    public string Text(string key, string fallback)
    {
        var n = Field(key, []);
        if (n is null) return fallback;
        return n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : throw Bad(key, "a string", n);
    }

    /// <summary>
    /// The seed: an integer, or null. A Keras 3 SeedGenerator (an object) seeds nothing here but is written back
    /// as it was read.
    /// </summary>
    public int? Seed()
    {
        var n = Field("seed", []);
        if (n is not JsonValue v || v.GetValueKind() != JsonValueKind.Number) return null;
        if (v.TryGetValue<int>(out var i)) return i;
        if (v.TryGetValue<long>(out var l)) return unchecked((int)(l ^ (l >> 32))); // a Python int beyond 32 bits
        throw Bad("seed", "an integer", n);
    }

    /// <summary>An axis: an integer or a list of integers.</summary>
    public int[] Axis(string key, int fallback)
    {
        var n = Field(key, []);
        if (n is null) return [fallback];
        if (n is JsonArray a) return a.Select(e => AsInt(e, key)).ToArray();
        return [AsInt(n, key)];
    }

    private JsonNode? Field(string key, string[] aliases)
    {
        if (Config[key] is { } n) return n;
        foreach (var a in aliases) if (Config[a] is { } m) return m;
        return null;
    }

    private int AsInt(JsonNode? n, string key) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i) ? i : throw Bad(key, "an integer or a list of integers", n);

    private KerasNetException Bad(string key, string kind, JsonNode? n) =>
        new($"{ClassName}: field '{key}' should be {kind}, got {(n is null ? "null" : Short(n))}.");
}

/// <summary>
/// What an initializer, regularizer or constraint class KerasNet does not know keeps: the node exactly as read,
/// written back unchanged to the format it came from.
/// </summary>
internal sealed class RawKerasObject
{
    private readonly KerasObjectSpec _spec;

    public RawKerasObject(KerasObjectSpec spec) => _spec = spec;

    /// <summary>The class name as the config gave it.</summary>
    public string ClassName => _spec.RegisteredName ?? _spec.ClassName;

    /// <summary>A copy of the config as read (Keras 1's fields without "name").</summary>
    public JsonObject Config => (JsonObject)_spec.Config.DeepClone();

    /// <summary>Keras 2's form: the node itself when it was a name or Keras 2's form, else class_name and config.</summary>
    public JsonNode ToKeras2Json() =>
        _spec.IsName || !_spec.IsKeras3 && _spec.Raw is JsonObject o && o.ContainsKey("class_name")
            ? _spec.Raw.DeepClone()
            : new JsonObject { ["class_name"] = ClassName, ["config"] = Config };

    /// <summary>Keras 3's form: the node itself when it was Keras 3's form (or a name), else the registered-object form.</summary>
    public JsonNode ToKeras3Json() =>
        _spec.IsName || _spec.IsKeras3
            ? _spec.Raw.DeepClone()
            : new JsonObject { ["module"] = null, ["class_name"] = _spec.ClassName, ["config"] = Config, ["registered_name"] = ClassName };
}
