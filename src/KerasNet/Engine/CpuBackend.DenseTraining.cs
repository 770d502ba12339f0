#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

internal sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public bool PrefersBlockedDenseBackward(int rows) => Kernels.DenseBackwardBlocked.Supports(rows);

    /// <inheritdoc/>
    public void DenseBackwardBlocked(int rows, int inDim, int units, float[] x, float[] dy, float[] w, float[]? dx, IWeightUpdate? update) =>
        Kernels.DenseBackwardBlocked.Run(rows, inDim, units, x, dy, w, dx, update);
}
