#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

internal sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void BernoulliMask(float[] mask, int length, ulong key, float rate, float keep, float drop)
    {
        BufferCheck.Dim(length, nameof(length), nameof(BernoulliMask));
        BufferCheck.Length(mask, length, nameof(mask), nameof(BernoulliMask));
        NoiseKernels.BernoulliMask(mask.AsSpan(0, length), key, rate, keep, drop);
    }

    /// <inheritdoc/>
    public void NormalNoise(float[] z, int length, ulong key, float mean, float stddev)
    {
        BufferCheck.Dim(length, nameof(length), nameof(NormalNoise));
        BufferCheck.Length(z, length, nameof(z), nameof(NormalNoise));
        NoiseKernels.Normal(z.AsSpan(0, length), key, mean, stddev);
    }

    /// <inheritdoc/>
    public void BroadcastAffine(float[] x, float[] mul, float[]? add, float[] y, int[] shape, int[] noiseShape)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(mul);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(noiseShape);
        if (shape.Length != noiseShape.Length)
            throw new ArgumentException($"{nameof(BroadcastAffine)}: the noise shape has {noiseShape.Length} dimensions, the shape {shape.Length}.", nameof(noiseShape));
        for (int d = 0; d < shape.Length; d++)
        {
            BufferCheck.Dim(shape[d], nameof(shape), nameof(BroadcastAffine));
            if (noiseShape[d] != 1 && noiseShape[d] != shape[d])
                throw new ArgumentException($"{nameof(BroadcastAffine)}: noise dimension {d} is {noiseShape[d]}, must be 1 or {shape[d]}.", nameof(noiseShape));
        }
        BroadcastKernels.Affine(x, mul, add, y, shape, noiseShape);
    }
}
