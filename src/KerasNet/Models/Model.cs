#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Models;

/// <summary>
/// A Keras model: a graph of layer calls from <see cref="Inputs"/> to <see cref="Outputs"/> (Keras's Functional
/// API, <c>keras.Model(inputs, outputs)</c>) and the one trainer every model uses (Compile, Fit, Evaluate, Predict,
/// TrainOnBatch, TestOnBatch, PredictOnBatch). A model is a layer too, so it can be called inside another model;
/// setting <see cref="Trainable"/> to false freezes all of it. <see cref="Sequential"/> is a model whose graph is a chain.
/// Predict and Evaluate may run on any number of threads at once; a training step waits for them and they wait for it.
/// </summary>
public partial class Model : Layer
{
    private FunctionalGraph? _graph;
    private Variable[]? _weights;
    private readonly Stack<GraphContext> _pool = new();

    /// <summary>A model from one input to one output, as <c>keras.Model(inputs=x, outputs=y)</c>.</summary>
    /// <param name="inputs">The input, from <see cref="KerasNet.Keras.Input"/>.</param>
    /// <param name="outputs">The output, a layer's result on the graph.</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='name']"/>
    public Model(KerasTensor inputs, KerasTensor outputs, string? name = null) : this([inputs], [outputs], name) { }

    /// <summary>A model from a list of inputs to one output, as <c>keras.Model(model.inputs, layer.output)</c> (a feature extractor).</summary>
    /// <param name="inputs">The inputs, in the order the model takes them.</param>
    /// <param name="outputs">The output.</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='name']"/>
    public Model(IEnumerable<KerasTensor> inputs, KerasTensor outputs, string? name = null) : this(inputs, [outputs], name) { }

    /// <summary>A model from one input to several outputs, as <c>keras.Model(x, [y1, y2])</c>.</summary>
    /// <param name="inputs">The input.</param>
    /// <param name="outputs">The outputs, in the order the model returns them.</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='name']"/>
    public Model(KerasTensor inputs, IEnumerable<KerasTensor> outputs, string? name = null) : this([inputs], outputs, name) { }

