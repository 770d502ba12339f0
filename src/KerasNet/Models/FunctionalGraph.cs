#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Models;

/// <summary>
/// A directed acyclic graph of layer calls from a model's inputs to its outputs, ordered as tf.keras 2.4's
/// <c>_map_graph_network</c> orders it: nodes by a depth-first walk back from the outputs (so every node runs after
/// the nodes it reads), and <see cref="Layers"/> by decreasing depth, then by first visit. Immutable once built; what
/// one evaluation needs lives in a <see cref="GraphContext"/>, so one graph serves any number of concurrent calls.
/// </summary>
internal sealed partial class FunctionalGraph
{
    private readonly Node[] _nodes;          // execution order, InputLayer nodes excluded
    private readonly int[][] _inSlots, _outSlots;
    private readonly int[] _consumers;       // per slot: how many node inputs and model outputs read it
    private readonly Dictionary<KerasTensor, int> _slots = new(ReferenceEqualityComparer.Instance);

    public FunctionalGraph(IReadOnlyList<KerasTensor> inputs, IReadOnlyList<KerasTensor> outputs, string modelName)
    {
        if (inputs.Count == 0) throw new KerasNetException($"Model '{modelName}' needs at least one input.");
        if (outputs.Count == 0) throw new KerasNetException($"Model '{modelName}' needs at least one output.");
        foreach (var t in inputs)
            if (t is null || !t.Node.IsInput)
                throw new KerasNetException($"Model '{modelName}': inputs must come from Keras.Input (an InputLayer), got {t?.ToString() ?? "null"}.");
        Inputs = inputs.ToArray();
        Outputs = outputs.ToArray();

        // Depth-first from each output, as _build_map: post-order gives a topological order.
        var order = new List<Node>();
        var finished = new HashSet<Node>();
        var inProgress = new HashSet<Node>();
        var layerIndex = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        foreach (var t in Outputs)
        {
            if (t is null) throw new KerasNetException($"Model '{modelName}': an output is null.");
            Visit(t, finished, inProgress, order, layerIndex, modelName);
        }
        var inputNodes = new HashSet<Node>(Inputs.Select(t => t.Node));
        foreach (var n in order)
            if (n.IsInput && !inputNodes.Contains(n))
                throw new KerasNetException(
                    $"Graph disconnected: cannot obtain value for tensor {n.Outputs[0]} at layer \"{n.Layer.Name}\": it is not one of the inputs of model '{modelName}'.");
        Layers = OrderLayers(order, layerIndex, Inputs, out var depths);
        NodeDepths = depths;
        var names = new HashSet<string>();
        foreach (var l in Layers)
            if (!names.Add(l.Name))
                throw new KerasNetException($"Model '{modelName}': all layer names should be unique; '{l.Name}' is used by more than one layer.");

        foreach (var t in Inputs) SlotOf(t);
        _nodes = order.Where(n => !n.IsInput).ToArray();
        _inSlots = new int[_nodes.Length][];
        _outSlots = new int[_nodes.Length][];
        for (int k = 0; k < _nodes.Length; k++)
        {
            _inSlots[k] = _nodes[k].Inputs.Select(SlotOf).ToArray();
            _outSlots[k] = _nodes[k].Outputs.Select(SlotOf).ToArray();
        }
        InputSlots = Inputs.Select(SlotOf).ToArray();
        OutputSlots = Outputs.Select(SlotOf).ToArray();
        _consumers = new int[_slots.Count];
        foreach (var ins in _inSlots) foreach (int s in ins) _consumers[s]++;
        foreach (int s in OutputSlots) _consumers[s]++;
        SharedVariables = FindShared();
        _createsMask = _nodes.Select(n => n.Layer.MayCreateMask).ToArray();
        var (producerOf, readerOf) = SlotLinks();
        FindFoldPairs(producerOf, readerOf);
        FindPoolPairs(producerOf);
        FindPadPairs(readerOf);
    }

