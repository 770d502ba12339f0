#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// One draw of <c>get_random_transform</c>: rotation <paramref name="Theta"/> (degrees), shifts
/// <paramref name="Tx"/> (rows, pixels) and <paramref name="Ty"/> (columns, pixels), <paramref name="Shear"/> (degrees),
/// zooms <paramref name="Zx"/> (rows) and <paramref name="Zy"/> (columns), and the flips.
/// </summary>
public sealed record TransformParameters(double Theta = 0, double Tx = 0, double Ty = 0, double Shear = 0,
    double Zx = 1, double Zy = 1, bool FlipHorizontal = false, bool FlipVertical = false);

/// <summary>How points outside the image are filled (Keras's <c>fill_mode</c>).</summary>
public enum FillMode
{
    /// <summary>"nearest": aaaa|abcd|dddd.</summary>
    Nearest,
    /// <summary>"constant": kkkk|abcd|kkkk with k = cval.</summary>
    Constant,
    /// <summary>"reflect": dcba|abcd|dcba.</summary>
    Reflect,
    /// <summary>"wrap": abcd|abcd|abcd (scipy's variant).</summary>
    Wrap,
}
