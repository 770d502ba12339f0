#nullable enable
namespace KerasNet.Engine;

// Convolutions in full generality (ConvSpec: dilation, channel groups, depthwise, 'causal' padding), on which Conv1D,
// Conv2D, the transposed convolutions (the input gradient of a convolution), DepthwiseConv2D and the separable
// convolutions are built. A plain spec (no dilation, one group) must give the same result as the ConvGeometry
// operations above.
internal partial interface IBackend
{
    /// <summary>
    /// NHWC convolution y[N, OutH, OutW, filters] = x ⋆ w (+ bias, then the activation), w stored
    /// (KH, KW, InC / Groups, filters) as Keras does (a depthwise kernel (KH, KW, InC, multiplier) is the same memory
    /// with Groups = InC). The backend may keep in <paramref name="workspace"/> what the same layer's backward pass needs.
    /// </summary>
    void ConvForward(in ConvSpec s, float[] x, float[] w, float[]? bias, ActivationKind activation, int filters, float[] y, ConvWorkspace? workspace);

    /// <summary>
    /// The inference forward pass of <see cref="ConvForward"/>: the same result to float rounding (not bit for bit:
    /// the backend may use kernels that sum in another order), keeping nothing for a backward pass. The backend may keep
    /// the kernel and bias in a layout of its own in <paramref name="workspace"/> while the same arrays come back with
    /// the same <paramref name="weightsVersion"/> (a number that changes whenever their values do; below 0 when
    /// unknown, which re-reads them on every call).
    /// </summary>
    void ConvInfer(in ConvSpec s, float[] x, float[] w, float[]? bias, long weightsVersion, ActivationKind activation, int filters, float[] y, ConvWorkspace? workspace);

    /// <summary>Kernel gradient dw (overwritten, the kernel's layout) from the input x and the output gradient dy.</summary>
    void ConvBackwardFilter(in ConvSpec s, float[] x, float[] dy, int filters, float[] dw, ConvWorkspace? workspace);

    /// <summary>
    /// The kernel gradient <paramref name="dw"/> (overwritten) of a convolution followed by ReLU (when
    /// <paramref name="reluOutput"/>, the layer's activated output, is given) or by nothing, from the gradient
    /// <paramref name="dy"/> at the activated output (left as it is); with it the bias gradient <paramref name="db"/>
    /// and the gradient at the pre-activation <paramref name="gradPre"/> (what <see cref="ConvBackwardInput"/> takes),
    /// each overwritten when not null. The backend may form all three in one pass over dy.
    /// </summary>
    void ConvBackwardActivated(in ConvSpec s, float[] x, float[]? reluOutput, float[] dy, int filters, float[] dw, float[]? db, float[]? gradPre, ConvWorkspace? workspace);

    /// <summary>
    /// Input gradient dx[N, InH, InW, InC] (overwritten) from the output gradient dy and the kernel w; with the roles of
    /// input and output exchanged, this is the transposed convolution of dy.
    /// </summary>
    void ConvBackwardInput(in ConvSpec s, float[] dy, float[] w, int filters, float[] dx, ConvWorkspace? workspace);
}
