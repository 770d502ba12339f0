#nullable enable
using KerasNet.Layers;

namespace KerasNet.Models;

// Conv2D + MaxPooling2D fused at inference: a convolution node whose output only a non-overlapping 'valid' max-pooling
// node reads (channels_last, strides equal to the pool size) runs, in inference passes, as one backend call that
// pools each block of output rows while it is in cache (SpatialConv.ForwardPooled), and the pooling node is skipped.
// The decision is the graph's, made per pass (never a flag on the layers): training passes, passes with masks and
// convolutions that cannot fuse now (another activation, an activity regularizer) run both nodes as usual. The result
// is the same bit for bit: the pooled maxima of the same activated sums.
internal sealed partial class FunctionalGraph
{
    private int[] _poolAt = [], _poolSkip = []; // per node: the pool node it absorbs / the pair index it is skipped for, or -1

    /// <summary>
    /// Whether inference passes fuse a convolution with the max pool after it (on by default; tests turn it off to
    /// compare with the two layers run one after the other).
    /// </summary>
    internal bool FusesPooling { get; set; } = true;

    /// <summary>The convolution/pooling pairs that may fuse (their run-time conditions are checked at each pass).</summary>
    internal int FusablePoolPairs { get; private set; }

    /// <summary>Finds the convolution/pooling pairs; called once the nodes and consumer counts are known.</summary>
    private void FindPoolPairs(Dictionary<int, int> producerOf)
    {
        _poolAt = Enumerable.Repeat(-1, _nodes.Length).ToArray();
        _poolSkip = Enumerable.Repeat(-1, _nodes.Length).ToArray();
        int pairs = 0;
        for (int k = 0; k < _nodes.Length; k++)
        {
            if (_nodes[k].Layer is not MaxPooling2D { Padding: "valid", DataFormat: "channels_last" } pool || pool.Strides != pool.PoolSize ||
                _inSlots[k].Length != 1 || _outSlots[k].Length != 1) continue;
            int slot = _inSlots[k][0];
            // Exactly one reader (this node): no other layer and no model output sees the unpooled values.
            if (_consumers[slot] != 1 || !producerOf.TryGetValue(slot, out int p)) continue;
            if (_nodes[p].Layer is not Conv2D || _nodes[p].Inputs.Length != 1 || _foldAt[p] >= 0) continue;
            _poolAt[p] = k;
            _poolSkip[k] = pairs++;
        }
        FusablePoolPairs = pairs;
    }

    /// <summary>
    /// Runs convolution node <paramref name="k"/> of an inference pass with the max pool after it when they fuse now
    /// (recorded in the context, so the pool node is skipped); returns false (the node is to run as usual) otherwise.
    /// </summary>
    private bool TryRunPooled(GraphContext g, int k, CallContext ctx)
    {
        int q = _poolAt[k];
        if (q < 0) return false;
        var pool = (MaxPooling2D)_nodes[q].Layer;
        var y = ((Conv2D)_nodes[k].Layer).ForwardPooled(ctx, ctx.Inputs[0], pool.PoolSize);
        g.PoolApplied[_poolSkip[q]] = y != null;
        if (y is null) return false;
        ctx.Outputs[0] = y;
        return true;
    }

    /// <summary>Whether node <paramref name="k"/> is a max pool already computed by its convolution in this pass.</summary>
    private bool IsPooledAway(GraphContext g, int k) => _poolSkip[k] is var p and >= 0 && g.PoolApplied[p];
}

internal sealed partial class GraphContext
{
    private bool[]? _poolApplied;

    /// <summary>Per fusable convolution/pooling pair of the graph: whether this pass ran the pool inside the convolution.</summary>
    public bool[] PoolApplied => _poolApplied ??= new bool[Graph.FusablePoolPairs];
}
