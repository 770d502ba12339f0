#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

// Inference folding of a following BatchNormalization (FunctionalGraph.Folding.cs): the graph runs this layer with a
// kernel and bias of its own (the layer's, scaled per output channel), and skips the normalization.
public abstract partial class KernelLayer
{
    /// <summary>
    /// Whether this layer's inference output may absorb a per-channel affine map of its last axis through its kernel
    /// and bias: a layer that computes x * kernel + bias with the output channel fastest in the kernel, with no
    /// activation after it and no activity regularizer reading its output (whose penalty the map would change).
    /// </summary>
    internal bool CanAbsorbAffine => Activation == ActivationKind.Linear && ActivityRegularizer is null or { IsZero: true } && AbsorbsAffine;

    /// <summary>Whether the layer kind supports <see cref="ForwardWithWeights"/> (Dense, channels_last Conv1D/Conv2D/DepthwiseConv2D).</summary>
    private protected virtual bool AbsorbsAffine => false;

    /// <summary>
    /// The inference forward pass with <paramref name="kernel"/> and <paramref name="bias"/> (laid out as the layer's
    /// own) in place of the layer's weights; only for layers where <see cref="CanAbsorbAffine"/>.
    /// </summary>
    internal virtual Tensor ForwardWithWeights(CallContext ctx, Tensor input, float[] kernel, float[]? bias) =>
        throw new InvalidOperationException($"Internal error: layer '{Name}' ({ClassName}) cannot run with folded weights.");
}
