#nullable enable
namespace KerasNet.Engine;

/// <summary>
/// A dense float32 tensor in row-major (C) order; image batches are NHWC (channels_last) as in Keras.
/// The buffer may be larger than <see cref="Length"/> so that a tensor can be re-shaped for a smaller
/// batch without allocating: training steps reuse the same tensors instead of creating new ones.
/// </summary>
public sealed class Tensor
{
    private float[] _data;

    /// <summary>Creates a zero tensor of the given shape.</summary>
    /// <param name="shape">The dimensions, batch axis first for a batch.</param>
    public Tensor(params int[] shape)
    {
        Shape = (int[])shape.Clone();
        Length = ShapeUtil.Product(Shape);
        _data = new float[Length];
    }

    /// <summary>Wraps an existing buffer (no copy). The buffer must hold at least the shape's element count.</summary>
    /// <param name="data">The buffer to wrap, row-major; it is used, not copied.</param>
    /// <param name="shape">The dimensions; their product must not exceed the buffer's length.</param>
    public Tensor(float[] data, params int[] shape)
    {
        Shape = (int[])shape.Clone();
        Length = ShapeUtil.Product(Shape);
        if (data.Length < Length)
            throw new ArgumentException($"Buffer of {data.Length} floats is too small for shape {ShapeUtil.Format(shape)}.");
        _data = data;
    }

    /// <summary>The dimensions, batch first.</summary>
    public int[] Shape { get; private set; }

    /// <summary>Number of elements in use.</summary>
    public int Length { get; private set; }

    /// <summary>The number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>The underlying buffer; only the first <see cref="Length"/> elements belong to the tensor.</summary>
    public float[] Buffer => _data;

    /// <summary>The elements in use.</summary>
    public Span<float> Span => _data.AsSpan(0, Length);

    /// <summary>Size of the first (batch) dimension.</summary>
    public int BatchSize => Shape.Length == 0 ? 1 : Shape[0];

    /// <summary>Elements per sample (product of all dimensions after the first).</summary>
    public int SampleSize => Shape.Length == 0 ? 1 : Length / Math.Max(1, Shape[0]);

    /// <summary>Element access by flat index.</summary>
    /// <param name="index">The flat row-major index, in [0, <see cref="Tensor.Length"/>).</param>
    public ref float this[int index] => ref _data[index];

    /// <summary>
    /// Re-shapes in place, growing the buffer only when it is too small. Contents are unspecified afterwards.
    /// Returns this tensor, so layers can write <c>_out = Tensor.Ensure(_out, shape)</c>.
    /// </summary>
    /// <param name="shape">The new dimensions.</param>
    /// <returns>This tensor.</returns>
    public Tensor Reshape(params int[] shape)
    {
        int n = ShapeUtil.Product(shape);
        if (n > _data.Length) _data = new float[n];
        if (!ShapeUtil.Equal(Shape, shape)) Shape = (int[])shape.Clone();
        Length = n;
        return this;
    }

    /// <summary>Returns <paramref name="t"/> re-shaped to <paramref name="shape"/>, or a new tensor when null.</summary>
    /// <param name="t">The tensor to reuse, or null.</param>
    /// <param name="shape">The wanted dimensions.</param>
    /// <returns><paramref name="t"/> re-shaped, or a new zero tensor.</returns>
    public static Tensor Ensure(Tensor? t, params int[] shape) => t is null ? new Tensor(shape) : t.Reshape(shape);

    /// <summary>As <see cref="Ensure(Tensor?, int[])"/>, without allocating when the shape is unchanged (the training steady state).</summary>
    /// <param name="t">The tensor to reuse, or null.</param>
    /// <param name="shape">The wanted dimensions.</param>
    /// <returns><paramref name="t"/> itself when its shape already matches, else as the other overload.</returns>
    public static Tensor Ensure(Tensor? t, params ReadOnlySpan<int> shape) =>
        t != null && t.Shape.AsSpan().SequenceEqual(shape) ? t : Ensure(t, shape.ToArray());

    /// <summary>Re-shapes a (batch, ...) tensor for a batch of <paramref name="batch"/> samples of <paramref name="sampleShape"/>.</summary>
    /// <param name="t">The tensor to reuse, or null.</param>
    /// <param name="batch">The number of samples.</param>
    /// <param name="sampleShape">The per-sample dimensions.</param>
    /// <returns>A (batch, sampleShape...) tensor, <paramref name="t"/> when it already has that shape.</returns>
    public static Tensor EnsureBatch(Tensor? t, int batch, int[] sampleShape) =>
        t != null && t.HasBatchShape(batch, sampleShape) ? t : Ensure(t, ShapeUtil.WithBatch(batch, sampleShape));

    /// <summary>Whether the shape is (batch, sampleShape...).</summary>
    internal bool HasBatchShape(int batch, int[] sampleShape) =>
        Shape.Length == sampleShape.Length + 1 && Shape[0] == batch && Shape.AsSpan(1).SequenceEqual(sampleShape);

    /// <summary>A tensor sharing this buffer with another shape of the same element count.</summary>
    /// <param name="shape">The dimensions of the view; their product must equal <see cref="Tensor.Length"/>.</param>
    /// <returns>The view (writes go to this tensor's buffer).</returns>
    public Tensor View(params int[] shape)
    {
        if (ShapeUtil.Product(shape) != Length)
            throw new ArgumentException($"Cannot view {ShapeUtil.Format(Shape)} as {ShapeUtil.Format(shape)}.");
        return new Tensor(_data, shape);
    }

    /// <summary>Points a view at another tensor's buffer and shape (no allocation when the view already exists).</summary>
    internal static Tensor ViewOf(Tensor? view, Tensor source, params ReadOnlySpan<int> shape)
    {
        if (view != null && ReferenceEquals(view._data, source._data) && view.Shape.AsSpan().SequenceEqual(shape))
        {
            view.Length = source.Length;
            return view;
        }
        return ViewOf(view, source, shape.ToArray());
    }

    /// <summary>A view of source as (batch, sampleShape...), allocating only when the shape changes.</summary>
    internal static Tensor ViewOfBatch(Tensor? view, Tensor source, int batch, int[] sampleShape) =>
        view != null && ReferenceEquals(view._data, source._data) && view.HasBatchShape(batch, sampleShape)
            ? ViewOf(view, source, view.Shape)
            : ViewOf(view, source, ShapeUtil.WithBatch(batch, sampleShape));

    internal static Tensor ViewOf(Tensor? view, Tensor source, int[] shape)
    {
        if (view is null || !ReferenceEquals(view._data, source._data)) return source.View(shape);
        view.Shape = ShapeUtil.Equal(view.Shape, shape) ? view.Shape : (int[])shape.Clone();
        view.Length = source.Length;
        return view;
    }

    /// <summary>Copies the elements into a new array.</summary>
    /// <returns>The elements in row-major order.</returns>
    public float[] ToArray() => Span.ToArray();

    /// <summary>A deep copy.</summary>
    /// <returns>A new tensor with the same shape and a copy of the elements.</returns>
    public Tensor Clone()
    {
        var t = new Tensor(Shape);
        Span.CopyTo(t.Span);
        return t;
    }

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Span.Clear();

    /// <inheritdoc/>
    public override string ToString() => $"Tensor{ShapeUtil.Format(Shape)}";
}
