#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// The window arguments every convolution layer shares, checked once as Keras 3's base classes check them. A 1-D
/// layer is the 2-D case of height 1: its kernel, strides and dilation are (1, n) here.
/// </summary>
internal readonly record struct ConvArgs(int Rank, Size2 Kernel, Size2 Strides, string Padding, string DataFormat, Size2 Dilation)
{
    /// <summary>
    /// Checks and normalises the arguments of layer <paramref name="layer"/> (its class name): positive kernel and
    /// strides, dilation at least 1 and not together with strides above 1, padding 'valid' or 'same' (and 'causal'
    /// when <paramref name="allowCausal"/>), data_format channels_last or channels_first.
    /// </summary>
    public static ConvArgs Check(string layer, int rank, Size2 kernel, Size2? strides, string padding, string? dataFormat, Size2? dilation, bool allowCausal)
    {
        var s = strides ?? new Size2(1, 1);
        var d = dilation ?? new Size2(1, 1);
        if (kernel.Height <= 0 || kernel.Width <= 0) throw new KerasNetException($"{layer}: kernel_size must be positive, got {Format(kernel, rank)}.");
        if (s.Height <= 0 || s.Width <= 0) throw new KerasNetException($"{layer}: strides must be positive, got {Format(s, rank)}.");
        if (d.Height <= 0 || d.Width <= 0) throw new KerasNetException($"{layer}: dilation_rate must be positive, got {Format(d, rank)}.");
        if (Math.Max(s.Height, s.Width) > 1 && Math.Max(d.Height, d.Width) > 1)
            throw new KerasNetException($"{layer}: strides > 1 are not supported together with dilation_rate > 1 (as in Keras); got strides={Format(s, rank)} and dilation_rate={Format(d, rank)}.");
        var p = (padding ?? "valid").ToLowerInvariant();
        if (!(p is "valid" or "same" || (p == "causal" && allowCausal)))
            throw new KerasNetException($"{layer}: padding must be {(allowCausal ? "'valid', 'same' or 'causal'" : "'valid' or 'same'")}, got '{padding}'.");
        return new ConvArgs(rank, kernel, s, p, PoolingArgs.CheckDataFormat(dataFormat, layer), d);
    }

    /// <summary>A 1-D argument as the (1, n) size this class works in.</summary>
    public static Size2 Line(int n) => new(1, n);

    /// <summary>Keras's text for a tuple of the layer's rank: (3,) or (3, 3).</summary>
    public static string Format(Size2 s, int rank) => rank == 1 ? $"({s.Width},)" : s.ToString();

    /// <summary>The tuple of the layer's rank as a JSON list ([3] or [3, 3]), as tf.keras writes it.</summary>
    public static JsonArray Json(Size2 s, int rank) => rank == 1 ? Layer.IntArray(s.Width) : Layer.IntArray(s.Height, s.Width);

    /// <summary>Whether the input is channels_first (channels before the spatial axes).</summary>
    public bool ChannelsFirst => DataFormat == "channels_first";

    /// <summary>(height, width, channels) of a per-sample input shape of this rank and data format; null when the rank is wrong.</summary>
    public (int H, int W, int C)? Hwc(int[] shape)
    {
        if (shape.Length != Rank + 1) return null;
        if (Rank == 1) return ChannelsFirst ? (1, shape[1], shape[0]) : (1, shape[0], shape[1]);
        return ChannelsFirst ? (shape[1], shape[2], shape[0]) : (shape[0], shape[1], shape[2]);
    }

    /// <summary>(height, width, channels) of a per-sample input of <paramref name="layer"/>, or Keras's error for the wrong rank.</summary>
    public (int H, int W, int C) Dims(Layer layer, int[] shape) => Hwc(shape)
        ?? throw new ShapeMismatchException($"Layer '{layer.Name}' ({layer.ClassName}) expects {Rank + 1}-D samples ({(Rank == 1 ? "steps, channels" : "h, w, c")}), got {ShapeUtil.Format(shape)}.");

    /// <summary>The per-sample shape of this rank and data format for an h x w x c result.</summary>
    public int[] Shape(int h, int w, int c) => Rank == 1 ? (ChannelsFirst ? [c, w] : [w, c]) : (ChannelsFirst ? [c, h, w] : [h, w, c]);

    /// <summary>Adds the window fields in tf.keras 2.4's order: kernel_size, strides, padding, data_format (then dilation_rate when asked).</summary>
    public void AddWindowConfig(JsonObject c, bool dilation = true)
    {
        c["kernel_size"] = Json(Kernel, Rank);
        c["strides"] = Json(Strides, Rank);
        c["padding"] = Padding;
        c["data_format"] = DataFormat;
        if (dilation) c["dilation_rate"] = Json(Dilation, Rank);
    }

    /// <summary>
    /// A size argument of a config: an integer or a list of <paramref name="rank"/> integers (Keras 2/3), as (1, n)
    /// for rank 1; null when absent.
    /// </summary>
    public static Size2? Read(LayerConfigReader c, int rank, params string[] keys)
    {
        if (rank == 2) return c.Size(keys);
        if (!c.Has(keys)) return null;
        var key = keys.First(k => c.Config[k] != null);
        var n = c.Config[key]!;
        if (n is JsonArray a)
        {
            if (a.Count != 1) throw c.Error($"field '{key}' should have 1 value, got {a.ToJsonString()}.");
            n = a[0]!;
        }
        return n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i)
            ? Line(i) : throw c.Error($"field '{key}' should be an integer, got {n.ToJsonString()}.");
    }
}
