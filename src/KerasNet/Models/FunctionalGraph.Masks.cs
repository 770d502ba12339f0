#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Models;

// Mask flow through a graph, as tf.keras 2.4's functional _run_internal_graph: each tensor may carry a mask (Keras's
// _keras_mask); a node is given its inputs' masks before its forward pass and sets its outputs' masks after it
// (Layer.PropagateMasks). Until the first node that has or makes a mask, nothing is done at all, so a model without
// masks (any image model) runs exactly as before: one bool test per node.
internal sealed partial class FunctionalGraph
{
    private readonly bool[] _createsMask; // per node: whether its layer may make a mask without receiving one

    /// <summary>Whether any node may make a mask of its own (so a model holding this graph may output masks).</summary>
    public bool MayCreateMasks => Array.IndexOf(_createsMask, true) >= 0;

    /// <summary>
    /// Forgets the masks of the context's last evaluation and sets the inputs' masks; returns whether any input
    /// has one.
    /// </summary>
    private bool BeginMasks(GraphContext g, ReadOnlySpan<Tensor?> inputMasks)
    {
        if (g.MasksUsed) g.ClearMasks();
        bool any = false;
        for (int i = 0; i < inputMasks.Length && i < InputSlots.Length; i++)
        {
            if (inputMasks[i] is not { } m) continue;
            g.MaskSlots[InputSlots[i]] = m;
            any = true;
        }
        return any;
    }

    /// <summary>Gives node <paramref name="k"/> the masks of the tensors it reads (Keras's implicit <c>mask=</c>).</summary>
    private void SetInputMasks(GraphContext g, int k)
    {
        var masks = g.MaskSlots;
        var ctx = g.Nodes[k];
        var ins = _inSlots[k];
        var dst = ctx.InputMasks;
        for (int j = 0; j < ins.Length; j++) dst[j] = masks[ins[j]];
        ctx.HasMasks = true;
    }

    /// <summary>Records node <paramref name="k"/>'s output masks after its forward pass; returns whether any is set.</summary>
    private bool PropagateMasks(GraphContext g, int k)
    {
        var ctx = g.Nodes[k];
        _nodes[k].Layer.PropagateMasks(ctx);
        var outs = _outSlots[k];
        var masks = g.MaskSlots;
        bool any = false;
        for (int j = 0; j < outs.Length; j++)
        {
            var m = ctx.OutputMasks[j];
            masks[outs[j]] = m;
            any |= m != null;
        }
        return any;
    }
}

internal sealed partial class GraphContext
{
    private Tensor?[]? _maskSlots;

    /// <summary>The mask of every tensor of the last evaluation (created when masks first appear).</summary>
    public Tensor?[] MaskSlots
    {
        get
        {
            MasksUsed = true;
            return _maskSlots ??= new Tensor?[Values.Length];
        }
    }

    /// <summary>Whether the last evaluation set any mask (so the next one starts by clearing them).</summary>
    public bool MasksUsed { get; private set; }

    /// <summary>The mask of output <paramref name="i"/> of the last forward pass, or null (no allocation).</summary>
    public Tensor? OutputMask(int i) => _maskSlots?[Graph.OutputSlots[i]];

    /// <summary>Forgets every mask of the last evaluation (buffers stay with the nodes).</summary>
    public void ClearMasks()
    {
        if (_maskSlots != null) Array.Clear(_maskSlots);
        foreach (var n in Nodes) if (n.HasMasks) n.ClearMasks();
        MasksUsed = false;
    }

    /// <summary>Row buffers of the masked loss (see Model.Masks.cs), created on first use.</summary>
    internal MaskedRows? MaskedRows { get; set; }
}
