#nullable enable
namespace KerasNet.Preprocessing.Image;

/// <summary>
/// Keras's <c>zoom_range</c>: a float z meaning [1 - z, 1 + z], or an explicit (min, max) pair.
/// Zoom factors below 1 enlarge the content (the sampling grid shrinks), as in Keras.
/// </summary>
/// <param name="Min">The smallest zoom factor.</param>
/// <param name="Max">The largest zoom factor.</param>
public readonly record struct ZoomRange(double Min, double Max)
{
    /// <summary>A scalar range z: [1 - z, 1 + z].</summary>
    /// <param name="z">The half-width z of the range, in [0, 1).</param>
    /// <returns>The value as a <see cref="ZoomRange"/>.</returns>
    public static implicit operator ZoomRange(double z) => new(1 - z, 1 + z);

    /// <summary>An explicit (min, max) range.</summary>
    /// <param name="r">The (min, max) zoom factors.</param>
    /// <returns>The range.</returns>
    public static implicit operator ZoomRange((double Min, double Max) r) => new(r.Min, r.Max);

    /// <summary>No zoom.</summary>
    public static ZoomRange None => new(1, 1);
}
