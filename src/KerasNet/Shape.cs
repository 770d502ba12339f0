#nullable enable
namespace KerasNet;

/// <summary>
/// A per-sample shape as Keras's <c>input_shape</c> (no batch dimension). Converts from an int, a tuple or an array,
/// so C# reads like Python: <c>inputShape: (64, 64, 3)</c>.
/// </summary>
public readonly struct Shape
{
    /// <summary>Creates a shape from its dimensions.</summary>
    /// <param name="dims">The dimensions, each positive (null for an unknown one is not supported here).</param>
    public Shape(params int[] dims) => Dims = dims;

    /// <summary>The dimensions.</summary>
    public int[] Dims { get; }

    /// <summary>One dimension: <c>inputShape: 784</c> for Python's <c>(784,)</c>.</summary>
    /// <param name="d">The dimension.</param>
    /// <returns>The value as a <see cref="Shape"/>.</returns>
    public static implicit operator Shape(int d) => new(d);
    /// <summary>Two dimensions.</summary>
    /// <param name="t">The dimensions.</param>
    /// <returns>The value as a <see cref="Shape"/>.</returns>
    public static implicit operator Shape((int, int) t) => new(t.Item1, t.Item2);
    /// <summary>Three dimensions.</summary>
    /// <param name="t">The dimensions.</param>
    /// <returns>The value as a <see cref="Shape"/>.</returns>
    public static implicit operator Shape((int, int, int) t) => new(t.Item1, t.Item2, t.Item3);
    /// <summary>Four dimensions.</summary>
    /// <param name="t">The dimensions.</param>
    /// <returns>The value as a <see cref="Shape"/>.</returns>
    public static implicit operator Shape((int, int, int, int) t) => new(t.Item1, t.Item2, t.Item3, t.Item4);
    /// <summary>Any number of dimensions.</summary>
    /// <param name="d">The dimensions.</param>
    /// <returns>The value as a <see cref="Shape"/>.</returns>
    public static implicit operator Shape(int[] d) => new(d);

    /// <summary>
    /// From a NumSharp shape, so an array's shape goes where Keras takes one:
    /// <c>Keras.Input(shape: x.Shape)</c> for a per-sample array, or the shape of <c>x[0]</c>. Dimensions must fit
    /// in an int.
    /// </summary>
    /// <exception cref="OverflowException">A dimension is larger than <see cref="int.MaxValue"/>.</exception>
    /// <param name="shape">The NumSharp shape.</param>
    /// <returns>The Keras shape.</returns>
    public static implicit operator Shape(NumSharp.Shape shape) => new(shape.Dimensions.Select(d => checked((int)d)).ToArray());

    /// <summary>To a NumSharp shape with the same dimensions, so a Keras shape goes where NumSharp takes one:
    /// <c>np.zeros(inputShape)</c>.</summary>
    /// <param name="shape">The Keras shape.</param>
    /// <returns>The NumSharp shape.</returns>
    public static implicit operator NumSharp.Shape(Shape shape) => new((shape.Dims ?? []).ToArray());

    /// <inheritdoc/>
    public override string ToString() => Engine.ShapeUtil.Format(Dims);
}

/// <summary>A 2-D size such as a kernel, pool or stride: an int means the same in both directions.</summary>
/// <param name="Height">The size along the rows.</param>
/// <param name="Width">The size along the columns.</param>
public readonly record struct Size2(int Height, int Width)
{
    /// <summary>The same value for height and width.</summary>
    /// <param name="d">The value for both.</param>
    /// <returns>The value as a <see cref="Size2"/>.</returns>
    public static implicit operator Size2(int d) => new(d, d);
    /// <summary>(height, width).</summary>
    /// <param name="t">The (height, width) values.</param>
    /// <returns>The value as a <see cref="Size2"/>.</returns>
    public static implicit operator Size2((int, int) t) => new(t.Item1, t.Item2);

    /// <summary>As a JSON-friendly array [h, w].</summary>
    /// <returns>A new [height, width] array.</returns>
    public int[] ToArray() => [Height, Width];

    /// <inheritdoc/>
    public override string ToString() => $"({Height}, {Width})";
}
