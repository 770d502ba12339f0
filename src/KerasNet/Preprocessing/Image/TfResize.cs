#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// TensorFlow 2's <c>tf.image.resize</c> (antialias off) of an 8-bit image into float32, as
/// image_dataset_from_directory resizes: "bilinear" is ResizeBilinear with half-pixel centres (source
/// <c>(x + 0.5) * scale - 0.5</c> in float32, clamped to the edge pixels, <c>top + (bottom - top) * y_lerp</c> of
/// the two horizontal lerps), "nearest" is ResizeNearestNeighbor with half-pixel centres
/// (<c>floor((x + 0.5) * scale)</c>); "bicubic" is <see cref="TfBicubic"/>, "area" <see cref="TfArea"/>, and
/// "lanczos3", "lanczos5", "gaussian" and "mitchellcubic" are <see cref="TfScaleAndTranslate"/>. Unlike PIL's
/// resize there is no antialiasing when shrinking and the values are not rounded to bytes. <see cref="SmartCrop"/> is keras.utils.smart_resize's centre crop to the target's
/// aspect ratio (crop_to_aspect_ratio).
/// </summary>
internal static class TfResize
{
    /// <summary>Keras's interpolation names for tf.image.resize (keras.utils.image_utils.get_interpolation), all implemented.</summary>
    public static readonly string[] KerasMethods = ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic"];

    public static void Check(string interpolation, string what)
    {
        if (!KerasMethods.Contains(interpolation))
            throw new KerasNetException($"{what}: Value not recognized for 'interpolation': \"{interpolation}\". Expected values are [{string.Join(", ", KerasMethods.Select(m => $"\"{m}\""))}].");
    }

    /// <summary>smart_resize's crop box (row start, column start, height, width), in TensorFlow's float32 arithmetic.</summary>
    public static (int Y, int X, int H, int W) SmartCrop(int height, int width, int targetHeight, int targetWidth)
    {
        int cropH = Math.Min(height, (int)((float)(width * targetHeight) / targetWidth));
        int cropW = Math.Min(width, (int)((float)(height * targetWidth) / targetHeight));
        return ((int)((float)(height - cropH) / 2), (int)((float)(width - cropW) / 2), cropH, cropW);
    }

    /// <summary>
    /// Resizes the region (y0, x0, h, w) of a (height, width, bands) byte image into <paramref name="dst"/>, a
    /// (outH, outW, bands) float image.
    /// </summary>
    public static void Resize(ReadOnlySpan<byte> src, int width, int bands, (int Y, int X, int H, int W) box,
        int outH, int outW, string interpolation, Span<float> dst)
    {
        switch (interpolation)
        {
            case "bicubic": TfBicubic.Resize(src, width, bands, box, outH, outW, dst); return;
            case "area": TfArea.Resize(src, width, bands, box, outH, outW, dst); return;
            case "lanczos3": TfScaleAndTranslate.Resize(new TfLanczosKernel(3f), src, width, bands, box, outH, outW, dst); return;
            case "lanczos5": TfScaleAndTranslate.Resize(new TfLanczosKernel(5f), src, width, bands, box, outH, outW, dst); return;
            case "gaussian": TfScaleAndTranslate.Resize(new TfGaussianKernel(), src, width, bands, box, outH, outW, dst); return;
            case "mitchellcubic": TfScaleAndTranslate.Resize(new TfMitchellCubicKernel(), src, width, bands, box, outH, outW, dst); return;
        }
        if (interpolation == "nearest")
        {
            float sy = (float)box.H / outH, sx = (float)box.W / outW;
            var xi = new int[outW];
            for (int x = 0; x < outW; x++) xi[x] = Math.Max(0, Math.Min((int)MathF.Floor((x + 0.5f) * sx), box.W - 1));
            for (int y = 0; y < outH; y++)
            {
                int iy = Math.Max(0, Math.Min((int)MathF.Floor((y + 0.5f) * sy), box.H - 1));
                int srow = ((box.Y + iy) * width + box.X) * bands;
                for (int x = 0; x < outW; x++)
                    for (int c = 0; c < bands; c++) dst[(y * outW + x) * bands + c] = src[srow + xi[x] * bands + c];
            }
            return;
        }
        var (yl, yu, yf) = Weights(box.H, outH);
        var (xl, xu, xf) = Weights(box.W, outW);
        for (int y = 0; y < outH; y++)
        {
            int top = ((box.Y + yl[y]) * width + box.X) * bands, bottom = ((box.Y + yu[y]) * width + box.X) * bands;
            float ly = yf[y];
            for (int x = 0; x < outW; x++)
            {
                int l = xl[x] * bands, u = xu[x] * bands;
                float lx = xf[x];
                for (int c = 0; c < bands; c++)
                {
                    float tl = src[top + l + c], tr = src[top + u + c], bl = src[bottom + l + c], br = src[bottom + u + c];
                    float t = tl + (tr - tl) * lx;
                    float b = bl + (br - bl) * lx;
                    dst[(y * outW + x) * bands + c] = t + (b - t) * ly;
                }
            }
        }
    }

    // resize_bilinear_op.cc compute_interpolation_weights with HalfPixelScaler.
    private static (int[] Lower, int[] Upper, float[] Lerp) Weights(int inSize, int outSize)
    {
        float scale = (float)inSize / outSize;
        var lower = new int[outSize];
        var upper = new int[outSize];
        var lerp = new float[outSize];
        for (int i = 0; i < outSize; i++)
        {
            float v = (i + 0.5f) * scale - 0.5f;
            float f = MathF.Floor(v);
            lower[i] = Math.Max((int)f, 0);
            upper[i] = Math.Min((int)MathF.Ceiling(v), inSize - 1);
            lerp[i] = v - f;
        }
        return (lower, upper, lerp);
    }
}
