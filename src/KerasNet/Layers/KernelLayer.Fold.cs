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
    /// own) in place of the layer's weights, then relu(x) clipped to <paramref name="clipMax"/> when
    /// <paramref name="relu"/> (a following ReLU layer absorbed too); only for layers where <see cref="CanAbsorbAffine"/>.
    /// </summary>
    internal virtual Tensor ForwardWithWeights(CallContext ctx, Tensor input, float[] kernel, float[]? bias, bool relu = false, float? clipMax = null) =>
        throw new InvalidOperationException($"Internal error: layer '{Name}' ({ClassName}) cannot run with folded weights.");

    /// <summary>
    /// The activation a folded pass asks the backend for: ReLU (fused into the kernels' output tiles) when a ReLU
    /// layer is absorbed, else the layer's own (then linear: <see cref="CanAbsorbAffine"/>).
    /// </summary>
    private protected ActivationKind FoldedActivation(CallContext ctx, bool relu, out bool fused)
    {
        fused = relu || Stage.FusableIntoOutput(ctx);
        return relu ? ActivationKind.Relu : fused ? Stage.Kind : ActivationKind.Linear;
    }

    /// <summary>min(y, max) in place, over the engine's threads (ReLU6's upper clip after a fused ReLU).</summary>
    private protected static void ClipAbove(Tensor y, float? max)
    {
        if (max is not float m) return;
        var job = Workspace.Rent(ref t_clip);
        try
        {
            job.Data = y.Buffer;
            job.Max = m;
            // Chunks of 16K floats (64 KB, a core's L2 share at least): the pass is memory-bound, so split by size alone.
            const int chunk = 16384;
            int n = (y.Length + chunk - 1) / chunk;
            job.Length = y.Length;
            Threads.For(n, chunk, job);
        }
        finally { job.Data = null!; Workspace.Return(ref t_clip, job); }
    }

    [ThreadStatic] private static ClipJob? t_clip;

    private sealed class ClipJob : ParallelJob
    {
        public float[] Data = null!;
        public float Max;
        public int Length;

        public override void Execute(int part, int start, int end)
        {
            const int chunk = 16384;
            int from = start * chunk, to = (int)Math.Min((long)end * chunk, Length);
            var span = Data.AsSpan(from, to - from);
            System.Numerics.Tensors.TensorPrimitives.Min(span, Max, span);
        }
    }
}