    /// <summary>
    /// What the inference fusions' pair searches look up: slot -> the node writing it (nodes of one output), and
    /// slot -> a node reading it (the only one where <see cref="_consumers"/> is 1).
    /// </summary>
    private (Dictionary<int, int> ProducerOf, Dictionary<int, int> ReaderOf) SlotLinks()
    {
        var producerOf = new Dictionary<int, int>();
        var readerOf = new Dictionary<int, int>();
        for (int k = 0; k < _nodes.Length; k++)
        {
            if (_outSlots[k].Length == 1) producerOf[_outSlots[k][0]] = k;
            foreach (int s in _inSlots[k]) readerOf[s] = k;
        }
        return (producerOf, readerOf);
    }

    private static void Visit(KerasTensor t, HashSet<Node> finished, HashSet<Node> inProgress, List<Node> order,
        Dictionary<Layer, int> layerIndex, string modelName)
    {
        var node = t.Node;
        if (finished.Contains(node)) return;
        if (!inProgress.Add(node)) throw new KerasNetException($"Model '{modelName}': the tensor {t} at layer \"{node.Layer.Name}\" is part of a cycle.");
        layerIndex.TryAdd(node.Layer, layerIndex.Count);
        foreach (var input in node.Inputs) Visit(input, finished, inProgress, order, layerIndex, modelName);
        finished.Add(node);
        inProgress.Remove(node);
        order.Add(node);
    }

