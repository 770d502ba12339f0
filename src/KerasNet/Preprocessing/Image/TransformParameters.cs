#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// One draw of <c>get_random_transform</c>: rotation <paramref name="Theta"/> (degrees), shifts
/// <paramref name="Tx"/> (rows, pixels) and <paramref name="Ty"/> (columns, pixels), <paramref name="Shear"/> (degrees),
/// zooms <paramref name="Zx"/> (rows) and <paramref name="Zy"/> (columns), and the flips.
/// </summary>
/// <param name="Theta">Rotation in degrees (default 0).</param>
/// <param name="Tx">Shift along the rows, in pixels (default 0).</param>
/// <param name="Ty">Shift along the columns, in pixels (default 0).</param>
/// <param name="Shear">Shear angle in degrees (default 0).</param>
/// <param name="Zx">Zoom along the rows (default 1, none).</param>
/// <param name="Zy">Zoom along the columns (default 1).</param>
/// <param name="FlipHorizontal">Whether to mirror left to right (default false).</param>
/// <param name="FlipVertical">Whether to mirror top to bottom (default false).</param>
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
