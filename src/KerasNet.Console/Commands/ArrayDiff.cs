#nullable enable
using System.Globalization;

namespace KerasNet.ConsoleApp.Commands;

/// <summary>How two float arrays differ: the largest absolute and relative differences and how many elements fail the tolerance.</summary>
/// <param name="Count">Elements compared.</param>
/// <param name="MaxAbs">max |a - b|.</param>
/// <param name="MaxRel">max |a - b| / |b| (infinite where b is 0 and a is not).</param>
/// <param name="Outside">Elements where |a - b| &gt; atol + rtol * |b| (numpy's <c>allclose</c> rule; NaN equals NaN).</param>
public readonly record struct ArrayDiff(int Count, double MaxAbs, double MaxRel, int Outside)
{
    /// <summary>Whether every element is within tolerance.</summary>
    public bool Equal => Outside == 0;

    /// <summary>Compares <paramref name="a"/> with the reference <paramref name="b"/>.</summary>
    public static ArrayDiff Of(ReadOnlySpan<float> a, ReadOnlySpan<float> b, double atol, double rtol)
    {
        if (a.Length != b.Length) throw new ArgumentException("lengths differ");
        double maxAbs = 0, maxRel = 0;
        int outside = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i], y = b[i];
            if (double.IsNaN(x) || double.IsNaN(y))
            {
                if (!(double.IsNaN(x) && double.IsNaN(y))) { outside++; maxAbs = maxRel = double.NaN; }
                continue;
            }
            if (x == y) continue; // also equal infinities
            double d = Math.Abs(x - y);
            maxAbs = Math.Max(maxAbs, d);
            maxRel = Math.Max(maxRel, y == 0 ? double.PositiveInfinity : d / Math.Abs(y));
            if (!(d <= atol + rtol * Math.Abs(y))) outside++;
        }
        return new ArrayDiff(a.Length, maxAbs, maxRel, outside);
    }

    /// <summary><c>max abs diff 1.2e-07, max rel diff 3e-07</c>.</summary>
    public override string ToString() =>
        $"max abs diff {Number(MaxAbs)}, max rel diff {Number(MaxRel)}, {Outside} of {Count} outside tolerance";

    internal static string Number(double v) => double.IsNaN(v) ? "nan" : double.IsInfinity(v) ? "inf" : v.ToString("G4", CultureInfo.InvariantCulture);
}
