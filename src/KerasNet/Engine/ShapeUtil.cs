#nullable enable
namespace KerasNet.Engine;

/// <summary>Small helpers for shapes given as int arrays (sample shapes omit the batch dimension).</summary>
internal static class ShapeUtil
{
    /// <summary>
    /// Product of the dimensions (1 for a scalar). A negative dimension, or more values than one tensor can hold
    /// (2^31 - 1: a .NET array), is a <see cref="TensorSizeException"/> naming the shape, its size and its bytes, so a
    /// layer built in code with an absurd argument (Dense(1_000_000_000)) fails with a clear message.
    /// </summary>
    public static int Product(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new TensorSizeException($"a tensor of shape {Format(shape.ToArray())} has the negative dimension {d}.");
            n *= d;
            if (n > int.MaxValue)
            {
                // The exact size, in 128-bit arithmetic so even absurd shapes print their true count.
                Int128 total = 1;
                foreach (int e in shape) total *= Math.Max(e, 0);
                throw new TensorSizeException(
                    $"a tensor of shape {Format(shape.ToArray())} would hold {total:N0} values ({total * 4:N0} bytes as float32), more than the {int.MaxValue:N0} one tensor can hold.");
            }
        }
        return (int)n;
    }

    /// <summary>Element-wise equality.</summary>
    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Prepends a batch dimension.</summary>
    public static int[] WithBatch(int batch, int[] sampleShape)
    {
        var s = new int[sampleShape.Length + 1];
        s[0] = batch;
        sampleShape.CopyTo(s, 1);
        return s;
    }

    /// <summary>Formats as a Python tuple: <c>(2, 3)</c>, <c>(5,)</c>.</summary>
    public static string Format(IReadOnlyList<int> shape) =>
        shape.Count == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";

    /// <summary>Formats a Keras shape with an unknown batch: <c>(None, 62, 62, 32)</c>; a scalar sample is <c>(None,)</c>.</summary>
    public static string FormatWithNone(IReadOnlyList<int> sampleShape) => sampleShape.Count == 0 ? "(None,)" :
        "(" + string.Join(", ", new[] { "None" }.Concat(sampleShape.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)))) + ")";
}
