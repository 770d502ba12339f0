#nullable enable
using KerasNet.Engine;

namespace KerasNet.Layers;

/// <summary>
/// A symbolic tensor of the Functional API: the per-sample shape of a value in a graph and the layer call (node) that
/// produces it, as Keras's <c>KerasTensor</c>. Made by <see cref="Keras.Input"/> and <see cref="Layer.Apply(KerasTensor)"/>.
/// </summary>
public sealed class KerasTensor
{
    internal KerasTensor(int[] shape, Node node, int index)
    {
        Shape = shape;
        Node = node;
        Index = index;
    }

    /// <summary>The per-sample shape (no batch dimension).</summary>
    public int[] Shape { get; }

    /// <summary>The data type, always <c>"float32"</c> (Keras's <c>"float16"</c>, <c>"int32"</c>, ... are not supported).</summary>
    public string Dtype => "float32";

    /// <summary>The node that produces this tensor.</summary>
    internal Node Node { get; }

    /// <summary>Which output of the node this is.</summary>
    internal int Index { get; }

    /// <summary>The layer that produces this tensor.</summary>
    public Layer Layer => Node.Layer;

    /// <summary>Keras's tensor name, <c>layer/node:index</c> as tf.keras prints it.</summary>
    public string Name => Node.Outputs.Length == 1 ? Layer.Name : $"{Layer.Name}:{Index}";

    /// <inheritdoc/>
    public override string ToString() => $"KerasTensor(shape={ShapeUtil.FormatWithNone(Shape)}, dtype=float32, name='{Name}')";
}

/// <summary>
/// One call of a layer in a graph (Keras's <c>Node</c>): the symbolic tensors it read and made. A layer called twice
/// has two nodes; both use the same weights.
/// </summary>
internal sealed class Node
{
    public Node(Layer layer, KerasTensor[] inputs, int[][] outputShapes)
    {
        Layer = layer;
        Inputs = inputs;
        Outputs = new KerasTensor[outputShapes.Length];
        for (int i = 0; i < outputShapes.Length; i++) Outputs[i] = new KerasTensor(outputShapes[i], this, i);
    }

    public Layer Layer { get; }
    public KerasTensor[] Inputs { get; }
    public KerasTensor[] Outputs { get; }

    /// <summary>Whether this is an InputLayer's node (no inputs, the graph's entry point).</summary>
    public bool IsInput => Layer is InputLayer;

    /// <summary>This node's index among its layer's calls (the "node index" of Keras configs).</summary>
    public int IndexInLayer => Layer.InboundNodesList.IndexOf(this);
}
