#nullable enable
using KerasNet.Engine;

namespace KerasNet.Losses;

/// <summary>Moves one axis of a tensor to the end and back (a loss's <c>axis</c> other than the last).</summary>
internal static class AxisMove
{
    /// <summary>A copy of <paramref name="x"/> with axis <paramref name="axis"/> moved last.</summary>
    public static Tensor ToEnd(Tensor x, int axis)
    {
        var (outer, mid, inner) = Split(x.Shape, axis);
        int[] shape = [.. x.Shape[..axis], .. x.Shape[(axis + 1)..], x.Shape[axis]];
        var moved = new Tensor(shape);
        var src = x.Span;
        var dst = moved.Span;
        for (int o = 0; o < outer; o++)
            for (int m = 0; m < mid; m++)
                for (int i = 0; i < inner; i++) dst[(o * inner + i) * mid + m] = src[(o * mid + m) * inner + i];
        return moved;
    }

    /// <summary>Writes <paramref name="moved"/> (axis <paramref name="axis"/> last) back into <paramref name="into"/>'s layout.</summary>
    public static void FromEnd(Tensor moved, int axis, Tensor into)
    {
        var (outer, mid, inner) = Split(into.Shape, axis);
        var src = moved.Span;
        var dst = into.Span;
        for (int o = 0; o < outer; o++)
            for (int m = 0; m < mid; m++)
                for (int i = 0; i < inner; i++) dst[(o * mid + m) * inner + i] = src[(o * inner + i) * mid + m];
    }

    private static (int Outer, int Mid, int Inner) Split(int[] shape, int axis)
    {
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < shape.Length; d++) inner *= shape[d];
        return (outer, shape[axis], inner);
    }
}
