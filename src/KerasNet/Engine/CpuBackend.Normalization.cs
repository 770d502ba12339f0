#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

// The normalization operations: argument checks here, loops in NormalizationKernels and RowNormalizationKernels.
internal sealed partial class CpuBackend
{
    private static long CheckChannels(int outer, int channels, int inner, string op)
    {
        BufferCheck.Dim(outer, nameof(outer), op);
        BufferCheck.Dim(channels, nameof(channels), op);
        BufferCheck.Dim(inner, nameof(inner), op);
        return (long)outer * channels * inner;
    }

    private static long CheckRows(int rows, int features, string op)
    {
        BufferCheck.Dim(rows, nameof(rows), op);
        BufferCheck.Dim(features, nameof(features), op);
        if (features == 0 && rows > 0) throw new ArgumentOutOfRangeException(nameof(features), features, $"{op}: features is 0 for {rows} rows.");
        return (long)rows * features;
    }

    /// <inheritdoc/>
    public void ChannelMoments(float[] x, int outer, int channels, int inner, float[] mean, float[] variance)
    {
        const string op = nameof(ChannelMoments);
        long n = CheckChannels(outer, channels, inner, op);
        BufferCheck.Length(x, n, nameof(x), op);
        BufferCheck.Length(mean, channels, nameof(mean), op);
        BufferCheck.Length(variance, channels, nameof(variance), op);
        NormalizationKernels.ChannelMoments(x.AsSpan(0, (int)n), outer, channels, inner, mean, variance);
    }

    /// <inheritdoc/>
    public void ChannelAffine(float[] x, int outer, int channels, int inner, float[] scale, float[] shift, float[] y)
    {
        const string op = nameof(ChannelAffine);
        long n = CheckChannels(outer, channels, inner, op);
        BufferCheck.Length(x, n, nameof(x), op);
        BufferCheck.Length(y, n, nameof(y), op);
        BufferCheck.Length(scale, channels, nameof(scale), op);
        BufferCheck.Length(shift, channels, nameof(shift), op);
        NormalizationKernels.ChannelAffine(x.AsSpan(0, (int)n), outer, channels, inner, scale.AsSpan(0, channels), shift.AsSpan(0, channels), y.AsSpan(0, (int)n));
    }

    /// <inheritdoc/>
    public void ChannelGradientSums(float[] dy, float[] x, float[] center, int outer, int channels, int inner, float[] sumDy, float[] sumDyCentered)
    {
        const string op = nameof(ChannelGradientSums);
        long n = CheckChannels(outer, channels, inner, op);
        BufferCheck.Length(dy, n, nameof(dy), op);
        BufferCheck.Length(x, n, nameof(x), op);
        BufferCheck.Length(center, channels, nameof(center), op);
        BufferCheck.Length(sumDy, channels, nameof(sumDy), op);
        BufferCheck.Length(sumDyCentered, channels, nameof(sumDyCentered), op);
        NormalizationKernels.ChannelGradientSums(dy.AsSpan(0, (int)n), x.AsSpan(0, (int)n), center, outer, channels, inner, sumDy, sumDyCentered);
    }

    /// <inheritdoc/>
    public void ChannelAffineGradient(float[] dy, float[] x, float[] center, int outer, int channels, int inner, float[] a, float[] b, float[] d, float[] dx)
    {
        const string op = nameof(ChannelAffineGradient);
        long n = CheckChannels(outer, channels, inner, op);
        BufferCheck.Length(dy, n, nameof(dy), op);
        BufferCheck.Length(x, n, nameof(x), op);
        BufferCheck.Length(dx, n, nameof(dx), op);
        BufferCheck.Length(center, channels, nameof(center), op);
        BufferCheck.Length(a, channels, nameof(a), op);
        BufferCheck.Length(b, channels, nameof(b), op);
        BufferCheck.Length(d, channels, nameof(d), op);
        NormalizationKernels.ChannelAffineGradient(dy.AsSpan(0, (int)n), x.AsSpan(0, (int)n), center.AsSpan(0, channels), outer, channels, inner,
            a.AsSpan(0, channels), b.AsSpan(0, channels), d.AsSpan(0, channels), dx.AsSpan(0, (int)n));
    }

