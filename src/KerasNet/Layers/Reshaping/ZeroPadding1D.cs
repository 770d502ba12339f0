#nullable enable
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Adds zero steps at the beginning and end of a (steps, features) sequence, as <c>keras.layers.ZeroPadding1D</c>.
/// Config: <c>{"padding": [begin, end]}</c>.
/// </summary>
[KerasLayer("ZeroPadding1D")]
public sealed class ZeroPadding1D : MarginLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="padding">Zero steps to add: an int for both ends (the default, 1) or (begin, end).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>, (steps, features).</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>zero_padding1d</c>, ...).</param>
    public ZeroPadding1D(Margins1D? padding = null, Shape? inputShape = null, string? name = null)
        : base(1, crop: false, Of(padding ?? 1), "channels_last", inputShape, name) { }

    internal static Margins2D Of(Margins1D m) => new(m.Begin, m.End, 0, 0);

    /// <summary>(begin, end).</summary>
    public Margins1D Padding => new(Margins.Top, Margins.Bottom);

    /// <summary>The layer of a Keras config: an int or [begin, end]; Keras 1's {"left_pad", "right_pad"} too.</summary>
    internal static ZeroPadding1D FromConfig(LayerConfigReader c) => new(Read(c, "padding", "_pad"), name: c.Name);

    /// <summary>A 1-D margin field (default 1 for padding, (1, 1) for cropping); a Keras 1 dict uses left/right keys.</summary>
    internal static Margins1D Read(LayerConfigReader c, string key, string dictSuffix)
    {
        if (c.Config[key] is System.Text.Json.Nodes.JsonObject o)
        {
            var m = c.Margins2(dictSuffix, key)!.Value; // {"left_pad": a, "right_pad": b}: the steps axis is Keras 1's left/right
            if (m.Top != 0 || m.Bottom != 0) throw c.Error($"field '{key}' of a 1-D layer takes only left{dictSuffix} and right{dictSuffix}, got {o.ToJsonString()}.");
            return new Margins1D(m.Left, m.Right);
        }
        return c.IntPair(key) is { } p ? new Margins1D(p.Item1, p.Item2) : 1;
    }
}
