#nullable enable
using KerasNet.Engine;

namespace KerasNet.Preprocessing.Image;

/// <summary>
/// Keras's <c>NumpyArrayIterator</c> (what <see cref="ImageDataGenerator.Flow(Tensor, Tensor?, int, bool, int?)"/>
/// returns): batches of in-memory (N, H, W, C) images, each augmented and standardised, with the matching rows of y.
/// </summary>
public sealed class ArrayIterator : ImageIterator
{
    private readonly Tensor _x;
    private readonly Tensor? _y;
    private readonly int[] _sampleShape;

    internal ArrayIterator(Tensor x, Tensor? y, ImageDataGenerator generator, int batchSize, bool shuffle, int? seed)
        : base(generator, Check(x, y), batchSize, shuffle, seed)
    {
        _x = x; _y = y;
        _sampleShape = x.Shape[1..];
    }

    private static int Check(Tensor x, Tensor? y)
    {
        if (x.Rank != 4)
            throw new ShapeMismatchException($"ImageDataGenerator.Flow: x must be (samples, height, width, channels), got shape {ShapeUtil.Format(x.Shape)}.");
        if (y != null && y.BatchSize != x.BatchSize)
            throw new ShapeMismatchException($"ImageDataGenerator.Flow: x has {x.BatchSize} samples but y has {y.BatchSize}.");
        return x.BatchSize;
    }

    /// <inheritdoc/>
    protected override int[] SampleShape => _sampleShape;

    /// <inheritdoc/>
    protected override void LoadSample(int index, Span<float> dst)
    {
        int size = _x.SampleSize;
        _x.Buffer.AsSpan(index * size, size).CopyTo(dst);
    }

    /// <inheritdoc/>
    protected override Tensor? Targets(ReadOnlySpan<int> indices, Tensor x, Tensor? y)
    {
        if (_y == null) return null;
        var shape = (int[])_y.Shape.Clone();
        shape[0] = indices.Length;
        y = Tensor.Ensure(y, shape);
        int size = _y.SampleSize;
        for (int i = 0; i < indices.Length; i++)
            _y.Buffer.AsSpan(indices[i] * size, size).CopyTo(y.Buffer.AsSpan(i * size, size));
        return y;
    }
}
