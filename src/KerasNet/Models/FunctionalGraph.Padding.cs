#nullable enable
using KerasNet.Layers;

namespace KerasNet.Models;

// ZeroPadding2D absorbed at inference: a channels_last ZeroPadding2D node whose output only a 'valid', undilated
// channels_last Conv2D or DepthwiseConv2D reads (MobileNet's stride-2 blocks, Keras's correct_pad) is skipped in
// inference passes, and the convolution reads the unpadded image with the margins as its padding (its kernels skip
// the taps outside the image), so the padded copy is never written nor read. The decision is the graph's, made per
// pass (no flags on the layers): training passes and passes with masks run both nodes. The result is the same: the
// skipped taps are the zeros' products, which add nothing (the sign of a zero sum aside).
internal sealed partial class FunctionalGraph
{
    private int[] _padInto = [], _padFrom = []; // per node: the pair a padding node feeds / a convolution absorbs, or -1
    private Margins2D[] _padMargins = [];

    /// <summary>
    /// Whether inference passes let a convolution absorb the ZeroPadding2D before it (on by default; tests turn it off
    /// to compare with the two layers run one after the other).
    /// </summary>
    internal bool FusesPadding { get; set; } = true;

    /// <summary>The padding/convolution pairs that may fuse.</summary>
    internal int FusablePadPairs => _padMargins.Length;

    /// <summary>Finds the padding/convolution pairs; called once the consumer counts and the pool pairs are known.</summary>
    private void FindPadPairs(Dictionary<int, int> readerOf)
    {
        _padInto = Enumerable.Repeat(-1, _nodes.Length).ToArray();
        _padFrom = Enumerable.Repeat(-1, _nodes.Length).ToArray();
        var margins = new List<Margins2D>();
        for (int k = 0; k < _nodes.Length; k++)
        {
            if (_nodes[k].Layer is not ZeroPadding2D { DataFormat: "channels_last" } pad || _inSlots[k].Length != 1 || _outSlots[k].Length != 1) continue;
            int slot = _outSlots[k][0];
            // Exactly one reader: no other layer and no model output sees the padded image.
            if (_consumers[slot] != 1 || !readerOf.TryGetValue(slot, out int p) || _inSlots[p].Length != 1) continue;
            if (_nodes[p].Layer is not (Conv2D or DepthwiseConv2D) || _poolAt[p] >= 0) continue;
            var args = ((SpatialConv)_nodes[p].Layer).Args;
            // Not 1x1: padded, its GEMM path would become the direct kernel, which may round otherwise (and gains nothing).
            if (args.Rank != 2 || args.ChannelsFirst || args.Padding != "valid" || args.Dilation != new Size2(1, 1) || args.Kernel == new Size2(1, 1)) continue;
            _padInto[k] = _padFrom[p] = margins.Count;
            margins.Add(pad.Padding);
        }
        _padMargins = margins.ToArray();
    }

    /// <summary>
    /// Skips padding node <paramref name="k"/> (of a pair) in this inference pass when <paramref name="allowed"/> (no
    /// masks flow): its output slot then holds the unpadded image, recorded in the context for the convolution. False:
    /// run the node as usual.
    /// </summary>
    private bool TrySkipPadding(GraphContext g, int k, bool allowed)
    {
        g.PadApplied[_padInto[k]] = allowed;
        if (allowed) g.Values[_outSlots[k][0]] = g.Values[_inSlots[k][0]];
        return allowed;
    }

    /// <summary>Sets on convolution node <paramref name="k"/>'s context the margins it absorbs in this pass (or none).</summary>
    private void SetAbsorbedPadding(GraphContext g, int k, CallContext ctx, bool pads)
    {
        int pair = _padFrom[k];
        if (pair >= 0) ctx.InferencePadding = pads && g.PadApplied[pair] ? _padMargins[pair] : null;
    }
}

internal sealed partial class GraphContext
{
    private bool[]? _padApplied;

    /// <summary>Per fusable padding/convolution pair of the graph: whether this pass skipped the padding.</summary>
    public bool[] PadApplied => _padApplied ??= new bool[Graph.FusablePadPairs];
}
