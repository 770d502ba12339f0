#nullable enable
using NumSharp;

namespace KerasNet.Preprocessing.Image;

/// <summary>keras_preprocessing's load_img, img_to_array, array_to_img and save_img (the bodies of <see cref="Keras.Utils"/>'s).</summary>
internal static class ImageArrays
{
    public static KerasImage LoadImg(string path, bool grayscale, string colorMode, Size2? targetSize, string interpolation, bool keepAspectRatio)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (grayscale) colorMode = "grayscale"; // Keras warns that grayscale is deprecated and uses color_mode
        if (!keepAspectRatio || targetSize is not Size2 size) return new KerasImage(ImageLoader.LoadImage(path, colorMode, targetSize, interpolation));
        if (interpolation != "nearest")
            throw new KerasNetException($"load_img('{path}'): keep_aspect_ratio is supported with interpolation \"nearest\" only (PIL's filtered resize of a crop box reads pixels outside the box, which KerasNet does not reproduce).");
        var im = ImageLoader.LoadImage(path, colorMode, null, interpolation);
        // Keras 2.9's load_img: the largest centred box of the target's aspect ratio, in integer arithmetic.
        int cropH = Math.Min(im.Height, im.Width * size.Height / size.Width);
        int cropW = Math.Min(im.Width, im.Height * size.Width / size.Height);
        int y0 = (im.Height - cropH) / 2, x0 = (im.Width - cropW) / 2;
        if (im.Width == size.Width && im.Height == size.Height && cropW == im.Width && cropH == im.Height) return new KerasImage(im);
        return new KerasImage(PilResize.NearestBox(im, size.Width, size.Height, x0, y0, cropW, cropH));
    }

    public static NDArray ImgToArray(KerasImage img, string dataFormat)
    {
        ArgumentNullException.ThrowIfNull(img);
        CheckFormat(dataFormat, "img_to_array");
        var im = img.Image;
        int h = im.Height, w = im.Width, c = im.Bands;
        var data = new float[h * w * c];
        if (dataFormat == "channels_last") ImageLoader.ToFloats(im.Data, data);
        else
            for (int i = 0; i < h * w; i++)
                for (int k = 0; k < c; k++) data[k * h * w + i] = im.Data[i * c + k];
        return np.array(data).reshape(dataFormat == "channels_last" ? new[] { h, w, c } : new[] { c, h, w });
    }

    public static KerasImage ArrayToImg(NDArray x, string dataFormat, bool scale)
    {
        ArgumentNullException.ThrowIfNull(x);
        CheckFormat(dataFormat, "array_to_img");
        if (x.ndim != 3) throw new KerasNetException($"Expected image array to have rank 3 (single image). Got array with shape: ({string.Join(", ", x.shape)})");
        var f = (x.dtype == typeof(float) ? x : x.astype(NPTypeCode.Single)).ToArray<float>();
        int d0 = checked((int)x.shape[0]), d1 = checked((int)x.shape[1]), d2 = checked((int)x.shape[2]);
        int h = dataFormat == "channels_last" ? d0 : d1, w = dataFormat == "channels_last" ? d1 : d2, c = dataFormat == "channels_last" ? d2 : d0;
        if (c is not (1 or 3 or 4)) throw new KerasNetException($"Unsupported channel number: {c}");
        var v = new float[f.Length];
        if (dataFormat == "channels_last") f.CopyTo(v, 0);
        else
            for (int i = 0; i < h * w; i++)
                for (int k = 0; k < c; k++) v[i * c + k] = f[k * h * w + i];
        if (scale)
        {
            // float32 throughout, as numpy computes x - min(x), x /= max, x *= 255.
            float min = float.PositiveInfinity;
            foreach (var e in v) min = float.IsNaN(e) ? float.NaN : Math.Min(min, e);
            for (int i = 0; i < v.Length; i++) v[i] -= min;
            float max = float.NegativeInfinity;
            foreach (var e in v) max = float.IsNaN(e) ? float.NaN : Math.Max(max, e);
            if (max != 0) for (int i = 0; i < v.Length; i++) v[i] /= max;
            for (int i = 0; i < v.Length; i++) v[i] *= 255f;
        }
        var bytes = new byte[v.Length];
        for (int i = 0; i < v.Length; i++)
        {
            // astype('uint8') truncates; outside [0, 256) numpy's cast is undefined (it wraps or saturates by platform).
            if (!(v[i] >= 0 && v[i] < 256))
                throw new KerasNetException(c == 1 && v[i] >= 256
                    ? "array_to_img: a grayscale array with values above 255 becomes a 32-bit PIL image (mode \"I\") in Keras, which KerasNet does not support; pass scale=true or values in [0, 255]."
                    : $"array_to_img: value {v[i]} at index {i} is outside [0, 256) and has no 8-bit pixel (pass scale=true or values in [0, 255]).");
            bytes[i] = (byte)v[i];
        }
        return new KerasImage(new PilImage(c == 1 ? "L" : c == 3 ? "RGB" : "RGBA", w, h, bytes));
    }

    private static void CheckFormat(string dataFormat, string what)
    {
        if (dataFormat is not ("channels_last" or "channels_first"))
            throw new KerasNetException($"{what}: Unknown data_format: {dataFormat} (expected \"channels_last\" or \"channels_first\").");
    }
}
