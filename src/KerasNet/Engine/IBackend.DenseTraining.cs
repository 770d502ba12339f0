#nullable enable
namespace KerasNet.Engine;

internal partial interface IBackend
{
    /// <summary>
    /// Whether <see cref="DenseBackwardBlocked"/> runs for a batch of <paramref name="rows"/> (past the few-row case
    /// that <see cref="DenseBackwardFused"/> covers), at every vector width.
    /// </summary>
    bool PrefersBlockedDenseBackward(int rows);

    /// <summary>
    /// Dense backward in one pass over the kernel w (inDim, units), in blocks of its rows: dx[rows, inDim] = dy w^T
    /// (with the weights before the update; skipped when dx is null) and, when <paramref name="update"/> is given, each
    /// block's gradient x^T dy handed to it as soon as it is formed (the kernel gradient is never stored). Neither the
    /// kernel nor a transposed copy of it is written for the input gradient.
    /// </summary>
    void DenseBackwardBlocked(int rows, int inDim, int units, float[] x, float[] dy, float[] w, float[]? dx, IWeightUpdate? update);
}
