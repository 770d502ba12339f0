#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// The base of every layer, shaped like Keras 3's: the constructor keeps the arguments, <see cref="Build(int[])"/>
/// creates the weights once the input shape is known, <see cref="Forward"/>/<see cref="Backward(CallContext, Tensor, bool, GradientSink)"/> compute,
/// <see cref="ComputeOutputShape"/> lets a model be summarised before any data, and <see cref="GetConfig"/> returns the
/// Keras JSON fields. A layer holds weights and config only: what one call saves for backward lives in its
/// <see cref="CallContext"/>, so one layer may be called several times in a graph and by several threads at once.
/// Shapes given to and returned by these methods are per-sample (no batch dimension).
/// </summary>
public abstract partial class Layer
{
    private readonly List<Variable> _weights = new();
    private bool _trainable;

    /// <summary>Sets the common Keras arguments.</summary>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>conv2d</c>, <c>conv2d_1</c>, ...).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>: makes this layer the model's input.</param>
    /// <param name="trainable">Whether the weights are trained.</param>
    protected Layer(string? name = null, Shape? inputShape = null, bool trainable = true)
    {
        Name = name ?? KerasBackend.UniqueName(KerasBackend.ToSnakeCase(ClassName));
        InputShapeArgument = inputShape?.Dims;
        _trainable = trainable;
    }

    /// <summary>The layer's name.</summary>
    public string Name { get; internal set; }

    /// <summary>The Keras class name used in configs and summaries.</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>Whether the optimizer updates this layer's weights (for a model: all of its layers', as Keras sets them).</summary>
    public virtual bool Trainable { get => _trainable; set => _trainable = value; }

    /// <summary>
    /// Keras's <c>supports_masking</c>: whether the layer accepts a mask from the layer before it (a masked
    /// <c>Embedding</c>, <c>Masking</c>) and, unless it computes a mask of its own, passes it on unchanged. As in
    /// tf.keras 2.4, a layer that does not support masking and receives a mask is an error.
    /// </summary>
    public virtual bool SupportsMasking => false;

    /// <summary>
    /// Samples up to which this built layer's inference computes each sample's output from that sample alone with the
    /// same arithmetic whatever the other samples of the call (the bits of the sample run alone), so that Evaluate and
    /// Predict may stack consecutive small batches into one pass (Model.Coalescing.cs); 1, the default, promises nothing.
    /// </summary>
    internal virtual int InferenceInvariantSamples => 1;

    /// <summary>The <c>input_shape</c> the layer was created with, if any.</summary>
    public int[]? InputShapeArgument { get; internal set; }

    /// <summary>The per-sample shapes of the inputs once built.</summary>
    public IReadOnlyList<int[]>? InputShapes { get; private set; }

    /// <summary>The per-sample shapes of the outputs once built.</summary>
    public IReadOnlyList<int[]>? OutputShapes { get; private set; }

    /// <summary>The per-sample input shape once built (the first input's for layers with several).</summary>
    public int[]? InputShape => InputShapes?[0];

    /// <summary>The per-sample output shape once built (the first output's for layers with several).</summary>
    public int[]? OutputShape => OutputShapes?[0];

    /// <summary>Whether <see cref="Build(int[])"/> has run.</summary>
    public bool Built { get; private set; }

    /// <summary>The weights, in Keras order (kernel, then bias).</summary>
    public virtual IReadOnlyList<Variable> Weights => _weights;

    /// <summary>The weights the optimizer updates (none when the layer is not trainable).</summary>
    public IReadOnlyList<Variable> TrainableWeights
    {
        get { var l = new List<Variable>(); CollectTrainable(l); return l; }
    }

    /// <summary>The weights the optimizer leaves alone.</summary>
    public IReadOnlyList<Variable> NonTrainableWeights
    {
        get { var t = new HashSet<Variable>(TrainableWeights); return Weights.Where(w => !t.Contains(w)).ToList(); }
    }

    /// <summary>Appends the trainable weights in Keras order, without allocating (the trainer calls it every step).</summary>
    internal virtual void CollectTrainable(List<Variable> into)
    {
        if (!Trainable) return;
        for (int i = 0; i < _weights.Count; i++) if (_weights[i].Trainable) into.Add(_weights[i]);
    }

    // ---- Functional API ----

    internal readonly List<Node> InboundNodesList = new();

