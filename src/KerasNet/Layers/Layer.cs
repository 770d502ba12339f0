#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// The base of every layer, shaped like Keras 3's: the constructor keeps the arguments, <see cref="Build"/> creates
/// the weights once the input shape is known, <see cref="Call"/> computes, <see cref="ComputeOutputShape"/> lets a
/// model be summarised before any data, and <see cref="GetConfig"/> returns the Keras JSON fields.
/// Shapes given to and returned by these methods are per-sample (no batch dimension).
/// Layers own their output and gradient tensors and reuse them from step to step.
/// </summary>
public abstract class Layer
{
    private readonly List<Variable> _weights = new();

    /// <summary>Sets the common Keras arguments.</summary>
    /// <param name="name">The layer name; null picks Keras's automatic name (<c>conv2d</c>, <c>conv2d_1</c>, ...).</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>: makes this layer the model's input.</param>
    /// <param name="trainable">Whether the weights are trained.</param>
    protected Layer(string? name = null, Shape? inputShape = null, bool trainable = true)
    {
        Name = name ?? KerasBackend.UniqueName(KerasBackend.ToSnakeCase(ClassName));
        InputShapeArgument = inputShape?.Dims;
        Trainable = trainable;
    }

    /// <summary>The layer's name.</summary>
    public string Name { get; internal set; }

    /// <summary>The Keras class name used in configs and summaries.</summary>
    public virtual string ClassName => GetType().Name;

    /// <summary>Whether the optimizer updates this layer's weights.</summary>
    public bool Trainable { get; set; }

    /// <summary>The <c>input_shape</c> the layer was created with, if any.</summary>
    public int[]? InputShapeArgument { get; internal set; }

    /// <summary>The per-sample input shape once built.</summary>
    public int[]? InputShape { get; private set; }

    /// <summary>The per-sample output shape once built.</summary>
    public int[]? OutputShape { get; private set; }

    /// <summary>Whether <see cref="Build"/> has run.</summary>
    public bool Built { get; private set; }

    /// <summary>The weights, in Keras order (kernel, then bias).</summary>
    public IReadOnlyList<Variable> Weights => _weights;

    /// <summary>The weights the optimizer updates.</summary>
    public IEnumerable<Variable> TrainableWeights => Trainable ? _weights.Where(w => w.Trainable) : Enumerable.Empty<Variable>();

    /// <summary>Creates the weights for a per-sample input shape. Layers with weights override and call base.</summary>
    public virtual void Build(int[] inputShape)
    {
        InputShape = (int[])inputShape.Clone();
        OutputShape = ComputeOutputShape(inputShape);
        Built = true;
    }

    /// <summary>The per-sample output shape for a per-sample input shape.</summary>
    public abstract int[] ComputeOutputShape(int[] inputShape);

    /// <summary>Forward pass on a batch. The returned tensor is owned by the layer and valid until its next call.</summary>
    public abstract Tensor Call(Tensor inputs, bool training = false);

    /// <summary>
    /// Backward pass for the batch of the last <see cref="Call"/> (made with training on): fills the weights'
    /// gradients and, when <paramref name="needInputGrad"/>, returns the gradient with respect to the input.
    /// </summary>
    public abstract Tensor? Backward(Tensor gradOutput, bool needInputGrad);

    /// <summary>The Keras config fields (name, trainable, dtype, and the layer's own arguments).</summary>
    public virtual JsonObject GetConfig()
    {
        var c = new JsonObject { ["name"] = Name, ["trainable"] = Trainable };
        if (InputShapeArgument != null) c["batch_input_shape"] = BatchShapeJson(InputShapeArgument);
        c["dtype"] = "float32";
        return c;
    }

    /// <summary>Number of scalar weights.</summary>
    public int CountParams() => _weights.Sum(w => w.Size);

    /// <summary>Copies of the weights' values in Keras layout.</summary>
    public List<float[]> GetWeights() => _weights.Select(w => w.Value.ToArray()).ToList();

    /// <summary>Sets the weights from arrays in Keras layout, checking counts and sizes.</summary>
    public void SetWeights(IReadOnlyList<float[]> values)
    {
        if (values.Count != _weights.Count)
            throw new ShapeMismatchException($"Layer '{Name}' has {_weights.Count} weights but {values.Count} arrays were given.");
        for (int i = 0; i < values.Count; i++) _weights[i].Assign(values[i]);
    }

    /// <summary>Adds a weight of a Keras-layout shape, filled by an initializer.</summary>
    protected Variable AddWeight(string name, int[] shape, Initializer initializer, bool trainable = true)
    {
        var v = new Variable(name, shape, trainable) { LayerName = Name };
        initializer.Fill(v.Value.Span, shape);
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
    protected void CheckInput(Tensor inputs)
    {
        if (InputShape is null) throw new KerasNetException($"Layer '{Name}' is used before it was built.");
        if (inputs.Rank != InputShape.Length + 1 || !inputs.Shape.AsSpan(1).SequenceEqual(InputShape))
            throw new ShapeMismatchException(
                $"Layer '{Name}' expects input of shape {ShapeUtil.FormatWithNone(InputShape)} but got {ShapeUtil.Format(inputs.Shape)}.");
    }

    /// <summary>[null, d1, d2, ...] as Keras writes batch shapes.</summary>
    internal static JsonArray BatchShapeJson(IEnumerable<int> sampleShape)
    {
        var a = new JsonArray { null };
        foreach (int d in sampleShape) a.Add(d);
        return a;
    }

    /// <summary>A JSON array of ints.</summary>
    internal static JsonArray IntArray(params int[] values)
    {
        var a = new JsonArray();
        foreach (int v in values) a.Add(v);
        return a;
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({ClassName})";
}
