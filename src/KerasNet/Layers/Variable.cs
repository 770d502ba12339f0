#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>A layer weight (Keras variable) with its gradient buffer.</summary>
public sealed partial class Variable
{
    internal Variable(string name, int[] shape, bool trainable)
    {
        // Counted before the tensors exist, so a corrupt config is refused before it allocates (WeightBudget).
        Saving.WeightBudget.Charge(name, shape);
        Name = name;
        Value = new Tensor(shape);
        Grad = new Tensor(shape);
        Trainable = trainable;
    }

    /// <summary>Short name as Keras gives it ("kernel", "bias").</summary>
    public string Name { get; }

    /// <summary>The owning layer's name, set when the layer adds the weight.</summary>
    public string LayerName { get; internal set; } = "";

    /// <summary>Keras 2 style full name: <c>conv2d/kernel:0</c>.</summary>
    public string FullName => $"{LayerName}/{Name}:0";

    /// <summary>Shape in Keras layout (Conv2D kernel (kh, kw, in, out), Dense kernel (in, out)).</summary>
    public int[] Shape => Value.Shape;

    /// <summary>The values.</summary>
    public Tensor Value { get; }

    /// <summary>The gradient of the loss from the last backward pass.</summary>
    public Tensor Grad { get; }

    /// <summary>Whether the optimizer updates it.</summary>
    public bool Trainable { get; }

    /// <summary>Element count.</summary>
    public int Size => Value.Length;

    /// <summary>
    /// The initializer class that could not fill this weight (one KerasNet does not implement), so it holds zeros
    /// until values are assigned; null once it holds real values. Training refuses such a weight
    /// (<see cref="Initializer.CheckTrainable"/>).
    /// </summary>
    internal string? UninitializedBy { get; set; }

    /// <summary>
    /// The initializer whose fill waits (<see cref="DeferredInit"/>) while a model file is read: an assigned value
    /// cancels it, otherwise it runs when the file's weights have been read. Null once the weight holds its values.
    /// </summary>
    internal Initializer? DeferredInitializer { get; set; }

    /// <summary>Copies new values in after checking the shape.</summary>
    /// <param name="values">The new values, the variable's size, row-major.</param>
    /// <param name="shape">Their shape, checked against the variable's; null skips the check of dimensions (the count
    /// is still checked).</param>
    public void Assign(ReadOnlySpan<float> values, IReadOnlyList<int>? shape = null)
    {
        if (shape != null && !ShapeUtil.Equal(shape.ToArray(), Shape))
            throw new ArgumentException($"Weight '{FullName}' has shape {ShapeUtil.Format(Shape)} but the value has shape {ShapeUtil.Format(shape)}.");
        if (values.Length != Size)
            throw new ArgumentException($"Weight '{FullName}' has {Size} elements but {values.Length} were given.");
        values.CopyTo(Value.Span);
        UninitializedBy = null;
        DeferredInitializer = null;
        MarkChanged();
    }
}