    // tf.keras 2.4: a node's depth is one more than the deepest node that reads it; a layer takes its nodes' deepest.
    private static Layer[] OrderLayers(List<Node> order, Dictionary<Layer, int> layerIndex, KerasTensor[] inputs,
        out Dictionary<Node, int> nodeDepth)
    {
        nodeDepth = new Dictionary<Node, int>();
        var layerDepth = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var node = order[i];
            int depth = nodeDepth.GetValueOrDefault(node, 0);
            depth = Math.Max(depth, layerDepth.GetValueOrDefault(node.Layer, 0));
            layerDepth[node.Layer] = depth;
            nodeDepth[node] = depth;
            foreach (var parent in node.Inputs.Select(x => x.Node))
                nodeDepth[parent] = Math.Max(depth + 1, nodeDepth.GetValueOrDefault(parent, 0));
        }
        foreach (var t in inputs)
            if (layerDepth.TryAdd(t.Layer, 0))
            {
                layerIndex[t.Layer] = -1;
                nodeDepth[t.Node] = 0;
            }
        return DeepestFirst(layerDepth, layerIndex);
    }

    // The layers by depth, deepest first, each depth's layers by their index, ties in insertion order (what grouping by
    // depth and sorting each group by index gives). A stable insertion sort over references rather than LINQ's
    // grouping of key-value pairs, whose value-type generic code is not in the ReadyToRun image and was JIT-compiled
    // at every model load (issue 17, start-up); a model has few enough layers for the quadratic worst case.
    private static Layer[] DeepestFirst(Dictionary<Layer, int> layerDepth, Dictionary<Layer, int> layerIndex)
    {
        var layers = new Layer[layerDepth.Count];
        var depth = new int[layers.Length];
        var index = new int[layers.Length];
        int n = 0;
        foreach (var (layer, d) in layerDepth)
        {
            int i = layerIndex[layer];
            int at = n++;
            // Shift later-ordered entries up: deeper first, then the smaller index; an equal key stays before.
            while (at > 0 && (depth[at - 1] < d || (depth[at - 1] == d && index[at - 1] > i)))
            {
                layers[at] = layers[at - 1];
                depth[at] = depth[at - 1];
                index[at] = index[at - 1];
                at--;
            }
            layers[at] = layer;
            depth[at] = d;
            index[at] = i;
        }
        return layers;
    }

    private int SlotOf(KerasTensor t)
    {
        if (!_slots.TryGetValue(t, out int s)) _slots[t] = s = _slots.Count;
        return s;
    }

    /// <summary>The model's input tensors.</summary>
    public KerasTensor[] Inputs { get; }

    /// <summary>The model's output tensors.</summary>
    public KerasTensor[] Outputs { get; }

    /// <summary>Every layer of the graph (InputLayers included), in Keras's <c>model.layers</c> order.</summary>
    public Layer[] Layers { get; }

    /// <summary>The value slot of each input and output.</summary>
    public int[] InputSlots { get; }
    public int[] OutputSlots { get; }

    /// <summary>The nodes in execution order.</summary>
    internal IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>
    /// Every node of the graph, InputLayer nodes included, with its depth (0 at the outputs), as tf.keras 2.4's
    /// <c>_nodes_by_depth</c> holds them: an input that no output reads is at depth 0.
    /// </summary>
    internal IReadOnlyDictionary<Node, int> NodeDepths { get; }

    /// <summary>Variables of layers called more than once (here or in nested models): their gradients add up.</summary>
    public IReadOnlySet<Variable> SharedVariables { get; }

    private HashSet<Variable> FindShared()
    {
        var calls = new Dictionary<Layer, int>(ReferenceEqualityComparer.Instance);
        CountCalls(this, 1, calls);
        // Counted per variable: a layer wrapped by another (TimeDistributed) and also called on its own shares its weights.
        var uses = new Dictionary<Variable, int>(ReferenceEqualityComparer.Instance);
        foreach (var (layer, n) in calls)
            foreach (var v in layer.Weights) uses[v] = uses.GetValueOrDefault(v) + n;
        var shared = new HashSet<Variable>(ReferenceEqualityComparer.Instance);
        foreach (var (v, n) in uses) if (n > 1) shared.Add(v);
        return shared;
    }

    private static void CountCalls(FunctionalGraph g, int times, Dictionary<Layer, int> calls)
    {
        foreach (var node in g._nodes)
        {
            if (node.Layer is Model { Graph: { } inner }) CountCalls(inner, times, calls);
            else calls[node.Layer] = calls.GetValueOrDefault(node.Layer) + times;
        }
    }

    /// <summary>
    /// The node index that produces output <paramref name="i"/>, when only the loss reads that tensor (so the
    /// activation of that node may be fused with the loss); -1 otherwise.
    /// </summary>
    public int SoleProducerOfOutput(int i)
    {
        int slot = OutputSlots[i];
        if (_consumers[slot] != 1) return -1;
        for (int k = 0; k < _nodes.Length; k++)
            if (Array.IndexOf(_outSlots[k], slot) >= 0) return _nodes[k].Outputs.Length == 1 ? k : -1;
        return -1; // an input used directly as an output
    }

    /// <summary>A fresh evaluation context (its node contexts and gradient buffers are reused by later calls).</summary>
    public GraphContext CreateContext() =>
        new(this, _slots.Count, _nodes.Select(n => new CallContext(n.Inputs.Length, n.Outputs.Length)).ToArray(),
            _nodes.Select(n => new Tensor[n.Outputs.Length]).ToArray());

    /// <summary>
    /// Runs every node in order; outputs are then <see cref="GraphContext.Output"/>. <paramref name="inputMasks"/>
    /// (a nested model's call) are the inputs' masks; masks flow from node to node only from the first node that
    /// has or makes one (see FunctionalGraph.Masks.cs). <paramref name="nodeTimes"/> (the bench's profile) receives
    /// each node's milliseconds.
    /// </summary>
    public void Forward(GraphContext g, ReadOnlySpan<Tensor> inputs, bool training, ReadOnlySpan<Tensor?> inputMasks = default,
        double[]? nodeTimes = null)
    {
        if (inputs.Length != InputSlots.Length)
            throw new KerasNetException($"The model expects {InputSlots.Length} input(s) but received {inputs.Length}.");
        for (int i = 0; i < inputs.Length; i++) g.Values[InputSlots[i]] = inputs[i];
        bool masks = BeginMasks(g, inputMasks);
        // Inference folds BatchNormalization into the layer before it (FunctionalGraph.Folding.cs); not while masks
        // flow into the producer (its output mask would have to pass through the skipped normalization).
        bool fold = !training && FoldsBatchNormalization && _foldPairs.Length > 0;
        // And a convolution with the max pool after it (FunctionalGraph.Pooling.cs).
        bool pools = !training && FusesPooling && FusablePoolPairs > 0;
        // And a convolution with the zero padding before it (FunctionalGraph.Padding.cs).
        bool pads = !training && FusesPadding && FusablePadPairs > 0;
        for (int k = 0; k < _nodes.Length; k++)
        {
            long start = nodeTimes is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
            var ctx = g.Nodes[k];
            ctx.Training = training;
            var ins = _inSlots[k];
            if (fold && IsFoldedAway(g, k))
            {
                // The producer's output, read by nothing else, already is the normalized (and activated) value; its
                // mask slot stays empty as the producer's is (it ran with no mask work).
                g.Values[_outSlots[k][0]] = g.Values[ins[0]];
                continue;
            }
            if (pools && IsPooledAway(g, k))
            {
                // The convolution's output slot already holds the pooled values (no mask work ran there either).
                g.Values[_outSlots[k][0]] = g.Values[ins[0]];
                continue;
            }
            if (pads && _padInto[k] >= 0 && TrySkipPadding(g, k, allowed: !masks)) continue;
            for (int j = 0; j < ins.Length; j++) ctx.Inputs[j] = g.Values[ins[j]]!;
            SetAbsorbedPadding(g, k, ctx, pads);
            bool maskWork = masks || _createsMask[k];
            if (maskWork) SetInputMasks(g, k);
            if (fold && _foldAt[k] >= 0) g.FoldApplied[_foldAt[k]] = false;
            if (pools && _poolAt[k] >= 0) g.PoolApplied[_poolSkip[_poolAt[k]]] = false;
            if (!(fold && !maskWork && TryRunFolded(g, k, ctx)) && !(pools && !maskWork && TryRunPooled(g, k, ctx))) _nodes[k].Layer.ForwardNode(ctx);
            var outs = _outSlots[k];
            for (int j = 0; j < outs.Length; j++) g.Values[outs[j]] = ctx.Outputs[j];
            if (maskWork) masks |= PropagateMasks(g, k);
            if (nodeTimes != null) nodeTimes[k] = System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }
    }

    /// <summary>
    /// Back-propagates output gradients through the nodes in reverse order. Gradients that reach one tensor from
    /// several readers are added into a buffer of the context (never into a reader's own gradient). Nodes that
    /// neither hold wanted weights nor lead to one are skipped. With <paramref name="needInputGrads"/> the inputs'
    /// gradients are left in <see cref="GraphContext.InputGrads"/>.
    /// </summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Backward(GraphContext g, ReadOnlySpan<Tensor> gradOutputs, bool needInputGrads, GradientSink sink)
    {
        Array.Clear(g.Grads);
        Array.Clear(g.IsOwned);
        var reach = g.Reach;
        Array.Clear(reach);
        foreach (int s in InputSlots) reach[s] = needInputGrads;
        for (int k = 0; k < _nodes.Length; k++)
        {
            bool fromInputs = false;
            foreach (int s in _inSlots[k]) fromInputs |= reach[s];
            g.NeedInput[k] = fromInputs;
            g.Active[k] = fromInputs || _nodes[k].Layer.WantsGradients(sink);
            foreach (int s in _outSlots[k]) reach[s] = g.Active[k];
        }
        for (int i = 0; i < gradOutputs.Length; i++) g.AddGrad(OutputSlots[i], gradOutputs[i]);
        for (int k = _nodes.Length - 1; k >= 0; k--)
        {
            if (!g.Active[k]) continue;
            var outs = _outSlots[k];
            var grads = g.NodeGrads[k];
            bool any = false;
            for (int j = 0; j < outs.Length; j++) any |= g.Grads[outs[j]] != null;
            if (!any) continue; // nothing downstream reaches the loss
            for (int j = 0; j < outs.Length; j++) grads[j] = g.Grads[outs[j]] ?? g.Zeros(k, j, g.Values[outs[j]]!.Shape);
            var ctx = g.Nodes[k];
            _nodes[k].Layer.BackwardNode(ctx, grads, g.NeedInput[k], sink);
            if (!g.NeedInput[k]) continue;
            var ins = _inSlots[k];
            for (int j = 0; j < ins.Length; j++)
                if (reach[ins[j]] && ctx.InputGrads[j] is { } gi) g.AddGrad(ins[j], gi);
        }
        for (int i = 0; i < InputSlots.Length; i++) g.InputGrads[i] = needInputGrads ? g.Grads[InputSlots[i]] : null;
    }
}

