#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's <c>Bidirectional</c> wrapper: a copy of the recurrent layer named <c>forward_&lt;name&gt;</c> reads the
/// sequence forwards, a copy named <c>backward_&lt;name&gt;</c> with go_backwards flipped (or the given backward
/// layer) reads it backwards; with return_sequences the backward outputs are reversed back into time order, then the
/// two are merged: concat (default, on the last axis), sum, mul, ave, or none (two outputs). With return_state the
/// forward layer's states follow, then the backward layer's. Weights: the forward layer's, then the backward
/// layer's. Initial states, when given, are the forward layer's then the backward layer's. As in Keras, both layers
/// output zeros at masked steps when they return sequences.
/// </summary>
[KerasLayer("Bidirectional")]
public sealed partial class Bidirectional : Layer, ITrainingRefusal, IConvertsStoredWeights, IKeras3Store, IKeras3Config
{
    private readonly JsonObject? _backwardConfig;

    /// <summary>Wraps <paramref name="layer"/>.</summary>
    /// <param name="layer">The recurrent layer (SimpleRNN, LSTM or GRU); KerasNet makes its forward and backward copies from its config.</param>
    /// <param name="mergeMode">"concat" (default), "sum", "mul", "ave", or null for two separate outputs.</param>
    /// <param name="backwardLayer">An optional layer for the backward direction: it must differ from <paramref name="layer"/> in
    /// go_backwards and agree in stateful, return_sequences and return_state.</param>
    /// <param name="inputShape">Keras's input_shape (timesteps, features); by default the wrapped layer's, when it has one.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name (bidirectional, bidirectional_1, ...).</param>
    /// <param name="trainable">Whether both layers' weights are trained.</param>
    /// <exception cref="KerasNetException">An unknown merge mode or a backward layer that does not fit.</exception>
    public Bidirectional(RnnLayer layer, string? mergeMode = "concat", RnnLayer? backwardLayer = null, Shape? inputShape = null,
        string? name = null, bool trainable = true) : base(name, inputShape ?? (layer?.InputShapeArgument is int[] dims ? (Shape?)new Shape(dims) : null), trainable)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (mergeMode is not (null or "concat" or "sum" or "mul" or "ave"))
            throw new KerasNetException($"Bidirectional: invalid merge_mode '{mergeMode}'; use one of \"concat\", \"sum\", \"mul\", \"ave\" or null.");
        Layer = layer;
        MergeMode = mergeMode;
        ForwardLayer = Recreate(layer, flip: false);
        if (backwardLayer is null) BackwardLayer = Recreate(layer, flip: true);
        else
        {
            _backwardConfig = backwardLayer.GetConfig();
            BackwardLayer = backwardLayer;
        }
        // tf.keras 2.4 renames both (a given backward layer too) after taking their configs; Keras 3 first removes a
        // prefix already there, so its configs (which hold forward_lstm and backward_lstm) keep their names.
        ForwardLayer.Rename("forward_" + RemovePrefix(ForwardLayer.Name, "forward_"));
        BackwardLayer.Rename("backward_" + RemovePrefix(BackwardLayer.Name, "backward_"));
        if (ForwardLayer.GoBackwards == BackwardLayer.GoBackwards)
            throw new KerasNetException($"Bidirectional: forward layer and backward layer should have different go_backwards values, both have {ForwardLayer.GoBackwards}.");
        foreach (var (attr, f, b) in new[] { ("stateful", ForwardLayer.Stateful, BackwardLayer.Stateful),
            ("return_sequences", ForwardLayer.ReturnSequences, BackwardLayer.ReturnSequences), ("return_state", ForwardLayer.ReturnState, BackwardLayer.ReturnState) })
            if (f != b)
                throw new KerasNetException($"Bidirectional: forward layer and backward layer are expected to have the same value for attribute \"{attr}\", got \"{f}\" for forward layer and \"{b}\" for backward layer.");
        ForwardLayer.ZeroOutputForMask = ForwardLayer.ReturnSequences;
        BackwardLayer.ZeroOutputForMask = BackwardLayer.ReturnSequences;
        if (!trainable) Trainable = false;
    }

    /// <summary>The layer of a config: <c>layer</c> and the optional <c>backward_layer</c> as layer entries, <c>merge_mode</c> (null for none).</summary>
    internal static Bidirectional FromConfig(LayerConfigReader c)
    {
        RnnLayer Inner(string field) => c.Config[field] is JsonObject entry
            ? ModelConfigReader.CreateLayer(entry, ModelConfigReader.ClassNameOf(entry, c.Source, $"'{field}' of layer '{c.Name}'"), 0, c.Source) as RnnLayer
              ?? throw c.Error($"'{field}' should be a SimpleRNN, LSTM or GRU layer.")
            : throw c.Error($"missing field '{field}' (the wrapped layer).");
        string? mode = c.Config.ContainsKey("merge_mode") && c.Config["merge_mode"] is null ? null : c.String("concat", "merge_mode");
        return new Bidirectional(Inner("layer"), mode, c.Config["backward_layer"] is JsonObject ? Inner("backward_layer") : null,
            name: c.Name, trainable: c.Bool(true, "trainable"));
    }

    /// <summary>The layer given to the constructor (Keras's <c>layer</c>, whose config is saved).</summary>
    public RnnLayer Layer { get; }

    /// <summary>The layer reading forwards.</summary>
    public RnnLayer ForwardLayer { get; }

    /// <summary>The layer reading backwards.</summary>
    public RnnLayer BackwardLayer { get; }

    /// <summary>Keras's <c>merge_mode</c>: concat, sum, mul, ave, or null (two outputs).</summary>
    public string? MergeMode { get; }

    /// <inheritdoc/>
    public override bool SupportsMasking => true;

    /// <inheritdoc/>
    public override bool Trainable
    {
        get => base.Trainable;
        set
        {
            base.Trainable = value;
            if (ForwardLayer != null) ForwardLayer.Trainable = value;
            if (BackwardLayer != null) BackwardLayer.Trainable = value;
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Variable> Weights => [.. ForwardLayer.Weights, .. BackwardLayer.Weights];

    internal override void CollectTrainable(List<Variable> into)
    {
        if (!Trainable) return;
        ForwardLayer.CollectTrainable(into);
        BackwardLayer.CollectTrainable(into);
    }

    /// <summary>Resets both layers' states (they must be stateful).</summary>
    public void ResetStates()
    {
        ForwardLayer.ResetStates();
        BackwardLayer.ResetStates();
    }

    private static string RemovePrefix(string name, string prefix) => name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : name;

    private static RnnLayer Recreate(RnnLayer layer, bool flip)
    {
        var config = layer.GetConfig();
        if (flip) config["go_backwards"] = !layer.GoBackwards;
        config.Remove("batch_input_shape");
        var copy = (RnnLayer)LayerRegistry.Create(new LayerConfigReader(config, layer.ClassName, "Bidirectional"));
        copy.ZeroOutputForMask = layer.ZeroOutputForMask;
        return copy;
    }

    private int States => ForwardLayer.StateCount;

    /// <inheritdoc/>
    public override void Build(int[] inputShape) => Build([inputShape]);

    /// <summary>Builds both layers for the sequence (and their halves of the initial states, when given).</summary>
    /// <param name="inputShapes">The per-sample shape of each input (without the batch axis), in the order the layer is
    /// called with.</param>
    public override void Build(IReadOnlyList<int[]> inputShapes)
    {
        ComputeOutputShapes(inputShapes);
        var (fw, bw) = Halves(inputShapes);
        ForwardLayer.Build(fw);
        BackwardLayer.Build(bw);
        foreach (var w in ForwardLayer.Weights) w.LayerName = $"{Name}/{ForwardLayer.Name}";
        foreach (var w in BackwardLayer.Weights) w.LayerName = $"{Name}/{BackwardLayer.Name}";
        MarkBuilt(inputShapes);
    }

    private (List<T> fw, List<T> bw) Halves<T>(IReadOnlyList<T> inputs)
    {
        var fw = new List<T> { inputs[0] };
        var bw = new List<T> { inputs[0] };
        if (inputs.Count > 1)
        {
            for (int i = 0; i < States; i++) fw.Add(inputs[1 + i]);
            for (int i = 0; i < States; i++) bw.Add(inputs[1 + States + i]);
        }
        return (fw, bw);
    }

    /// <inheritdoc/>
    public override int[] ComputeOutputShape(int[] inputShape) => ComputeOutputShapes([inputShape])[0];

    /// <summary>Keras's compute_output_shape: the merged output (two with merge_mode null), then every state of both layers.</summary>
    /// <param name="inputShapes">The per-sample shape of each input (without the batch axis), in the order the layer is
    /// called with.</param>
    /// <returns>The per-sample shape of each output.</returns>
    public override int[][] ComputeOutputShapes(IReadOnlyList<int[]> inputShapes)
    {
        ArgumentNullException.ThrowIfNull(inputShapes);
        if (inputShapes.Count != 1 && inputShapes.Count != 1 + 2 * States)
            throw new KerasNetException($"Layer '{Name}' (Bidirectional) takes the sequence and optionally {2 * States} initial states (the forward layer's, then the backward layer's); got {inputShapes.Count} inputs.");
        var (fw, _) = Halves(inputShapes);
        var inner = ForwardLayer.ComputeOutputShapes(fw);
        var output = (int[])inner[0].Clone();
        if (MergeMode == "concat") output[^1] *= 2;
        var list = new List<int[]> { output };
        if (MergeMode is null) list.Add((int[])inner[0].Clone());
        if (ForwardLayer.ReturnState)
            for (int k = 0; k < 2; k++)
                for (int i = 1; i < inner.Length; i++) list.Add((int[])inner[i].Clone());
        return [.. list];
    }

    string? ITrainingRefusal.TrainingRefusal() =>
        ((ITrainingRefusal)ForwardLayer).TrainingRefusal() ?? ((ITrainingRefusal)BackwardLayer).TrainingRefusal();

    List<StoredArray> IConvertsStoredWeights.ConvertStored(List<StoredArray> arrays, WeightAssign.Origin origin, string source)
    {
        // Keras's convert_nested_bidirectional: each half goes to its layer's own conversion.
        int half = arrays.Count / 2;
        return [.. ((IConvertsStoredWeights)ForwardLayer).ConvertStored(arrays.Take(half).ToList(), origin, source),
            .. ((IConvertsStoredWeights)BackwardLayer).ConvertStored(arrays.Skip(half).ToList(), origin, source)];
    }

    // Keras 3 walks the wrapper's attributes in sorted order: backward_layer, forward_layer, layer (never built).
    IReadOnlyList<(string Path, string Name, IReadOnlyList<Variable> Vars)> IKeras3Store.Keras3Stores =>
    [
        ("vars", Name, []),
        ("backward_layer/vars", BackwardLayer.Name, []), ("backward_layer/cell/vars", BackwardLayer.CellName, BackwardLayer.Weights),
        ("forward_layer/vars", ForwardLayer.Name, []), ("forward_layer/cell/vars", ForwardLayer.CellName, ForwardLayer.Weights),
        ("layer/vars", Layer.Name, []), ("layer/cell/vars", Layer.CellName, []),
    ];

    /// <summary>
    /// Keras 3's config: the layers as Keras 3 serializes layers. Keras 3 writes its forward copy under "layer" and
    /// always a backward_layer; the given layer and (when one was given) the backward layer make the same two copies
    /// there (its from_config strips the forward_/backward_ prefixes it adds), and keep KerasNet's round trip exact.
    /// </summary>
    void IKeras3Config.ToKeras3(JsonObject config)
    {
        var input = InputShape ?? throw new KerasNetException($"Layer '{Name}' (Bidirectional) has not been built: build it before saving.");
        config["layer"] = ModelConfigWriter.Keras3Entry(Layer, input);
        if (_backwardConfig != null) config["backward_layer"] = ModelConfigWriter.Keras3Entry(BackwardLayer, input);
    }

    /// <summary>tf.keras 2.4's config: the wrapped layer (as given), merge_mode, and the backward layer when one was given.</summary>
    /// <returns>The config as a JSON object, Keras's field names to values (what <c>get_config()</c> returns, as saved
    /// in a model file).</returns>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["layer"] = new JsonObject { ["class_name"] = Layer.ClassName, ["config"] = Layer.GetConfig() };
        c["merge_mode"] = MergeMode;
        if (_backwardConfig != null) c["backward_layer"] = new JsonObject { ["class_name"] = BackwardLayer.ClassName, ["config"] = _backwardConfig.DeepClone() };
        return c;
    }
}