    /// <summary>Calls the layer on a symbolic tensor, as <c>layer(x)</c> in Keras's Functional API.</summary>
    /// <param name="input">The symbolic input (from <see cref="KerasNet.Keras.Input"/> or another layer).</param>
    /// <returns>The layer's symbolic output.</returns>
    public KerasTensor Apply(KerasTensor input) => ApplyMany([input])[0];

    /// <summary>Calls the layer on several symbolic tensors (merges: <c>Add()([a, b])</c>); returns its first output.</summary>
    /// <param name="inputs">The symbolic inputs, in the order the layer takes them.</param>
    /// <returns>The layer's first symbolic output.</returns>
    public KerasTensor Apply(params KerasTensor[] inputs) => ApplyMany(inputs)[0];

    /// <summary>Calls the layer on symbolic tensors and returns all its outputs.</summary>
    /// <param name="inputs">The symbolic inputs, in the order the layer takes them.</param>
    /// <returns>Every symbolic output (a recurrent layer with <c>returnState</c> has its states after the
    /// output).</returns>
    public IReadOnlyList<KerasTensor> ApplyMany(params KerasTensor[] inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Length == 0 || inputs.Any(t => t is null))
            throw new KerasNetException($"Layer '{Name}' must be called on one or more KerasTensors (from Keras.Input or another layer).");
        var shapes = inputs.Select(t => t.Shape).ToArray();
        BuildOrCheck(shapes);
        var node = new Node(this, inputs, OutputShapes!.Select(s => (int[])s.Clone()).ToArray());
        InboundNodesList.Add(node);
        return node.Outputs;
    }

    /// <summary>Builds the layer for these input shapes, or checks that it was built for the same ones.</summary>
    internal void BuildOrCheck(IReadOnlyList<int[]> shapes)
    {
        if (!Built) { Build(shapes); return; }
        if (shapes.Count != InputShapes!.Count || shapes.Where((s, i) => !ShapeUtil.Equal(s, InputShapes[i])).Any())
            throw new ShapeMismatchException($"Layer '{Name}' was built for input {FormatShapes(InputShapes)} but receives {FormatShapes(shapes)}.");
    }

    /// <summary>The symbolic input of the layer's first call (Keras's <c>layer.input</c>).</summary>
    public virtual KerasTensor Input => FirstNode("input").Inputs.Length == 1 ? FirstNode("input").Inputs[0]
        : throw new KerasNetException($"Layer '{Name}' has {FirstNode("input").Inputs.Length} inputs: use Inputs.");

    /// <summary>The symbolic output of the layer's first call (Keras's <c>layer.output</c>): feeds a feature extractor.</summary>
    public virtual KerasTensor Output => FirstNode("output").Outputs[0];

    private Node FirstNode(string what) => InboundNodesList.Count > 0 ? InboundNodesList[0]
        : throw new KerasNetException($"Layer '{Name}' has never been called and thus has no defined {what}.");

    // ---- building ----

    /// <summary>Creates the weights for a per-sample input shape. Layers with weights override and call base.</summary>
    /// <param name="inputShape">The per-sample input shape (without the batch axis).</param>
    public virtual void Build(int[] inputShape) => MarkBuilt([inputShape]);

    /// <summary>Builds for several inputs (layers with one input use <see cref="Build(int[])"/>).</summary>
    /// <param name="inputShapes">The per-sample shape of each input (without the batch axis).</param>
    public virtual void Build(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count != 1)
            throw new KerasNetException($"Layer '{Name}' ({ClassName}) takes one input but was given {inputShapes.Count}.");
        Build(inputShapes[0]);
    }

    /// <summary>Records the built input shapes and computes the output shapes.</summary>
    /// <param name="inputShapes">The per-sample shape of each input.</param>
    protected void MarkBuilt(IReadOnlyList<int[]> inputShapes)
    {
        var outs = ComputeOutputShapes(inputShapes);
        InputShapes = inputShapes.Select(s => (int[])s.Clone()).ToArray();
        OutputShapes = outs;
        Built = true;
    }

    /// <summary>The per-sample output shape for a per-sample input shape.</summary>
    /// <param name="inputShape">The per-sample input shape (without the batch axis).</param>
    /// <returns>The per-sample output shape, as Keras's <c>compute_output_shape</c> without the batch axis.</returns>
    public abstract int[] ComputeOutputShape(int[] inputShape);

    /// <summary>The per-sample output shapes for several inputs (one output unless overridden).</summary>
    /// <param name="inputShapes">The per-sample shape of each input.</param>
    /// <returns>The per-sample shape of each output.</returns>
    public virtual int[][] ComputeOutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count != 1)
            throw new KerasNetException($"Layer '{Name}' ({ClassName}) takes one input but was given {inputShapes.Count}.");
        return [ComputeOutputShape(inputShapes[0])];
    }

    // ---- computing ----

    /// <summary>Forward pass of one call on a batch; the result may be a tensor of <paramref name="ctx"/> or the input itself.</summary>
    /// <param name="ctx">The call's context: the scratch tensors the result lives in, the state the backward pass
    /// reads, and the masks.</param>
    /// <param name="input">The batch, batch axis first; read-only.</param>
    /// <returns>The output batch: a tensor of <paramref name="ctx"/> (valid until its next call) or the input
    /// itself.</returns>
    protected internal abstract Tensor Forward(CallContext ctx, Tensor input);

    /// <summary>
    /// Backward pass of the call recorded in <paramref name="ctx"/> (made with training on): sends the weights'
    /// gradients to <paramref name="sink"/> and, when <paramref name="needInputGrad"/>, returns the input's gradient.
    /// <paramref name="gradOutput"/> is read-only.
    /// </summary>
    /// <param name="ctx">The context of the forward call to differentiate.</param>
    /// <param name="gradOutput">The gradient of the loss with respect to the call's output (read-only).</param>
    /// <param name="needInputGrad">Whether the gradient with respect to the input is wanted (false for the first layer
    /// of a model, which saves the work).</param>
    /// <param name="sink">Where the weights' gradients go (it says which are wanted: frozen weights are not).</param>
    /// <returns>The gradient with respect to the input, a tensor of <paramref name="ctx"/>; null when <paramref
    /// name="needInputGrad"/> is false.</returns>
    protected internal abstract Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad, GradientSink sink);

    /// <summary>The number of outputs a call makes.</summary>
    internal int OutputCount => OutputShapes?.Count ?? 1;

    /// <summary>Runs one graph node: reads <see cref="CallContext.Inputs"/>, sets <see cref="CallContext.Outputs"/>.</summary>
    internal virtual void ForwardNode(CallContext ctx) => ctx.Outputs[0] = Forward(ctx, ctx.Inputs[0]);

    /// <summary>Back-propagates one graph node into <see cref="CallContext.InputGrads"/>.</summary>
    internal virtual void BackwardNode(CallContext ctx, ReadOnlySpan<Tensor> gradOutputs, bool needInputGrads, GradientSink sink) =>
        ctx.InputGrads[0] = Backward(ctx, gradOutputs[0], needInputGrads, sink);

    /// <summary>Whether a backward pass through this layer would send it any gradient.</summary>
    internal bool WantsGradients(GradientSink sink) => sink.WantsAny(Weights);

    /// <summary>
    /// Runs the layer eagerly on a batch with a fresh context, as <c>layer(x)</c> on a NumPy array in Keras. Returns
    /// a tensor of its own.
    /// </summary>
    /// <param name="inputs">The batch, batch axis first.</param>
    /// <param name="training">Whether to run in training mode (dropout active, batch statistics used), Keras's
    /// <c>training=</c> (default false).</param>
    /// <returns>The output batch, a new tensor.</returns>
    public Tensor Call(Tensor inputs, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return Call(new CallContext(1, OutputCount), inputs, training);
    }

    /// <summary>Runs the layer on a batch in a context the caller keeps for <see cref="Backward(CallContext, Tensor, bool)"/>.</summary>
    internal Tensor Call(CallContext ctx, Tensor inputs, bool training)
    {
        if (!Built) Build(inputs.Shape[1..]);
        ctx.Training = training;
        ctx.Inputs[0] = inputs;
        ForwardNode(ctx);
        return ctx.Outputs[0];
    }

    /// <summary>Backward of an eager <see cref="Call(CallContext, Tensor, bool)"/>: stores every weight gradient.</summary>
    internal Tensor? Backward(CallContext ctx, Tensor gradOutput, bool needInputGrad)
    {
        BackwardNode(ctx, [gradOutput], needInputGrad, GradientSink.All());
        return ctx.InputGrads[0];
    }

    // ---- config and weights ----

    /// <summary>The Keras config fields (name, trainable, dtype, and the layer's own arguments).</summary>
    /// <returns>The config, a JSON object of Keras's field names (<c>name</c>, <c>trainable</c>, <c>dtype</c>, then the
    /// layer's arguments) to values.</returns>
    public virtual JsonObject GetConfig()
    {
        var c = new JsonObject { ["name"] = Name, ["trainable"] = Trainable };
        if (InputShapeArgument != null) c["batch_input_shape"] = BatchShapeJson(InputShapeArgument);
        c["dtype"] = "float32";
        return c;
    }

    /// <summary>Number of scalar weights.</summary>
    /// <returns>The number of scalars in all the layer's weights, trainable or not (Keras's
    /// <c>count_params()</c>).</returns>
    public long CountParams() => Weights.Sum(w => (long)w.Size);

    /// <summary>Copies of the weights' values in Keras layout.</summary>
    /// <returns>One array per weight, in Keras's order (kernel, then bias, ...).</returns>
    public List<float[]> GetWeights() => Weights.Select(w => w.Value.ToArray()).ToList();

    /// <summary>Sets the weights from arrays in Keras layout, checking counts and sizes.</summary>
    /// <param name="values">One array per weight, in Keras's order and layout (a Dense kernel is (in, out)).</param>
    public void SetWeights(IReadOnlyList<float[]> values)
    {
        var weights = Weights;
        if (values.Count != weights.Count)
            throw new ShapeMismatchException($"Layer '{Name}' has {weights.Count} weights but {values.Count} arrays were given.");
        for (int i = 0; i < values.Count; i++) weights[i].Assign(values[i]);
    }

    /// <summary>Adds a weight of a Keras-layout shape, filled by an initializer.</summary>
    /// <param name="name">The weight's name (<c>kernel</c>, <c>bias</c>, ...), as in Keras's files.</param>
    /// <param name="shape">Its Keras-layout shape.</param>
    /// <param name="initializer">Fills its first values. An initializer object or a Keras name
    /// (<c>"glorot_uniform"</c>, <c>"zeros"</c>, ...: see <see cref="KerasNet.Layers.Initializer.Get(string)"/>);
    /// required.</param>
    /// <param name="trainable">Whether the optimizer updates it (default true; false for statistics such as a moving
    /// mean).</param>
    /// <returns>The new weight, added to the layer's weights.</returns>
    protected Variable AddWeight(string name, int[] shape, Initializer initializer, bool trainable = true)
    {
        var v = new Variable(name, shape, trainable) { LayerName = Name, UninitializedBy = initializer.LeavesUninitialized };
        // While a model file is loaded, the fill waits until its weights are read and runs only if none was.
        if (!DeferredInit.Defer(v, initializer)) initializer.Fill(v.Value.Span, shape);
        _weights.Add(v);
        return v;
    }

    /// <summary>Renames the layer (used when loading configs) and its weights.</summary>
    internal void Rename(string name)
    {
        Name = name;
        foreach (var w in _weights) w.LayerName = name;
    }

    /// <summary>Checks that a batch matches the built input shape, naming the layer when it does not.</summary>
    /// <param name="inputs">The batch.</param>
    /// <param name="index">Which input of the layer it is (default 0).</param>
    protected void CheckInput(Tensor inputs, int index = 0)
    {
        if (InputShapes is null) throw new KerasNetException($"Layer '{Name}' is used before it was built.");
        var expected = InputShapes[index];
        if (inputs.Rank != expected.Length + 1 || !inputs.Shape.AsSpan(1).SequenceEqual(expected))
            throw new ShapeMismatchException(
                $"Layer '{Name}' expects input of shape {ShapeUtil.FormatWithNone(expected)} but got {ShapeUtil.Format(inputs.Shape)}.");
    }

    private static string FormatShapes(IReadOnlyList<int[]> shapes) =>
        shapes.Count == 1 ? ShapeUtil.FormatWithNone(shapes[0]) : "[" + string.Join(", ", shapes.Select(ShapeUtil.FormatWithNone)) + "]";

    /// <summary>[null, d1, d2, ...] as Keras writes batch shapes.</summary>
    internal static JsonArray BatchShapeJson(IEnumerable<int> sampleShape)
    {
        var a = new JsonArray { null };
        foreach (int d in sampleShape) a.Add((JsonNode)d);
        return a;
    }

    /// <summary>A JSON array of ints.</summary>
    internal static JsonArray IntArray(params int[] values)
    {
        var a = new JsonArray();
        foreach (int v in values) a.Add((JsonNode)v);
        return a;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({ClassName})";
}