    /// <summary>A model from several inputs to several outputs, as <c>keras.Model(inputs=[a, b], outputs=[c, d])</c>.</summary>
    /// <param name="inputs">The inputs, in the order the model takes them.</param>
    /// <param name="outputs">The outputs, in the order the model returns them.</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='name']"/>
    public Model(IEnumerable<KerasTensor> inputs, IEnumerable<KerasTensor> outputs, string? name = null)
        : base(name ?? KerasBackend.UniqueName("model"))
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        SetGraph(new FunctionalGraph(inputs.ToList(), outputs.ToList(), Name));
    }

    /// <summary>For models that build their graph later (Sequential).</summary>
    private protected Model(string name) : base(name) { }

    /// <inheritdoc/>
    public override string ClassName => "Functional";

    internal FunctionalGraph? Graph => _graph;

    /// <summary>Replaces the graph (Sequential's Add/Pop): contexts of the old graph are dropped.</summary>
    private protected void SetGraph(FunctionalGraph? graph)
    {
        lock (_pool) { _graph = graph; _pool.Clear(); }
        _weights = null;
        _trainContext = null;
        if (graph != null) MarkBuilt(graph.Inputs.Select(t => t.Shape).ToList());
    }

    /// <summary>The graph, or an error naming the model when its input shape is still unknown.</summary>
    private protected FunctionalGraph RequireGraph(string what) => _graph ??
        throw new KerasNetException($"Model '{Name}' has not been built yet, so it cannot {what}: give the first layer an inputShape, or call Build or Fit first.");

    /// <summary>The symbolic inputs (Keras's <c>model.inputs</c>).</summary>
    public IReadOnlyList<KerasTensor> Inputs => _graph?.Inputs ?? [];

    /// <summary>The symbolic outputs (Keras's <c>model.outputs</c>).</summary>
    public IReadOnlyList<KerasTensor> Outputs => _graph?.Outputs ?? [];

    /// <summary>The model's single input (Keras's <c>model.input</c>).</summary>
    public override KerasTensor Input => Inputs.Count == 1 ? Inputs[0]
        : throw new KerasNetException(Inputs.Count == 0 ? $"Model '{Name}' has not been built yet: it has no input." : $"Model '{Name}' has {Inputs.Count} inputs: use Inputs.");

    /// <summary>The model's single output (Keras's <c>model.output</c>).</summary>
    public override KerasTensor Output => Outputs.Count == 1 ? Outputs[0]
        : throw new KerasNetException(Outputs.Count == 0 ? $"Model '{Name}' has not been built yet: it has no output." : $"Model '{Name}' has {Outputs.Count} outputs: use Outputs.");

    /// <summary>The names of the input layers.</summary>
    public IReadOnlyList<string> InputNames => Inputs.Select(t => t.Layer.Name).ToList();

    /// <summary>
    /// The output names Keras uses in logs (<c>dense_1_loss</c>) and dictionaries: the names of the layers that
    /// produce them, made unique as tf.keras 2.4's <c>_set_output_names</c> does (a layer giving two outputs:
    /// <c>dense</c>, <c>dense_1</c>).
    /// </summary>
    public IReadOnlyList<string> OutputNames
    {
        get
        {
            var names = new List<string>();
            var used = new HashSet<string>();
            var counts = new Dictionary<string, int>();
            foreach (var t in Outputs)
            {
                string layer = t.Layer.Name, proposal = layer;
                while (used.Contains(proposal))
                {
                    int k = counts.GetValueOrDefault(layer, 1);
                    proposal = $"{layer}_{k}";
                    counts[layer] = k + 1;
                }
                used.Add(proposal);
                names.Add(proposal);
            }
            return names;
        }
    }

    /// <summary>The layers, as Keras's <c>model.layers</c> (a Functional model lists its InputLayers too).</summary>
    public virtual IReadOnlyList<Layer> Layers => _graph?.Layers ?? [];

    /// <summary>Finds a layer by name.</summary>
    /// <param name="name">The layer's name.</param>
    /// <returns>The layer; an unknown name throws.</returns>
    public Layer GetLayer(string name) =>
        Layers.FirstOrDefault(l => l.Name == name) ?? throw new KerasNetException($"Model '{Name}' has no layer named '{name}'.");

    /// <summary>Finds a layer by index in <see cref="Layers"/>.</summary>
    /// <param name="index">The 0-based index.</param>
    /// <returns>The layer; an index out of range throws.</returns>
    public Layer GetLayer(int index) => index >= 0 && index < Layers.Count ? Layers[index]
        : throw new KerasNetException($"Model '{Name}' has {Layers.Count} layers; index {index} is out of range.");

    /// <summary>Set by callbacks (EarlyStopping, TerminateOnNaN) to end Fit after the current epoch or batch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>Where Fit and Evaluate write their progress text (Console.Out by default).</summary>
    public TextWriter? ProgressOutput { get; set; }

    /// <inheritdoc/>
    public override bool Trainable
    {
        get => base.Trainable;
        // As Keras: setting it on a model sets it on every layer inside.
        set
        {
            base.Trainable = value;
            foreach (var l in Layers) l.Trainable = value;
        }
    }

    /// <summary>Every weight, each once, in layer order (Keras's <c>model.weights</c>).</summary>
    public override IReadOnlyList<Variable> Weights => _weights ??= Layers.SelectMany(l => l.Weights).Distinct().ToArray();

    internal override void CollectTrainable(List<Variable> into)
    {
        if (!Trainable) return;
        int start = into.Count;
        var layers = Layers; // indexed: foreach over the interface would box an enumerator on every step
        for (int i = 0; i < layers.Count; i++) layers[i].CollectTrainable(into);
        // A layer listed twice (shared between nested models) contributes its weights once.
        for (int i = into.Count - 1; i > start; i--)
            for (int j = start; j < i; j++)
                if (ReferenceEquals(into[i], into[j])) { into.RemoveAt(i); break; }
    }

    /// <summary>The weight values in layer order and Keras layouts (Conv2D (kh, kw, in, out), Dense (in, out)).</summary>
    /// <returns>One float32 array per weight, in Keras's order and layouts.</returns>
    public new List<NumSharp.NDArray> GetWeights() => Weights.Select(w => NDArrays.FromTensor(w.Value)).ToList();

    /// <summary>Sets all weights from arrays in Keras order and layouts, checking every shape before changing any.</summary>
    /// <param name="weights">One array per weight, in <c>GetWeights()</c>'s order and Keras's layouts.</param>
    public void SetWeights(IReadOnlyList<NumSharp.NDArray> weights)
    {
        var vars = Weights;
        if (weights.Count != vars.Count)
            throw new ShapeMismatchException($"Model '{Name}' has {vars.Count} weight arrays but {weights.Count} were given.");
        var tensors = weights.Select(NDArrays.ToTensor).ToList();
        for (int i = 0; i < vars.Count; i++)
            if (!ShapeUtil.Equal(tensors[i].Shape, vars[i].Shape))
                throw new ShapeMismatchException($"Weight {i} ('{vars[i].FullName}') has shape {ShapeUtil.Format(vars[i].Shape)} but the array has shape {ShapeUtil.Format(tensors[i].Shape)}.");
        for (int i = 0; i < vars.Count; i++) vars[i].Assign(tensors[i].Span);
    }

    // ---- the model as a layer of another model ----

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => ComputeOutputShapes([inputShape])[0];

    /// <inheritdoc/>
    public override int[][] ComputeOutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        var g = RequireGraph("be called");
        if (inputShapes.Count != g.Inputs.Length || inputShapes.Where((s, i) => !ShapeUtil.Equal(s, g.Inputs[i].Shape)).Any())
            throw new ShapeMismatchException($"Model '{Name}' expects input(s) {string.Join(", ", g.Inputs.Select(t => ShapeUtil.FormatWithNone(t.Shape)))} but got {string.Join(", ", inputShapes.Select(ShapeUtil.FormatWithNone))}.");
        return g.Outputs.Select(t => (int[])t.Shape.Clone()).ToArray();
    }

    /// <inheritdoc/>
    public override void Build(int[] inputShape) => Build([inputShape]);

    /// <inheritdoc/>
    public override void Build(IReadOnlyList<int[]> inputShapes) => ComputeOutputShapes(inputShapes);

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor input)
    {
        ForwardNode(ctx);
        return ctx.Outputs[0];
    }

    /// <inheritdoc/>
    protected internal override Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink)
    {
        BackwardNode(ctx, [gradOutput], needInputGrad, sink);
        return ctx.InputGrads[0];
    }

    internal override void ForwardNode(CallContext ctx)
    {
        var g = RequireGraph("be called");
        // The inner evaluation belongs to this call of the model, so a model called twice keeps two.
        var inner = ctx.State as GraphContext;
        if (inner?.Graph != g) ctx.State = inner = g.CreateContext();
        for (int i = 0; i < ctx.Inputs.Length; i++) CheckInput(ctx.Inputs[i], i);
        g.Forward(inner, ctx.Inputs, ctx.Training, ctx.InputMasksOrEmpty);
        for (int i = 0; i < ctx.Outputs.Length; i++) ctx.Outputs[i] = inner.Output(i);
    }

    internal override void BackwardNode(CallContext ctx, ReadOnlySpan<Tensor> gradOutputs, bool needInputGrads, GradientSink sink)
    {
        var inner = (GraphContext)ctx.State!;
        inner.Graph.Backward(inner, gradOutputs, needInputGrads, sink);
        for (int i = 0; i < ctx.InputGrads.Length; i++) ctx.InputGrads[i] = inner.InputGrads[i];
    }

    // ---- evaluation contexts ----

    /// <summary>A context for one evaluation by one caller (from the pool when one is free).</summary>
    private protected GraphContext RentContext(FunctionalGraph g)
    {
        lock (_pool)
            if (_pool.Count > 0 && _pool.Peek().Graph == g) return _pool.Pop();
        return g.CreateContext();
    }

    private protected void ReturnContext(GraphContext c)
    {
        c.SetLossFusion(null);
        lock (_pool) if (c.Graph == _graph && _pool.Count < 64) _pool.Push(c);
    }

    /// <summary>Checks a batch against the model's inputs, naming the input and model on a mismatch.</summary>
    private protected void CheckBatch(FunctionalGraph g, ReadOnlySpan<Tensor> inputs)
    {
        if (inputs.Length != g.Inputs.Length)
            throw new KerasNetException($"Model '{Name}' expects {g.Inputs.Length} input(s) ({string.Join(", ", InputNames)}) but received {inputs.Length}.");
        int batch = inputs[0].BatchSize;
        for (int i = 0; i < inputs.Length; i++)
        {
            var x = inputs[i] ?? throw new ArgumentNullException(nameof(inputs), $"Input {i} of model '{Name}' is null.");
            var want = g.Inputs[i].Shape;
            if (x.Rank != want.Length + 1 || !x.Shape.AsSpan(1).SequenceEqual(want))
                throw new ShapeMismatchException(inputs.Length == 1
                    ? $"Model '{Name}' expects input of shape {ShapeUtil.FormatWithNone(want)} but got {ShapeUtil.Format(x.Shape)}."
                    : $"Model '{Name}' expects input '{g.Inputs[i].Layer.Name}' of shape {ShapeUtil.FormatWithNone(want)} but got {ShapeUtil.Format(x.Shape)}.");
            if (x.BatchSize != batch)
                throw new ShapeMismatchException($"Model '{Name}': all inputs must have the same number of samples; input 0 has {batch}, input {i} has {x.BatchSize}.");
        }
    }
}
