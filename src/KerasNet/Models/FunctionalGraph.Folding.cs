#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Models;

// BatchNormalization folded at inference: a Dense/Conv1D/Conv2D/DepthwiseConv2D node (linear activation, no activity
// regularizer) whose output only a BatchNormalization node reads runs, in inference passes, with its kernel and bias
// scaled by the normalization's per-channel scale and shift (BatchNormalization.TryFoldInto), and the normalization
// node is skipped: one pass over the activations instead of two. A ReLU layer (no slope, no threshold: MobileNet's
// ReLU6) that alone reads the normalization's output is absorbed too: ReLU fused into the producer's output tiles,
// max_value as an in-place clip, and the ReLU node skipped. The folded weights are kept per pair in an
// immutable entry that names the weights' versions it was made from; an entry whose versions differ (training,
// SetWeights, loading) is rebuilt and swapped in with one reference write, so concurrent predictions read either
// the old complete entry or the new one. Training passes never fold (the normalization uses batch statistics there).
internal sealed partial class FunctionalGraph
{
    /// <summary>
    /// A producer node and the BatchNormalization node that alone reads its output, and the ReLU node (-1: none)
    /// that alone reads the normalization's.
    /// </summary>
    // A class, not a struct: a list or array of a value type is generic code the ReadyToRun image cannot hold,
    // JIT-compiled at every model load (issue 17, start-up).
    private sealed record FoldPair(int Producer, int Norm, KernelLayer Layer, BatchNormalization Bn, int Act, ReLU? Relu);

    /// <summary>Folded weights for one state of a pair's weights (never changed once built).</summary>
    private sealed class FoldedWeights
    {
        public required long KernelVersion, BiasVersion, NormVersion;
        public required object NormFold;
        public required float[] Kernel, Bias;
    }

    private FoldPair[] _foldPairs = [];
    private int[] _foldAt = [], _skipAt = []; // per node: the pair it produces / normalizes or activates, or -1
    private FoldedWeights?[] _folded = [];

    /// <summary>
    /// Whether inference passes fold BatchNormalization into the layer before it (on by default; tests turn it off
    /// to compare with the unfolded computation).
    /// </summary>
    internal bool FoldsBatchNormalization { get; set; } = true;

    /// <summary>The pairs that may fold (their run-time conditions are checked at each pass).</summary>
    internal int FoldablePairs => _foldPairs.Length;

    /// <summary>Finds the producer/normalization pairs; called once the nodes and consumer counts are known.</summary>
    private void FindFoldPairs(Dictionary<int, int> producerOf, Dictionary<int, int> readerOf)
    {
        _foldAt = Enumerable.Repeat(-1, _nodes.Length).ToArray();
        _skipAt = Enumerable.Repeat(-1, _nodes.Length).ToArray();
        var pairs = new List<FoldPair>();
        for (int k = 0; k < _nodes.Length; k++)
        {
            if (_nodes[k].Layer is not BatchNormalization bn || _inSlots[k].Length != 1 || _outSlots[k].Length != 1) continue;
            int slot = _inSlots[k][0];
            // Exactly one reader (this node): no other layer and no model output sees the unnormalized values.
            if (_consumers[slot] != 1 || !producerOf.TryGetValue(slot, out int p)) continue;
            if (_nodes[p].Layer is not KernelLayer kl || _nodes[p].Inputs.Length != 1) continue;
            _foldAt[p] = _skipAt[k] = pairs.Count;
            int normOut = _outSlots[k][0], act = -1;
            if (_consumers[normOut] == 1 && readerOf.TryGetValue(normOut, out int a) && _nodes[a].Layer is ReLU { NegativeSlope: 0.0, Threshold: 0.0 }
                && _inSlots[a].Length == 1 && _outSlots[a].Length == 1)
                _skipAt[act = a] = pairs.Count;
            pairs.Add(new FoldPair(p, k, kl, bn, act, act >= 0 ? (ReLU)_nodes[act].Layer : null));
        }
        _foldPairs = pairs.ToArray();
        _folded = new FoldedWeights?[_foldPairs.Length];
    }

    /// <summary>
    /// The folded weights of pair <paramref name="i"/> for the current weights (the cached entry, or a new one), or
    /// null when the pair cannot fold now (an activation or activity regularizer set since, a normalization not on
    /// the last axis).
    /// </summary>
    private FoldedWeights? FoldedWeightsOf(int i)
    {
        var (_, _, layer, bn, _, _) = _foldPairs[i];
        if (!layer.CanAbsorbAffine || !bn.FoldsOnLastAxis || layer.Kernel is not { } kernel) return null;
        var bias = layer.UseBias ? layer.Bias : null;
        long kv = kernel.Version, bv = bias?.Version ?? 0, nv = bn.FoldVersion;
        object normFold = bn.FoldIdentity;
        var f = Volatile.Read(ref _folded[i]);
        if (f != null && f.KernelVersion == kv && f.BiasVersion == bv && f.NormVersion == nv && ReferenceEquals(f.NormFold, normFold)) return f;
        int channels = kernel.Shape[^1] * (layer is DepthwiseConv2D ? kernel.Shape[^2] : 1);
        var foldedKernel = new float[kernel.Size];
        var foldedBias = new float[channels];
        if (!bn.TryFoldInto(kernel.Value.Span, bias is null ? default : bias.Value.Span, foldedKernel, foldedBias)) return null;
        f = new FoldedWeights { KernelVersion = kv, BiasVersion = bv, NormVersion = nv, NormFold = normFold, Kernel = foldedKernel, Bias = foldedBias };
        Volatile.Write(ref _folded[i], f);
        return f;
    }

    /// <summary>
    /// Runs node <paramref name="k"/> of an inference pass when it is the producer of a foldable pair: with the
    /// folded weights (recorded in the context, so the normalization node is skipped) when they apply now; returns
    /// false (the node is to run as usual) otherwise.
    /// </summary>
    private bool TryRunFolded(GraphContext g, int k, CallContext ctx)
    {
        int p = _foldAt[k];
        if (p < 0) return false;
        var w = FoldedWeightsOf(p);
        g.FoldApplied[p] = w != null;
        if (w is null) return false;
        var pair = _foldPairs[p];
        float? clip = pair.Relu?.MaxValue is double m ? (float)m : null;
        ctx.Outputs[0] = pair.Layer.ForwardWithWeights(ctx, ctx.Inputs[0], w.Kernel, w.Bias, relu: pair.Relu != null, clipMax: clip);
        return true;
    }

    /// <summary>Whether node <paramref name="k"/> is a normalization (or ReLU) already folded into its producer in this pass.</summary>
    private bool IsFoldedAway(GraphContext g, int k) => _skipAt[k] is var p and >= 0 && g.FoldApplied[p];
}

internal sealed partial class GraphContext
{
    private bool[]? _foldApplied;

    /// <summary>Per foldable pair of the graph: whether this pass ran its producer with the folded weights.</summary>
    public bool[] FoldApplied => _foldApplied ??= new bool[Graph.FoldablePairs];
}
