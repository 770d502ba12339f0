#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>Argument checks and shape arithmetic shared by the 2-D window layers.</summary>
internal static class PoolingArgs
{
    public static string CheckPadding(string padding, string layer)
    {
        var p = padding.ToLowerInvariant();
        return p is "valid" or "same" ? p : throw new KerasNetException($"{layer}: padding must be 'valid' or 'same', got '{padding}'.");
    }

    public static string CheckDataFormat(string? format, string layer)
    {
        var f = format ?? "channels_last";
        return f is "channels_last" or "channels_first" ? f : throw new KerasNetException($"{layer}: data_format must be 'channels_last' or 'channels_first', got '{format}'.");
    }

    /// <summary>(height, width, channels) of a per-sample shape in the given data format.</summary>
    public static (int h, int w, int c) Hwc(int[] s, string dataFormat)
    {
        if (s.Length != 3) throw new ShapeMismatchException($"Expected 3-D samples, got {ShapeUtil.Format(s)}.");
        return dataFormat == "channels_last" ? (s[0], s[1], s[2]) : (s[1], s[2], s[0]);
    }

    public static int[] Shape(int h, int w, int c, string dataFormat) => dataFormat == "channels_last" ? [h, w, c] : [c, h, w];
}

/// <summary>Layout conversion for channels_first layers (Keras 1 / Theano models): computed in NHWC internally.</summary>
internal static class ChannelsFirst
{
    public static Tensor ToNhwc(Tensor nchw)
    {
        int n = nchw.Shape[0], c = nchw.Shape[1], h = nchw.Shape[2], w = nchw.Shape[3];
        var t = new Tensor(n, h, w, c);
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        t[((b * h + y) * w + x) * c + ch] = nchw[((b * c + ch) * h + y) * w + x];
        return t;
    }

    public static Tensor ToNchw(Tensor nhwc)
    {
        int n = nhwc.Shape[0], h = nhwc.Shape[1], w = nhwc.Shape[2], c = nhwc.Shape[3];
        var t = new Tensor(n, c, h, w);
        for (int b = 0; b < n; b++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int ch = 0; ch < c; ch++)
                        t[((b * c + ch) * h + y) * w + x] = nhwc[((b * h + y) * w + x) * c + ch];
        return t;
    }
}
