#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

/// <summary>
/// What ZeroPadding1D adds, or Cropping1D removes, at the two ends of the steps axis: an int is the same at both ends
/// (<c>padding: 2</c>), a pair is (begin, end) (<c>padding: (1, 3)</c>), as Keras's <c>padding</c>/<c>cropping</c>.
/// </summary>
public readonly record struct Margins1D(int Begin, int End)
{
    /// <summary>The same margin at both ends.</summary>
    public static implicit operator Margins1D(int d) => new(d, d);
    /// <summary>(begin, end).</summary>
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
public readonly record struct Margins2D(int Top, int Bottom, int Left, int Right)
{
    /// <summary>The same margin on all four sides.</summary>
    public static implicit operator Margins2D(int d) => new(d, d, d, d);
    /// <summary>(symmetric height margin, symmetric width margin).</summary>
    public static implicit operator Margins2D((int, int) t) => new(t.Item1, t.Item1, t.Item2, t.Item2);
    /// <summary>((top, bottom), (left, right)).</summary>
    public static implicit operator Margins2D(((int, int), (int, int)) t) => new(t.Item1.Item1, t.Item1.Item2, t.Item2.Item1, t.Item2.Item2);

    /// <summary>As tf.keras 2.4 writes it: [[top, bottom], [left, right]].</summary>
    internal JsonArray ToJson() => new(new JsonArray(Top, Bottom), new JsonArray(Left, Right));

    /// <inheritdoc/>
    public override string ToString() => $"(({Top}, {Bottom}), ({Left}, {Right}))";
}
