#nullable enable
using System.Globalization;
using System.Text;

namespace KerasNet.Sklearn;

/// <summary>The pieces of Python's <c>str.format</c> alignment and numpy's summation that scikit-learn's report text depends on.</summary>
internal static class PyFormat
{
    /// <summary>Python's <c>'{:>{width}}'</c>: right-aligns, counting code points as Python's <c>len</c> does.</summary>
    public static string Right(string s, int width)
    {
        int len = Length(s);
        return len >= width ? s : new string(' ', width - len) + s;
    }

    /// <summary>Python's <c>len(str)</c>: code points, not UTF-16 units.</summary>
    public static int Length(string s) => s.EnumerateRunes().Count();

    /// <summary>
    /// numpy's <c>np.add.reduce</c> over a contiguous float64 array (pairwise summation with 8 accumulators),
    /// so averages round exactly as scikit-learn's do.
    /// </summary>
    public static double Sum(ReadOnlySpan<double> a)
    {
        const int blockSize = 128;
        int n = a.Length;
        if (n < 8)
        {
            double res = -0.0; // numpy starts from -0.0 so that sums of -0.0 stay -0.0
            for (int i = 0; i < n; i++) res += a[i];
            return res;
        }
        if (n <= blockSize)
        {
            Span<double> r = stackalloc double[8];
            a[..8].CopyTo(r);
            int i;
            for (i = 8; i < n - n % 8; i += 8)
                for (int j = 0; j < 8; j++) r[j] += a[i + j];
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) res += a[i];
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return Sum(a[..n2]) + Sum(a[n2..]);
    }
}
