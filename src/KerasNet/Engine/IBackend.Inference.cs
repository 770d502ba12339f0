#nullable enable
namespace KerasNet.Engine;

// Inference-only fused operations that an inference plan (FunctionalGraph.Pooling.cs) asks for in place of two layers.
internal partial interface IBackend
{
    /// <summary>
    /// y = maxpool(<see cref="ConvInfer"/>(x)): the convolution <paramref name="s"/> (activation linear or ReLU) followed
    /// by the max pool <paramref name="pool"/> over its output (pool.Batch, InH, InW, InC equal to the convolution's
    /// batch, output size and filters), y the pooled [N, pool.OutH, pool.OutW, filters]. The same values as the two
    /// operations one after the other; a backend may compute them without the convolution's output in memory.
    /// </summary>
    void ConvPoolInfer(in ConvSpec s, float[] x, float[] w, float[]? bias, long weightsVersion, ActivationKind activation, int filters,
        in ConvGeometry pool, float[] y, ConvWorkspace? workspace);

    /// <summary>
    /// The inference pass of <see cref="DenseForward"/>: the same result to float rounding (not bit for bit: the backend
    /// may sum in another order where that is faster, e.g. for a few units at a large batch). <paramref name="pack"/>,
    /// when given with a <paramref name="weightsVersion"/> of 0 or more, keeps the backend's prepacked copy of
    /// <paramref name="w"/> for that version (a version below 0: unknown, nothing is kept).
    /// </summary>
    void DenseInfer(int rows, int inDim, int units, float[] x, float[] w, float[]? bias, ActivationKind activation, float[] y,
        DenseKernelPack? pack = null, long weightsVersion = -1);

    /// <summary>
    /// Samples up to which <see cref="ConvInfer"/> and <see cref="ConvPoolInfer"/> of <paramref name="s"/> (its batch
    /// ignored) compute each sample's output with the same arithmetic whatever the other samples of the call, so its bits
    /// are those of the sample run alone; 1 where the backend promises nothing. Inference stacks small batches up to it.
    /// </summary>
    int ConvInferInvariantSamples(in ConvSpec s);

    /// <summary>
    /// Rows up to which <see cref="DenseInfer"/> of an <paramref name="inDim"/> x <paramref name="units"/> kernel computes
    /// each row's output with the same arithmetic whatever the other rows of the call; 1 where the backend promises nothing.
    /// </summary>
    int DenseInferInvariantRows(int inDim, int units);
}
