#nullable enable
namespace KerasNet.Engine;

/// <summary>Small helpers for shapes given as int arrays (sample shapes omit the batch dimension).</summary>
public static class ShapeUtil
{
    /// <summary>Product of the dimensions (1 for a scalar).</summary>
    public static int Product(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Negative dimension {d} in shape.");
            n *= d;
            if (n > int.MaxValue) throw new ArgumentException("Tensor too large: more than 2^31 elements.");
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
        "(" + string.Join(", ", new[] { "None" }.Concat(sampleShape.Select(d => d.ToString()))) + ")";
}
