namespace KerasNet.Tests.Engine;

/// <summary>Random data and tolerant comparison for the engine's kernel tests.</summary>
internal static class EngineTestUtil
{
    public static float[] Random(int n, int seed, float scale = 1f)
    {
        var rng = new Random(seed);
        var a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
        return a;
    }

    /// <summary>
    /// Asserts |actual - expected| &lt;= tol * (magnitude + 1e-3) per element, where magnitude is the sum of the
    /// absolute products that formed the element (float rounding scales with it, not with the result).
    /// </summary>
    public static void AssertClose(ReadOnlySpan<double> expected, ReadOnlySpan<double> magnitude, ReadOnlySpan<float> actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(actual[i] - expected[i]);
            if (!(err <= tol * (magnitude[i] + 1e-3)))
                Assert.Fail($"{what}: element {i} is {actual[i]}, expected {expected[i]} (error {err:E2}, magnitude {magnitude[i]:E2}).");
        }
    }

    public static bool BitEqual(float[] a, float[] b) =>
        a.Length == b.Length && a.AsSpan().SequenceEqual(b);
}
