#nullable enable
namespace KerasNet.Engine;

// The normalization layers' operations (BatchNormalization, LayerNormalization, UnitNormalization). Per-channel ones
// see a tensor as [outer, channels, inner]: the channel axis with the axes before it folded into outer and the axes
// after it into inner (NHWC with the last axis: inner = 1). Per-row ones see it as [rows, features].
internal partial interface IBackend
{
    /// <summary>Per-channel mean and biased variance over outer and inner (tf.nn.moments over every other axis).</summary>
    void ChannelMoments(float[] x, int outer, int channels, int inner, float[] mean, float[] variance);

    /// <summary>y = x * scale[c] + shift[c] over [outer, channels, inner]; y may be x.</summary>
    void ChannelAffine(float[] x, int outer, int channels, int inner, float[] scale, float[] shift, float[] y);

    /// <summary>sumDy[c] = sum of dy, sumDyCentered[c] = sum of dy * (x - center[c]), over outer and inner.</summary>
    void ChannelGradientSums(float[] dy, float[] x, float[] center, int outer, int channels, int inner, float[] sumDy, float[] sumDyCentered);

    /// <summary>dx = a[c] * dy + b[c] * (x - center[c]) + d[c] over [outer, channels, inner].</summary>
    void ChannelAffineGradient(float[] dy, float[] x, float[] center, int outer, int channels, int inner, float[] a, float[] b, float[] d, float[] dx);

    /// <summary>
    /// Layer normalisation of each row: y = (x - mean) / sqrt(var + epsilon) * gamma + beta (gamma, beta null when
    /// absent); mean and invStd (one per row) receive each row's mean and 1 / sqrt(var + epsilon).
    /// </summary>
    void RowNormalize(float[] x, int rows, int features, float epsilon, float[]? gamma, float[]? beta, float[] y, float[] mean, float[] invStd);

    /// <summary>
    /// The gradients of <see cref="RowNormalize"/> from the saved mean and invStd: dx (null: not wanted), and
    /// dGamma = sum over rows of dy * xhat, dBeta = sum over rows of dy (null: not wanted; overwritten).
    /// </summary>
    void RowNormalizeBackward(float[] dy, float[] x, int rows, int features, float[] mean, float[] invStd, float[]? gamma,
        float[]? dx, float[]? dGamma, float[]? dBeta);

    /// <summary>y = x * rsqrt(max(sum x^2, 1e-12)) per row (tf.math.l2_normalize); sumSquares receives each row's sum x^2.</summary>
    void RowL2Normalize(float[] x, int rows, int features, float[] y, float[] sumSquares);

    /// <summary>The input gradient of <see cref="RowL2Normalize"/> from its output y and the saved sums of squares.</summary>
    void RowL2NormalizeBackward(float[] dy, float[] y, float[] sumSquares, int rows, int features, float[] dx);

    /// <summary>
    /// Permutes the axes of every sample: a batch of samples of shape <paramref name="sampleShape"/> becomes one of
    /// shape sampleShape[perm[0]], sampleShape[perm[1]], ... (numpy's transpose of each sample).
    /// </summary>
    void PermuteSamples(float[] x, int batch, int[] sampleShape, int[] perm, float[] y);
}
