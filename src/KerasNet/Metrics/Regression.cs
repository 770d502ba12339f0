#nullable enable
namespace KerasNet.Metrics;

/// <summary>The per-row regression functions of Keras (tf.keras 2.4 losses.py), a mean over the last axis.</summary>
internal static class Regression
{
    private const double Epsilon = 1e-7; // Keras's backend epsilon

    public static double SquaredError(ReadOnlySpan<float> p, ReadOnlySpan<float> y)
    {
        double s = 0;
        for (int j = 0; j < p.Length; j++) { double d = (double)p[j] - y[Broadcast(y, j)]; s += d * d; }
        return s / p.Length;
    }

    public static double AbsoluteError(ReadOnlySpan<float> p, ReadOnlySpan<float> y)
    {
        double s = 0;
        for (int j = 0; j < p.Length; j++) s += Math.Abs((double)p[j] - y[Broadcast(y, j)]);
        return s / p.Length;
    }

    public static double AbsolutePercentageError(ReadOnlySpan<float> p, ReadOnlySpan<float> y)
    {
        double s = 0;
        for (int j = 0; j < p.Length; j++)
        {
            double t = y[Broadcast(y, j)];
            s += Math.Abs((t - p[j]) / Math.Max(Math.Abs(t), Epsilon));
        }
        return 100 * s / p.Length;
    }

    public static double SquaredLogarithmicError(ReadOnlySpan<float> p, ReadOnlySpan<float> y)
    {
        double s = 0;
        for (int j = 0; j < p.Length; j++)
        {
            double d = Math.Log(Math.Max(p[j], Epsilon) + 1) - Math.Log(Math.Max(y[Broadcast(y, j)], Epsilon) + 1);
            s += d * d;
        }
        return s / p.Length;
    }

    public static double LogCosh(ReadOnlySpan<float> p, ReadOnlySpan<float> y)
    {
        double s = 0;
        for (int j = 0; j < p.Length; j++)
        {
            double x = (double)p[j] - y[Broadcast(y, j)];
            // log(cosh x) = x + softplus(-2x) - log 2, which neither overflows nor loses small x.
            double z = -2 * x;
            double softplus = Math.Max(z, 0) + Math.Log(1 + Math.Exp(-Math.Abs(z)));
            s += x + softplus - Math.Log(2);
        }
        return s / p.Length;
    }

    // A target of shape (N,) against outputs (N, 1) holds one value per row.
    private static int Broadcast(ReadOnlySpan<float> y, int j) => y.Length == 1 ? 0 : j;
}
