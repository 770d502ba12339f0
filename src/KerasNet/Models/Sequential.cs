#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Models;

/// <summary>
/// A linear stack of layers, like <c>keras.Sequential</c>: a <see cref="Model"/> whose graph is the chain of its layers,
/// rebuilt by <see cref="Add"/> and <see cref="Pop"/>. Layers are built as soon as the input shape is known (from the
/// first layer's <c>inputShape</c>, an <see cref="InputLayer"/>, or a model added first), so <see cref="Model.Summary"/>
/// works before any data.
/// </summary>
public sealed partial class Sequential : Model
{
    private readonly List<Layer> _layers = new();
    private readonly List<Node> _ownNodes = new();

    /// <summary>Creates an empty model named <c>sequential</c>, <c>sequential_1</c>, ...</summary>
    /// <param name="name">The model's name; null (Keras's default) picks <c>sequential</c>, <c>sequential_1</c>,
    /// ...</param>
    public Sequential(string? name = null) : base(name ?? KerasBackend.UniqueName("sequential")) { }

    /// <summary>Creates a model from layers, as <c>Sequential([...])</c>.</summary>
    /// <param name="layers">The layers, in order.</param>
    /// <param name="name">The model's name; null (Keras's default) picks <c>sequential</c>, <c>sequential_1</c>,
    /// ...</param>
    public Sequential(IEnumerable<Layer> layers, string? name = null) : this(name)
    {
        foreach (var l in layers) Add(l);
    }

    /// <inheritdoc/>
    public override string ClassName => "Sequential";

    /// <summary>The layers, without the input layer (as Keras's <c>model.layers</c>).</summary>
    public override IReadOnlyList<Layer> Layers => _layers;

    /// <summary>The input layer, when the input shape is known (not listed in <see cref="Layers"/>, as in Keras).</summary>
    public InputLayer? InputLayer { get; private set; }

    /// <summary>Appends a layer, building it when the input shape is known.</summary>
    /// <param name="layer">The layer (an <see cref="KerasNet.Layers.InputLayer"/> sets the input shape).</param>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer is InputLayer input)
        {
            if (InputLayer != null || _layers.Count > 0)
                throw new KerasNetException($"Model '{Name}': an InputLayer can only be the first layer.");
            InputLayer = input;
            Rebuild();
            return;
        }
        if (ReferenceEquals(layer, this)) throw new KerasNetException($"Model '{Name}' cannot be added to itself.");
        if (_layers.Any(l => l.Name == layer.Name))
            throw new KerasNetException($"Model '{Name}': all layer names must be unique; '{layer.Name}' is used twice.");
        if (_layers.Count == 0 && InputLayer == null)
        {
            // A model added first brings its input shape, as Keras's Sequential takes a Functional's inputs.
            var shape = layer.InputShapeArgument ?? (layer is Model { Inputs.Count: 1 } m ? m.Inputs[0].Shape : null);
            if (shape != null) InputLayer = new InputLayer(shape, name: layer.Name + "_input");
        }
        _layers.Add(layer);
        if (InputLayer != null)
        {
            try { Rebuild(); }
            catch { _layers.RemoveAt(_layers.Count - 1); Rebuild(); throw; }
        }
    }

    /// <summary>Removes the last layer.</summary>
    public void Pop()
    {
        if (_layers.Count == 0) throw new KerasNetException($"Model '{Name}' has no layers to remove.");
        _layers.RemoveAt(_layers.Count - 1);
        if (InputLayer != null) Rebuild();
    }

    /// <summary>Builds every layer for a per-sample input shape (Keras's <c>build((None, ...))</c>).</summary>
    /// <param name="inputShape">The per-sample input shape (without the batch axis).</param>
    public override void Build(int[] inputShape)
    {
        // The first Predict/Evaluate calls of an unbuilt model may come from several threads at once: one builds.
        lock (_buildGate)
        {
            InputLayer ??= new InputLayer(inputShape, name: (_layers.FirstOrDefault()?.Name ?? Name) + "_input");
            if (!ShapeUtil.Equal(InputLayer.InputShapeArgument!, inputShape))
                throw new ShapeMismatchException($"Model '{Name}' was built for input {ShapeUtil.FormatWithNone(InputLayer.InputShapeArgument!)} but receives {ShapeUtil.FormatWithNone(inputShape)}.");
            if (Graph == null) Rebuild();
        }
    }

    private readonly object _buildGate = new();

    /// <inheritdoc/>
    public override void Build(IReadOnlyList<int[]> inputShapes)
    {
        if (inputShapes.Count != 1) throw new KerasNetException($"Model '{Name}' (Sequential) takes one input but was given {inputShapes.Count}.");
        Build(inputShapes[0]);
    }

    /// <inheritdoc/>
    public override int[][] ComputeOutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        if (Graph == null && inputShapes.Count == 1) Build(inputShapes[0]);
        return base.ComputeOutputShapes(inputShapes);
    }

    // The chain as a graph: the calls this model made before are withdrawn, so each layer's Output stays its call here.
    private void Rebuild()
    {
        foreach (var n in _ownNodes) n.Layer.InboundNodesList.Remove(n);
        _ownNodes.Clear();
        var x = InputLayer!.Output;
        foreach (var layer in _layers)
        {
            var outs = layer.ApplyMany(x);
            if (outs.Count != 1)
                throw new KerasNetException($"Layer '{layer.Name}' has {outs.Count} outputs; a Sequential model needs layers with one output. Use the Functional API (new Model(inputs, outputs)).");
            _ownNodes.Add(outs[0].Node);
            x = outs[0];
        }
        SetGraph(new FunctionalGraph([InputLayer.Output], [x], Name));
    }
}
