#nullable enable
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Models;

/// <summary>
/// A linear stack of layers, like <c>keras.Sequential</c>. Layers are built as soon as the input shape is known
/// (from the first layer's <c>inputShape</c> or an <see cref="InputLayer"/>), so <see cref="Summary"/> works before any data.
/// </summary>
public sealed partial class Sequential
{
    private readonly List<Layer> _layers = new();

    /// <summary>Creates an empty model named <c>sequential</c>, <c>sequential_1</c>, ...</summary>
    public Sequential(string? name = null) => Name = name ?? KerasBackend.UniqueName("sequential");

    /// <summary>Creates a model from layers, as <c>Sequential([...])</c>.</summary>
    public Sequential(IEnumerable<Layer> layers, string? name = null) : this(name)
    {
        foreach (var l in layers) Add(l);
    }

    /// <summary>The model's name.</summary>
    public string Name { get; internal set; }

    /// <summary>The layers, without the input layer (as Keras's <c>model.layers</c>).</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>The input layer, when the input shape is known.</summary>
    public InputLayer? Input { get; private set; }

    /// <summary>Per-sample input shape, when known.</summary>
    public int[]? InputShape => Input?.InputShapeArgument;

    /// <summary>Per-sample output shape, when built.</summary>
    public int[]? OutputShape => _layers.Count == 0 ? InputShape : _layers[^1].OutputShape;

    /// <summary>Whether every layer is built.</summary>
    public bool Built => Input != null && _layers.All(l => l.Built);

    /// <summary>Set by callbacks (EarlyStopping, TerminateOnNaN) to end Fit after the current epoch or batch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>Appends a layer, building it when the input shape is known.</summary>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer is InputLayer input)
        {
            if (Input != null || _layers.Count > 0)
                throw new KerasNetException($"Model '{Name}': an InputLayer can only be the first layer.");
            Input = input;
            return;
        }
        if (_layers.Any(l => l.Name == layer.Name))
            throw new KerasNetException($"Model '{Name}': all layer names must be unique; '{layer.Name}' is used twice.");
        if (_layers.Count == 0 && Input == null && layer.InputShapeArgument != null)
            Input = new InputLayer(layer.InputShapeArgument, name: layer.Name + "_input");
        _layers.Add(layer);
        if (Input != null) Build(Input.InputShapeArgument!);
    }

    /// <summary>Removes the last layer.</summary>
    public void Pop()
    {
        if (_layers.Count == 0) throw new KerasNetException($"Model '{Name}' has no layers to remove.");
        _layers.RemoveAt(_layers.Count - 1);
    }

    /// <summary>Builds every layer for a per-sample input shape (Keras's <c>build((None, ...))</c>).</summary>
    public void Build(int[] inputShape)
    {
        Input ??= new InputLayer(inputShape, name: (_layers.FirstOrDefault()?.Name ?? Name) + "_input");
        var shape = inputShape;
        foreach (var layer in _layers)
        {
            if (!layer.Built) layer.Build(shape);
            else if (!ShapeUtil.Equal(layer.InputShape!, shape))
                throw new ShapeMismatchException($"Layer '{layer.Name}' was built for input {ShapeUtil.FormatWithNone(layer.InputShape!)} but receives {ShapeUtil.FormatWithNone(shape)}.");
            shape = layer.OutputShape!;
        }
    }

    /// <summary>Runs the layers on a batch (training enables dropout and records what backward needs).</summary>
    public Tensor Call(Tensor x, bool training = false)
    {
        EnsureBuiltFor(x);
        foreach (var layer in _layers) x = layer.Call(x, training);
        return x;
    }

    private void EnsureBuiltFor(Tensor x)
    {
        if (!Built) Build(x.Shape[1..]);
        if (!x.Shape.AsSpan(1).SequenceEqual(InputShape!))
            throw new ShapeMismatchException($"Model '{Name}' expects input of shape {ShapeUtil.FormatWithNone(InputShape!)} but got {ShapeUtil.Format(x.Shape)}.");
    }

    /// <summary>All weights in layer order.</summary>
    public IEnumerable<Variable> Weights => _layers.SelectMany(l => l.Weights);

    /// <summary>The weights the optimizer updates.</summary>
    public IReadOnlyList<Variable> TrainableWeights => _layers.SelectMany(l => l.TrainableWeights).ToList();

    /// <summary>Number of scalar weights.</summary>
    public long CountParams() => _layers.Sum(l => (long)l.CountParams());

    /// <summary>The weight values in layer order and Keras layouts (Conv2D (kh, kw, in, out), Dense (in, out)).</summary>
    public List<NumSharp.NDArray> GetWeights() =>
        Weights.Select(w => NDArrays.FromTensor(w.Value)).ToList();

    /// <summary>Sets all weights from arrays in Keras order and layouts, checking every shape.</summary>
    public void SetWeights(IReadOnlyList<NumSharp.NDArray> weights)
    {
        var vars = Weights.ToList();
        if (weights.Count != vars.Count)
            throw new ShapeMismatchException($"Model '{Name}' has {vars.Count} weight arrays but {weights.Count} were given.");
        for (int i = 0; i < vars.Count; i++)
        {
            var t = NDArrays.ToTensor(weights[i]);
            if (!ShapeUtil.Equal(t.Shape, vars[i].Shape))
                throw new ShapeMismatchException($"Weight {i} ('{vars[i].FullName}') has shape {ShapeUtil.Format(vars[i].Shape)} but the array has shape {ShapeUtil.Format(t.Shape)}.");
            vars[i].Assign(t.Span);
        }
    }

    /// <summary>Finds a layer by name.</summary>
    public Layer GetLayer(string name) =>
        _layers.FirstOrDefault(l => l.Name == name) ?? throw new KerasNetException($"Model '{Name}' has no layer named '{name}'.");
}