    /// <inheritdoc/>
    public void RowNormalize(float[] x, int rows, int features, float epsilon, float[]? gamma, float[]? beta, float[] y, float[] mean, float[] invStd)
    {
        const string op = nameof(RowNormalize);
        long n = CheckRows(rows, features, op);
        BufferCheck.Length(x, n, nameof(x), op);
        BufferCheck.Length(y, n, nameof(y), op);
        BufferCheck.Optional(gamma, features, nameof(gamma), op);
        BufferCheck.Optional(beta, features, nameof(beta), op);
        BufferCheck.Length(mean, rows, nameof(mean), op);
        BufferCheck.Length(invStd, rows, nameof(invStd), op);
        RowNormalizationKernels.Normalize(x.AsSpan(0, (int)n), rows, features, epsilon, Part(gamma, features), Part(beta, features), y.AsSpan(0, (int)n), mean, invStd);
    }

    /// <inheritdoc/>
    public void RowNormalizeBackward(float[] dy, float[] x, int rows, int features, float[] mean, float[] invStd, float[]? gamma,
        float[]? dx, float[]? dGamma, float[]? dBeta)
    {
        const string op = nameof(RowNormalizeBackward);
        long n = CheckRows(rows, features, op);
        BufferCheck.Length(dy, n, nameof(dy), op);
        BufferCheck.Length(x, n, nameof(x), op);
        BufferCheck.Length(mean, rows, nameof(mean), op);
        BufferCheck.Length(invStd, rows, nameof(invStd), op);
        BufferCheck.Optional(gamma, features, nameof(gamma), op);
        BufferCheck.Optional(dx, n, nameof(dx), op);
        BufferCheck.Optional(dGamma, features, nameof(dGamma), op);
        BufferCheck.Optional(dBeta, features, nameof(dBeta), op);
        RowNormalizationKernels.NormalizeBackward(dy.AsSpan(0, (int)n), x.AsSpan(0, (int)n), rows, features, mean, invStd, Part(gamma, features),
            dx is null ? default : dx.AsSpan(0, (int)n), Out(dGamma, features), Out(dBeta, features));
    }

    /// <inheritdoc/>
    public void RowL2Normalize(float[] x, int rows, int features, float[] y, float[] sumSquares)
    {
        const string op = nameof(RowL2Normalize);
        long n = CheckRows(rows, features, op);
        BufferCheck.Length(x, n, nameof(x), op);
        BufferCheck.Length(y, n, nameof(y), op);
        BufferCheck.Length(sumSquares, rows, nameof(sumSquares), op);
        RowNormalizationKernels.L2Normalize(x.AsSpan(0, (int)n), rows, features, y.AsSpan(0, (int)n), sumSquares);
    }

    /// <inheritdoc/>
    public void RowL2NormalizeBackward(float[] dy, float[] y, float[] sumSquares, int rows, int features, float[] dx)
    {
        const string op = nameof(RowL2NormalizeBackward);
        long n = CheckRows(rows, features, op);
        BufferCheck.Length(dy, n, nameof(dy), op);
        BufferCheck.Length(y, n, nameof(y), op);
        BufferCheck.Length(dx, n, nameof(dx), op);
        BufferCheck.Length(sumSquares, rows, nameof(sumSquares), op);
        RowNormalizationKernels.L2NormalizeBackward(dy.AsSpan(0, (int)n), y.AsSpan(0, (int)n), sumSquares, rows, features, dx.AsSpan(0, (int)n));
    }

    /// <inheritdoc/>
    public void PermuteSamples(float[] x, int batch, int[] sampleShape, int[] perm, float[] y)
    {
        const string op = nameof(PermuteSamples);
        BufferCheck.Dim(batch, nameof(batch), op);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentNullException.ThrowIfNull(perm);
        if (!IsPermutation(perm, sampleShape.Length))
            throw new ArgumentException($"{op}: perm [{string.Join(", ", perm)}] is not a permutation of the {sampleShape.Length} sample axes.", nameof(perm));
        long size = 1;
        foreach (int d in sampleShape) { BufferCheck.Dim(d, nameof(sampleShape), op); size *= d; }
        BufferCheck.Length(x, size * batch, nameof(x), op);
        BufferCheck.Length(y, size * batch, nameof(y), op);
        RowNormalizationKernels.Permute(x, batch, sampleShape, perm, y);
    }

    private static bool IsPermutation(int[] perm, int rank)
    {
        if (perm.Length != rank) return false;
        Span<bool> seen = stackalloc bool[rank];
        foreach (int p in perm)
        {
            if ((uint)p >= (uint)rank || seen[p]) return false;
            seen[p] = true;
        }
        return true;
    }

    private static ReadOnlySpan<float> Part(float[]? a, int n) => a is null ? default : a.AsSpan(0, n);

    private static Span<float> Out(float[]? a, int n) => a is null ? default : a.AsSpan(0, n);
}
