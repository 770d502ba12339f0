#nullable enable
namespace KerasNet.Engine;

/// <summary>
/// The reshaping and global pooling operations (Permute, ZeroPadding, Cropping, UpSampling, RepeatVector,
/// GlobalAverage/MaxPooling). They are memory-bound copies and reductions over row-major buffers; every buffer may be
/// longer than the shape needs (a reused tensor), never shorter.
/// </summary>
internal partial interface IBackend
{
    /// <summary>
    /// Per sample, y = x transposed: output axis i is input axis <paramref name="perm"/>[i] (0-based, per-sample axes).
    /// x holds <paramref name="batch"/> samples of <paramref name="sampleShape"/>.
    /// </summary>
    void Transpose(int batch, int[] sampleShape, int[] perm, float[] x, float[] y);

    /// <summary>
    /// NHWC zero padding: y[n, top + i, left + j, :] = x[n, i, j, :], zero elsewhere; y is
    /// (batch, h + top + bottom, w + left + right, c). Its adjoint is <see cref="Crop2D"/> with the same margins.
    /// </summary>
    void ZeroPad2D(int batch, int h, int w, int c, int top, int bottom, int left, int right, float[] x, float[] y);

    /// <summary>
    /// NHWC cropping: y[n, i, j, :] = x[n, top + i, left + j, :]; y is (batch, h - top - bottom, w - left - right, c).
    /// Its adjoint is <see cref="ZeroPad2D"/> with the same margins.
    /// </summary>
    void Crop2D(int batch, int h, int w, int c, int top, int bottom, int left, int right, float[] x, float[] y);

    /// <summary>Nearest upsampling by integer factors: y[n, i, j, :] = x[n, i / fh, j / fw, :] (each pixel repeated).</summary>
    void UpsampleNearest(int batch, int h, int w, int c, int fh, int fw, float[] x, float[] y);

    /// <summary>Gradient of <see cref="UpsampleNearest"/>: dx[n, i, j, :] = sum of dy over the pixel's fh x fw copies (dx overwritten).</summary>
    void UpsampleNearestBackward(int batch, int h, int w, int c, int fh, int fw, float[] dy, float[] dx);

    /// <summary>
    /// Bilinear resize of an NHWC batch from h x w to outH x outW as TensorFlow 2's tf.image.resize (resize_bilinear
    /// with half_pixel_centers: source = (dst + 0.5) * in / out - 0.5, clamped to the image).
    /// </summary>
    void ResizeBilinear(int batch, int h, int w, int c, int outH, int outW, float[] x, float[] y);

    /// <summary>Gradient of <see cref="ResizeBilinear"/> with respect to its input (dx overwritten).</summary>
    void ResizeBilinearBackward(int batch, int h, int w, int c, int outH, int outW, float[] dy, float[] dx);

    /// <summary>
    /// x viewed as (outer, steps, inner): y[o, i] = mean over s of x[o, s, i] (channels_last global average pooling has
    /// outer = batch, inner = channels; channels_first has outer = batch * channels, inner = 1).
    /// </summary>
    void GlobalAvgPool(int outer, int steps, int inner, float[] x, float[] y);

    /// <summary>Gradient of <see cref="GlobalAvgPool"/>: dx[o, s, i] = dy[o, i] / steps (dx overwritten).</summary>
    void GlobalAvgPoolBackward(int outer, int steps, int inner, float[] dy, float[] dx);

    /// <summary>x viewed as (outer, steps, inner): y[o, i] = max over s of x[o, s, i].</summary>
    void GlobalMaxPool(int outer, int steps, int inner, float[] x, float[] y);

    /// <summary>
    /// Gradient of <see cref="GlobalMaxPool"/> as TensorFlow's reduce_max gradient: dy[o, i] split evenly among the steps
    /// whose x equals the maximum y[o, i] (dx overwritten).
    /// </summary>
    void GlobalMaxPoolBackward(int outer, int steps, int inner, float[] x, float[] y, float[] dy, float[] dx);
}
