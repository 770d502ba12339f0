#nullable enable
using System.Collections;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's <c>axis</c> argument of the normalization layers: one axis (<c>-1</c>, the default) or a list of axes
/// (<c>[1, 2, 3]</c>), counted as Keras counts them, with the batch as axis 0 and negative values from the end.
/// An <c>int</c> or an <c>int[]</c> converts to it (<c>axis: 1</c>, <c>axis: [1, 3]</c>); whether it was given as a
/// list is kept, because Keras writes the two forms differently in configs.
/// </summary>
[CollectionBuilder(typeof(AxisSpec), nameof(Create))]
public readonly struct AxisSpec : IEnumerable<int>
{
    private readonly int[]? _list;
    private readonly int _singlePlusOne; // default(AxisSpec) is axis -1

    private AxisSpec(int single) => _singlePlusOne = single + 1;

    private AxisSpec(int[] list) => _list = (int[])list.Clone();

    /// <summary>One axis.</summary>
    /// <param name="axis">The axis (negative counts from the end, -1 the last, as Keras).</param>
    /// <returns>The value as a <see cref="AxisSpec"/>.</returns>
    public static implicit operator AxisSpec(int axis) => new(axis);

    /// <summary>A list of axes.</summary>
    /// <param name="axes">The axes (negative counts from the end).</param>
    /// <returns>The value as a <see cref="AxisSpec"/>.</returns>
    public static implicit operator AxisSpec(int[] axes) => new(axes ?? throw new ArgumentNullException(nameof(axes)));

    /// <summary>A list of axes from a collection expression.</summary>
    /// <param name="axes">The axes (negative counts from the end).</param>
    /// <returns>The axis list.</returns>
    public static AxisSpec Create(ReadOnlySpan<int> axes) => new(axes.ToArray());

    /// <summary>Whether the axes were given as a list (even of one).</summary>
    public bool IsList => _list != null;

    /// <summary>The axes as given (a single axis is a list of one).</summary>
    public IReadOnlyList<int> Values => _list ?? [_singlePlusOne - 1];

    /// <inheritdoc/>
    public IEnumerator<int> GetEnumerator() => Values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The config value as given: an int, or a list of ints.</summary>
    internal JsonNode ToJson() => _list is null ? JsonValue.Create(_singlePlusOne - 1) : Layer.IntArray(_list);

    /// <inheritdoc/>
    public override string ToString() => _list is null ? (_singlePlusOne - 1).ToString(System.Globalization.CultureInfo.InvariantCulture)
        : "[" + string.Join(", ", _list) + "]";

    /// <summary>Reads a config field holding an int or a list of ints; <paramref name="fallback"/> when absent.</summary>
    internal static AxisSpec Read(LayerConfigReader c, string key, AxisSpec fallback)
    {
        var n = c.Config[key];
        if (n is null) return fallback;
        if (n is JsonArray a)
        {
            var list = new int[a.Count];
            for (int i = 0; i < a.Count; i++) list[i] = AsInt(c, key, a[i]);
            return new AxisSpec(list);
        }
        return new AxisSpec(AsInt(c, key, n));
    }

    private static int AsInt(LayerConfigReader c, string key, JsonNode? n)
    {
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < 1 << 20)
            return (int)d;
        throw c.Error($"field '{key}' should be an integer or a list of integers, got {c.Config[key]!.ToJsonString()}.");
    }
}