/// <summary>
/// One evaluation of a <see cref="FunctionalGraph"/>: a call context per node, the value of every tensor, and the
/// gradient buffers of the backward pass. Reused call after call by one caller at a time.
/// </summary>
internal sealed partial class GraphContext
{
    private readonly Tensor?[][] _zeros;

    public GraphContext(FunctionalGraph graph, int slots, CallContext[] nodes, Tensor[][] nodeGrads)
    {
        Graph = graph;
        Nodes = nodes;
        NodeGrads = nodeGrads;
        Values = new Tensor?[slots];
        Grads = new Tensor?[slots];
        Owned = new Tensor?[slots];
        IsOwned = new bool[slots];
        Reach = new bool[slots];
        NeedInput = new bool[nodes.Length];
        Active = new bool[nodes.Length];
        InputGrads = new Tensor?[graph.InputSlots.Length];
        _zeros = nodeGrads.Select(a => new Tensor?[a.Length]).ToArray();
    }

    public FunctionalGraph Graph { get; }
    public CallContext[] Nodes { get; }
    public Tensor[][] NodeGrads { get; }
    public Tensor?[] Values { get; }
    public Tensor?[] Grads { get; }
    public Tensor?[] Owned { get; }
    public bool[] IsOwned { get; }
    public bool[] Reach { get; }
    public bool[] NeedInput { get; }
    public bool[] Active { get; }
    public Tensor?[] InputGrads { get; }

