#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

/// <summary>
/// What ZeroPadding1D adds, or Cropping1D removes, at the two ends of the steps axis: an int is the same at both ends
/// (<c>padding: 2</c>), a pair is (begin, end) (<c>padding: (1, 3)</c>), as Keras's <c>padding</c>/<c>cropping</c>.
/// </summary>
/// <param name="Begin">The margin before the first step.</param>
/// <param name="End">The margin after the last step.</param>
public readonly record struct Margins1D(int Begin, int End)
{
    /// <summary>The same margin at both ends.</summary>
    /// <param name="d">The margin at each end.</param>
    /// <returns>The value as a <see cref="Margins1D"/>.</returns>
    public static implicit operator Margins1D(int d) => new(d, d);
    /// <summary>(begin, end).</summary>
    /// <param name="t">The (begin, end) margins.</param>
    /// <returns>The value as a <see cref="Margins1D"/>.</returns>
    public static implicit operator Margins1D((int, int) t) => new(t.Item1, t.Item2);

    /// <summary>As Keras writes it: [begin, end].</summary>
    internal JsonArray ToJson() => new(Begin, End);

    /// <inheritdoc/>
    public override string ToString() => $"({Begin}, {End})";
}

/// <summary>
/// What ZeroPadding2D adds, or Cropping2D removes, around an image, in Keras's three forms: an int (all four sides),
/// (h, w) (symmetric per axis: h at top and bottom, w at left and right), or ((top, bottom), (left, right)).
/// </summary>
/// <param name="Top">Rows above the image.</param>
/// <param name="Bottom">Rows below.</param>
/// <param name="Left">Columns on the left.</param>
/// <param name="Right">Columns on the right.</param>
public readonly record struct Margins2D(int Top, int Bottom, int Left, int Right)
{
    /// <summary>The same margin on all four sides.</summary>
    /// <param name="d">The margin on every side.</param>
    /// <returns>The value as a <see cref="Margins2D"/>.</returns>
    public static implicit operator Margins2D(int d) => new(d, d, d, d);
    /// <summary>(symmetric height margin, symmetric width margin).</summary>
    /// <param name="t">The height margin (top and bottom) and the width margin (left and right).</param>
    /// <returns>The value as a <see cref="Margins2D"/>.</returns>
    public static implicit operator Margins2D((int, int) t) => new(t.Item1, t.Item1, t.Item2, t.Item2);
    /// <summary>((top, bottom), (left, right)).</summary>
    /// <param name="t">The ((top, bottom), (left, right)) margins.</param>
    /// <returns>The margins.</returns>
    public static implicit operator Margins2D(((int, int), (int, int)) t) => new(t.Item1.Item1, t.Item1.Item2, t.Item2.Item1, t.Item2.Item2);

    /// <summary>As tf.keras 2.4 writes it: [[top, bottom], [left, right]].</summary>
    internal JsonArray ToJson() => new(new JsonArray(Top, Bottom), new JsonArray(Left, Right));

    /// <inheritdoc/>
    public override string ToString() => $"(({Top}, {Bottom}), ({Left}, {Right}))";
}
