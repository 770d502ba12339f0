#nullable enable
namespace KerasNet.Engine;

internal partial interface IBackend
{
    /// <summary>
    /// A dropout mask of <paramref name="length"/> elements from a 64-bit key: <paramref name="keep"/> where the key's
    /// uniform number is at least <paramref name="rate"/>, <paramref name="drop"/> elsewhere. The same key always gives
    /// the same mask.
    /// </summary>
    void BernoulliMask(float[] mask, int length, ulong key, float rate, float keep, float drop);

    /// <summary>Normal numbers mean + stddev * N(0, 1) from a 64-bit key; the same key always gives the same numbers.</summary>
    void NormalNoise(float[] z, int length, ulong key, float mean, float stddev);

    /// <summary>
    /// y = x * mul + add (add may be null) where mul and add have <paramref name="noiseShape"/> and broadcast to
    /// <paramref name="shape"/> (batch axis included) along the axes where the noise size is 1; y may be x.
    /// </summary>
    void BroadcastAffine(float[] x, float[] mul, float[]? add, float[] y, int[] shape, int[] noiseShape);
}
