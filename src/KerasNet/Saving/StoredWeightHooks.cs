#nullable enable
using KerasNet.Layers;

namespace KerasNet.Saving;

/// <summary>
/// A layer whose weights other Keras versions stored in another layout, converted on load as Keras's
/// <c>preprocess_weights_for_loading</c> does (Keras 1's per-gate recurrent arrays, CuDNN kernels and biases).
/// </summary>
internal interface IConvertsStoredWeights
{
    /// <summary>The arrays in this layer's own layout and order (the count is checked afterwards).</summary>
    List<StoredArray> ConvertStored(List<StoredArray> arrays, WeightAssign.Origin origin, string source);
}

/// <summary>
/// A layer whose Keras 3 weight store is nested rather than one <c>vars</c> group: a recurrent layer keeps its
/// weights in its cell (<c>lstm/cell/vars</c>), a wrapper in its inner layers (<c>bidirectional/forward_layer/cell/vars</c>).
/// </summary>
internal interface IKeras3Store
{
    /// <summary>Each group below the layer's own (with the Keras object's name) and the variables it holds, in Keras 3's walk order.</summary>
    IReadOnlyList<(string Path, string Name, IReadOnlyList<Variable> Vars)> Keras3Stores { get; }
}
