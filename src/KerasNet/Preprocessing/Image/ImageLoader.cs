#nullable enable
using KerasNet.Engine;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// Keras's <c>load_img</c> + <c>img_to_array</c>: reads one image file, converts it to the colour mode as PIL does,
/// resizes it as PIL's <c>Image.resize</c> does, and returns a (height, width, channels) float tensor in 0..255.
/// </summary>
public static class ImageLoader
{
    /// <summary>
    /// Images with more pixels than this are refused before decoding (PIL raises DecompressionBombError above
    /// twice its MAX_IMAGE_PIXELS, 2 x 89,478,485; this is the default). <see cref="KerasLimits.MaxImagePixels"/> of
    /// <see cref="KerasContext.Current"/>.
    /// </summary>
    public static long MaxImagePixels
    {
        get => KerasContext.Current.Limits.MaxImagePixels;
        set => KerasContext.Current.Limits.MaxImagePixels = value;
    }

    /// <summary>Loads <paramref name="path"/> as a (H, W, C) tensor with values 0..255.</summary>
    /// <param name="path">An image file (BMP, PNG, JPEG, GIF or PPM content, any extension).</param>
    /// <param name="colorMode">"rgb" (3 channels), "grayscale" (1) or "rgba" (4). Keras's default:
    /// <c>"rgb"</c>.</param>
    /// <param name="targetSize">(height, width) to resize to, or null to keep the file's size.</param>
    /// <param name="interpolation">"nearest" (Keras's default), "bilinear", "bicubic", "lanczos", "box" or "hamming".</param>
    /// <returns>A new (H, W, C) float32 tensor of the pixel values, 0 to 255.</returns>
    public static Tensor Load(string path, string colorMode = "rgb", Size2? targetSize = null, string interpolation = "nearest")
    {
        return ToTensor(LoadImage(path, colorMode, targetSize, interpolation));
    }

    /// <summary>
    /// As <see cref="Load"/> for an image already in memory (an upload): the same decoders, colour conversion and
    /// resize, so the pixels are those <c>load_img</c> gives for the same file. <paramref name="name"/> names the image
    /// in error messages (<see cref="InvalidImageException"/>: not an image, truncated, above <see cref="MaxImagePixels"/>).
    /// </summary>
    /// <param name="bytes">The file's content (BMP, PNG, JPEG, GIF or PPM).</param>
    /// <param name="name">The image's name in error messages (a file name).</param>
    /// <param name="colorMode"><c>"rgb"</c> (3 channels, Keras's default), <c>"grayscale"</c> (1) or <c>"rgba"</c>
    /// (4).</param>
    /// <param name="targetSize">(height, width) to resize to, or null (Keras's default) to keep the image's
    /// size.</param>
    /// <param name="interpolation"><c>"nearest"</c> (Keras's default), <c>"bilinear"</c>, <c>"bicubic"</c>,
    /// <c>"lanczos"</c>, <c>"box"</c> or <c>"hamming"</c>.</param>
    /// <returns>A new (H, W, C) float32 tensor of the pixel values, 0 to 255.</returns>
    public static Tensor Decode(byte[] bytes, string name, string colorMode = "rgb", Size2? targetSize = null, string interpolation = "nearest")
    {
        ArgumentNullException.ThrowIfNull(bytes);
        ArgumentNullException.ThrowIfNull(name);
        Validate(colorMode, targetSize, interpolation, name);
        return ToTensor(Prepare(ImageDecoder.Decode(name, bytes), colorMode, targetSize, interpolation));
    }

    private static Tensor ToTensor(PilImage im)
    {
        var t = new Tensor(im.Height, im.Width, im.Bands);
        ToFloats(im.Data, t.Span);
        return t;
    }

    /// <summary>Checks the arguments shared by Load and flow_from_directory.</summary>
    internal static void Validate(string colorMode, Size2? targetSize, string interpolation, string what)
    {
        ColorConversion.ModeFor(colorMode);
        if (targetSize is Size2 t && (t.Height <= 0 || t.Width <= 0))
            throw new KerasNetException($"{what}: target_size must be positive, got {t}.");
        if (!PilResize.Methods.Contains(interpolation))
            throw new KerasNetException($"{what}: interpolation must be one of {string.Join(", ", PilResize.Methods)}, got \"{interpolation}\".");
    }

    /// <summary>Decode, convert, resize: the 8-bit image Keras would turn into an array.</summary>
    internal static PilImage LoadImage(string path, string colorMode, Size2? targetSize, string interpolation)
    {
        Validate(colorMode, targetSize, interpolation, path);
        // A pipe or device given as an image would block ReadAllBytes forever.
        if (File.Exists(path) && Saving.RegularFile.Problem(path) is { } problem) throw new InvalidImageException(path, problem);
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new InvalidImageException(path, File.Exists(path) ? $"cannot read the file ({e.Message})." : "the file does not exist.", e);
        }
        return Prepare(ImageDecoder.Decode(path, bytes), colorMode, targetSize, interpolation);
    }

    private static PilImage Prepare(PilImage decoded, string colorMode, Size2? targetSize, string interpolation)
    {
        var im = ColorConversion.Convert(decoded, ColorConversion.ModeFor(colorMode));
        if (targetSize is Size2 s) im = PilResize.Resize(im, s.Width, s.Height, interpolation);
        return im;
    }

    internal static void ToFloats(ReadOnlySpan<byte> src, Span<float> dst)
    {
        for (int i = 0; i < src.Length; i++) dst[i] = src[i];
    }
}
