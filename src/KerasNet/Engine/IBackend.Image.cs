#nullable enable
namespace KerasNet.Engine;

/// <summary>How a projective transform fills points that fall outside the input (TensorFlow's fill modes).</summary>
internal enum ImageFillMode
{
    /// <summary>(d c b a | a b c d | d c b a): reflected about the edge of the last pixel.</summary>
    Reflect,
    /// <summary>(a b c d | a b c d | a b c d): wrapped around to the opposite edge.</summary>
    Wrap,
    /// <summary>(k k k k | a b c d | k k k k): the fill value.</summary>
    Constant,
    /// <summary>(a a a a | a b c d | d d d d): the nearest edge pixel.</summary>
    Nearest,
}

/// <summary>How a projective transform reads between pixels.</summary>
internal enum ImageInterpolation
{
    /// <summary>Bilinear over the four neighbours.</summary>
    Bilinear,
    /// <summary>The nearest pixel (coordinates rounded half away from zero).</summary>
    Nearest,
}

/// <summary>Image resampling for the preprocessing layers (NHWC float32).</summary>
internal partial interface IBackend
{
    /// <summary>Resizes or crops x[batch, plan.InH, plan.InW, channels] into y[batch, plan.OutH, plan.OutW, channels].</summary>
    void ResizeForward(ResizePlan plan, int batch, int channels, float[] x, float[] y);

    /// <summary>The input gradient of <see cref="ResizeForward"/>: dx (overwritten) = the transposed resample of dy.</summary>
    void ResizeBackward(ResizePlan plan, int batch, int channels, float[] dy, float[] dx);

    /// <summary>
    /// TensorFlow's ImageProjectiveTransformV3 with the output size of the input: transforms holds 8 floats per
    /// image [a0, a1, a2, b0, b1, b2, c0, c1] mapping output points to input points.
    /// </summary>
    void ProjectiveTransform(int batch, int height, int width, int channels, float[] x, float[] transforms,
        ImageFillMode fillMode, ImageInterpolation interpolation, float fillValue, float[] y);

    /// <summary>The input gradient of <see cref="ProjectiveTransform"/> for the same transforms; dx is overwritten.</summary>
    void ProjectiveTransformBackward(int batch, int height, int width, int channels, float[] dy, float[] transforms,
        ImageFillMode fillMode, ImageInterpolation interpolation, float[] dx);
}
