#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// An 8-bit image as <c>load_img</c> returns and <c>array_to_img</c> makes it (PIL's <c>Image</c> in Keras): mode
/// "L" (grayscale), "RGB" or "RGBA", pixels interleaved row by row from the top. Turn it into an array with
/// <see cref="Keras.Utils.ImgToArray"/> and write it with <see cref="Save"/>.
/// </summary>
public sealed class KerasImage
{
    internal KerasImage(PilImage image) => Image = image;

    internal PilImage Image { get; }

    /// <summary>PIL's mode: "L", "RGB" or "RGBA".</summary>
    public string Mode => Image.Mode;
    /// <summary>Width in pixels.</summary>
    public int Width => Image.Width;
    /// <summary>Height in pixels.</summary>
    public int Height => Image.Height;
    /// <summary>PIL's <c>size</c>: (width, height).</summary>
    public (int Width, int Height) Size => (Width, Height);

    /// <summary>A copy of the pixel bytes (height x width x channels).</summary>
    /// <returns>A new array of height * width * channels bytes, row-major.</returns>
    public byte[] GetPixels() => (byte[])Image.Data.Clone();

    /// <summary>
    /// Writes the image: PNG for ".png" (every mode) or BMP for ".bmp" (RGB only), chosen from
    /// <paramref name="fileFormat"/> or the extension, atomically. JPEG is not supported (KerasNet has no JPEG encoder).
    /// </summary>
    /// <param name="path">The file to write.</param>
    /// <param name="fileFormat"><c>"png"</c> or <c>"bmp"</c>; null (Keras's default <c>file_format=None</c>) takes it
    /// from the extension.</param>
    public void Save(string path, string? fileFormat = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string format = (fileFormat ?? Path.GetExtension(path).TrimStart('.')).ToLowerInvariant();
        switch (format)
        {
            case "png": Saving.AtomicFile.WriteAllBytes(path, PngWriter.Encode(Image)); break;
            case "bmp" when Mode == "RGB": BmpWriter.Save(path, Width, Height, Image.Data); break;
            case "bmp": throw new KerasNetException($"save_img('{path}'): KerasNet writes BMP files from RGB images only, not mode {Mode}; save it as PNG.");
            case "jpg" or "jpeg": throw new KerasNetException($"save_img('{path}'): JPEG encoding is not supported by KerasNet; save it as PNG.");
            default: throw new KerasNetException($"save_img('{path}'): unknown file format '{format}' (KerasNet writes png and bmp).");
        }
    }
}
