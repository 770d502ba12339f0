#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KerasNet.Saving;

/// <summary>
/// Integer lists of a layer config beside <see cref="LayerConfigReader"/>'s getters: shapes and axis lists
/// (<c>target_shape</c>, <c>dims</c>), 1-D sizes that Keras writes as an int or a one-element list (<c>pool_size</c>:
/// <c>[2]</c>), and margins given as an int, a pair or a pair of pairs (<c>padding</c>, <c>cropping</c>). Every
/// failure names the source, the layer and the field, as the reader's own getters do.
/// </summary>
internal static class LayerConfigLists
{
    /// <summary>The first present (non-null) field among <paramref name="keys"/>, with its name; null when none is.</summary>
    public static (string key, JsonNode node)? Field(this LayerConfigReader c, params string[] keys)
    {
        foreach (var k in keys)
            if (c.Config[k] is { } n) return (k, n);
        return null;
    }

    /// <summary>An integer JSON value (an integral float such as 2.0 too).</summary>
    public static int AsInt(this LayerConfigReader c, JsonNode? n, string key)
    {
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            if (v.TryGetValue<int>(out var i)) return i;
            if (v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue) return (int)d;
        }
        throw c.Error($"field '{key}' should be an integer, got {n?.ToJsonString() ?? "null"}.");
    }

    /// <summary>A list of integers ([3, 4] or Keras's tuple written as a list); null when absent.</summary>
    public static int[]? IntList(this LayerConfigReader c, params string[] keys)
    {
        if (c.Field(keys) is not { } field) return null;
        var (key, node) = field;
        if (node is not JsonArray a) throw c.Error($"field '{key}' should be a list of integers, got {node.ToJsonString()}.");
        return a.Select(e => c.AsInt(e, key)).ToArray();
    }

    /// <summary>A 1-D size: an int or a list of one int (Keras 2 writes <c>"pool_size": [2]</c>); null when absent.</summary>
    public static int? Int1(this LayerConfigReader c, params string[] keys)
    {
        if (c.Field(keys) is not { } field) return null;
        var (key, node) = field;
        if (node is JsonArray a)
            return a.Count == 1 ? c.AsInt(a[0], key) : throw c.Error($"field '{key}' should have 1 value, got {a.ToJsonString()}.");
        return c.AsInt(node, key);
    }

    /// <summary>An (a, b) pair from an int (both the same) or a list of two ints; null when absent.</summary>
    public static (int, int)? IntPair(this LayerConfigReader c, params string[] keys) =>
        c.Field(keys) is { } f ? c.Pair(f.node, f.key) : null;

    /// <summary>An int meaning (v, v), or a list of two ints.</summary>
    public static (int, int) Pair(this LayerConfigReader c, JsonNode node, string key)
    {
        if (node is JsonArray a)
            return a.Count == 2 ? (c.AsInt(a[0], key), c.AsInt(a[1], key)) : throw c.Error($"field '{key}' should have 2 values, got {a.ToJsonString()}.");
        int v = c.AsInt(node, key);
        return (v, v);
    }

    /// <summary>
    /// 2-D margins ((top, bottom), (left, right)) in every form Keras wrote: an int (all four), [h, w] (symmetric per
    /// axis), [[t, b], [l, r]] (either entry may be an int), Keras 1's [t, b, l, r] and Keras 1's
    /// <c>{"top_pad", "bottom_pad", "left_pad", "right_pad"}</c> (each key suffixed with <paramref name="dictSuffix"/>, "_pad"); null when absent.
    /// </summary>
    public static (int Top, int Bottom, int Left, int Right)? Margins2(this LayerConfigReader c, string dictSuffix, params string[] keys)
    {
        if (c.Field(keys) is not { } field) return null;
        var (key, node) = field;
        switch (node)
        {
            case JsonObject o:
                int Side(string side) => o[side + dictSuffix] is { } v ? c.AsInt(v, key) : 0;
                var known = new[] { "top", "bottom", "left", "right" }.Select(s => s + dictSuffix).ToHashSet();
                if (o.Any(p => !known.Contains(p.Key)))
                    throw c.Error($"field '{key}' has unknown keys {string.Join(", ", o.Select(p => p.Key).Where(k => !known.Contains(k)))}; expected {string.Join(", ", known)}.");
                return (Side("top"), Side("bottom"), Side("left"), Side("right"));
            case JsonArray { Count: 4 } a:
                return (c.AsInt(a[0], key), c.AsInt(a[1], key), c.AsInt(a[2], key), c.AsInt(a[3], key));
            case JsonArray { Count: 2 } a:
                var (t, b) = c.Pair(a[0] ?? throw c.Error($"field '{key}' has a null entry."), key);
                var (l, r) = c.Pair(a[1] ?? throw c.Error($"field '{key}' has a null entry."), key);
                return (t, b, l, r);
            case JsonArray a:
                throw c.Error($"field '{key}' should be an int, 2 values or 2 pairs, got {a.ToJsonString()}.");
            default:
                int all = c.AsInt(node, key);
                return (all, all, all, all);
        }
    }
}
