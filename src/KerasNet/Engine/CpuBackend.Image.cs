#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

// The image kernels check their own arguments (buffer lengths against the plan or the dimensions).
internal sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void ResizeForward(ResizePlan plan, int batch, int channels, float[] x, float[] y) =>
        ResizePlanKernels.Forward(plan, batch, channels, x, y);

    /// <inheritdoc/>
    public void ResizeBackward(ResizePlan plan, int batch, int channels, float[] dy, float[] dx) =>
        ResizePlanKernels.Backward(plan, batch, channels, dy, dx);

    /// <inheritdoc/>
    public void ProjectiveTransform(int batch, int height, int width, int channels, float[] x, float[] transforms,
        ImageFillMode fillMode, ImageInterpolation interpolation, float fillValue, float[] y) =>
        ProjectiveKernels.Forward(batch, height, width, channels, x, transforms, fillMode, interpolation, fillValue, y);

    /// <inheritdoc/>
    public void ProjectiveTransformBackward(int batch, int height, int width, int channels, float[] dy, float[] transforms,
        ImageFillMode fillMode, ImageInterpolation interpolation, float[] dx) =>
        ProjectiveKernels.Backward(batch, height, width, channels, dy, transforms, fillMode, interpolation, dx);
}