    /// <summary>Output <paramref name="i"/> of the last forward pass (owned by this context).</summary>
    public Tensor Output(int i) => Values[Graph.OutputSlots[i]]!;

    /// <summary>Adds a gradient contribution to a tensor's slot (the first is referenced, later ones summed into a buffer).</summary>
    public void AddGrad(int slot, Tensor grad)
    {
        var current = Grads[slot];
        if (current is null) { Grads[slot] = grad; return; }
        if (!ShapeUtil.Equal(current.Shape, grad.Shape))
            throw new ShapeMismatchException($"Gradients of shapes {ShapeUtil.Format(current.Shape)} and {ShapeUtil.Format(grad.Shape)} meet at one tensor.");
        if (!IsOwned[slot])
        {
            var own = Owned[slot] = Tensor.Ensure(Owned[slot], (ReadOnlySpan<int>)current.Shape);
            current.Span.CopyTo(own.Span);
            Grads[slot] = own;
            IsOwned[slot] = true;
        }
        var sum = Grads[slot]!;
        System.Numerics.Tensors.TensorPrimitives.Add(sum.Span, grad.Span, sum.Span);
    }

    /// <summary>A zero gradient for an output of a node that nothing downstream differentiates.</summary>
    public Tensor Zeros(int node, int output, int[] shape)
    {
        var z = _zeros[node][output] = Tensor.Ensure(_zeros[node][output], (ReadOnlySpan<int>)shape);
        z.Clear();
        return z;
    }

    /// <summary>Marks which nodes keep logits for the loss (null: none, as in predict).</summary>
    public void SetLossFusion(int[]? fusedNodes)
    {
        foreach (var n in Nodes) n.FuseActivationWithLoss = false;
        if (fusedNodes != null) foreach (int k in fusedNodes) if (k >= 0) Nodes[k].FuseActivationWithLoss = true;
    }
}
