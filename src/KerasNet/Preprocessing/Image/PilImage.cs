#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// A decoded 8-bit image in one of PIL's modes ("L", "LA", "RGB", "RGBA"), pixels interleaved row by row,
/// top row first. Decoders normalise every file to the mode PIL would open it in (palette images expanded),
/// so the conversions and resizes that follow can copy PIL's arithmetic.
/// </summary>
internal sealed class PilImage
{
    public PilImage(string mode, int width, int height, byte[] data)
    {
        Mode = mode; Width = width; Height = height; Data = data;
        if (data.Length != (long)width * height * Bands) throw new ArgumentException("pixel buffer does not match the size");
    }

    public string Mode { get; }
    public int Width { get; }
    public int Height { get; }
    public byte[] Data { get; }
    public int Bands => BandsOf(Mode);

    public static int BandsOf(string mode) => mode switch
    {
        "L" => 1,
        "LA" => 2,
        "RGB" => 3,
        "RGBA" or "RGBa" => 4,
        _ => throw new ArgumentException("unknown mode " + mode),
    };
}
