#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

// The kernels check their own arguments (the same checks serve callers inside the library).
internal sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Transpose(int batch, int[] sampleShape, int[] perm, float[] x, float[] y) => ReshapeKernels.Transpose(batch, sampleShape, perm, x, y);

    /// <inheritdoc/>
    public void ZeroPad2D(int batch, int h, int w, int c, int top, int bottom, int left, int right, float[] x, float[] y) =>
        ReshapeKernels.ZeroPad2D(batch, h, w, c, top, bottom, left, right, x, y);

    /// <inheritdoc/>
    public void Crop2D(int batch, int h, int w, int c, int top, int bottom, int left, int right, float[] x, float[] y) =>
        ReshapeKernels.Crop2D(batch, h, w, c, top, bottom, left, right, x, y);

    /// <inheritdoc/>
    public void UpsampleNearest(int batch, int h, int w, int c, int fh, int fw, float[] x, float[] y) =>
        ResizeKernels.NearestForward(batch, h, w, c, fh, fw, x, y);

    /// <inheritdoc/>
    public void UpsampleNearestBackward(int batch, int h, int w, int c, int fh, int fw, float[] dy, float[] dx) =>
        ResizeKernels.NearestBackward(batch, h, w, c, fh, fw, dy, dx);

    /// <inheritdoc/>
    public void ResizeBilinear(int batch, int h, int w, int c, int outH, int outW, float[] x, float[] y) =>
        ResizeKernels.BilinearForward(batch, h, w, c, outH, outW, x, y);

    /// <inheritdoc/>
    public void ResizeBilinearBackward(int batch, int h, int w, int c, int outH, int outW, float[] dy, float[] dx) =>
        ResizeKernels.BilinearBackward(batch, h, w, c, outH, outW, dy, dx);

    /// <inheritdoc/>
    public void GlobalAvgPool(int outer, int steps, int inner, float[] x, float[] y) => GlobalPoolingKernels.AvgForward(outer, steps, inner, x, y);

    /// <inheritdoc/>
    public void GlobalAvgPoolBackward(int outer, int steps, int inner, float[] dy, float[] dx) => GlobalPoolingKernels.AvgBackward(outer, steps, inner, dy, dx);

    /// <inheritdoc/>
    public void GlobalMaxPool(int outer, int steps, int inner, float[] x, float[] y) => GlobalPoolingKernels.MaxForward(outer, steps, inner, x, y);

    /// <inheritdoc/>
    public void GlobalMaxPoolBackward(int outer, int steps, int inner, float[] x, float[] y, float[] dy, float[] dx) =>
        GlobalPoolingKernels.MaxBackward(outer, steps, inner, x, y, dy, dx);
}
