#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// Rebuilds a graph model (<c>Functional</c>, or <c>Model</c> from Keras 1.x-2.3) from its config with the public
/// Functional API: an InputLayer per input entry, then every recorded layer call replayed with
/// <see cref="Layer.ApplyMany"/>, then <c>new Model(inputs, outputs)</c>, as Keras's
/// <c>reconstruct_from_config</c> / <c>functional_from_config</c> do.
/// </summary>
/// <remarks>
/// Two node forms exist. Keras 1/2 write each call as a list of <c>[layer, node_index, tensor_index, kwargs]</c>; a
/// nested graph model there owns a node 0 linking its own inputs to outputs, so its calls are numbered from 1
/// (tf.keras 2.4 <c>_should_skip_first_node</c>: Functional models, and Sequential models that have an InputLayer).
/// Keras 3 writes <c>{"args": [...__keras_tensor__...], "kwargs": {}}</c> whose <c>keras_history</c> counts only the
/// calls inside this model (from 0), while its <c>input_layers</c>/<c>output_layers</c> still count a nested
/// Functional's calls from 1 (<c>functional_from_config.get_tensor</c>). Calls whose inputs do not exist yet (a
/// layer shared at several depths) wait for a later pass, as in Keras.
/// </remarks>
internal static class FunctionalConfigReader
{
    /// <summary>One layer of the config: the layer, its pending calls and the outputs of the calls made so far.</summary>
    private sealed class Entry(string name, Layer layer)
    {
        public string Name { get; } = name;
        public Layer Layer { get; } = layer;
        public Queue<JsonNode?> Pending { get; } = new();
        public List<IReadOnlyList<KerasTensor>> Calls { get; } = new();
    }

    /// <summary>A tensor reference of the config: the layer, its call (node) index and output index.</summary>
    private readonly record struct TensorRef(string Layer, int Node, int Tensor);

    /// <summary>The graph being rebuilt.</summary>
    private sealed class Graph(string source, bool keras3)
    {
        public string Source { get; } = source;
        public bool Keras3 { get; } = keras3;
        public Dictionary<string, Entry> Entries { get; } = new(StringComparer.Ordinal);
        public List<Entry> Order { get; } = new();
    }

    /// <summary>Builds the model of a <c>{"class_name": "Functional" | "Model", "config": {...}}</c> entry.</summary>
    public static Model Read(JsonObject root, string className, string source)
    {
        var config = root["config"] as JsonObject
            ?? throw new ModelConfigException($"{source}: the '{className}' model's 'config' should be an object.");
        var layers = config["layers"] as JsonArray
            ?? throw new ModelConfigException($"{source}: missing field 'layers' in the '{className}' model config.");
        string? name = Text(config["name"]);
        bool keras3 = layers.Any(l => (l as JsonObject)?["inbound_nodes"] is JsonArray nodes && nodes.Any(n => n is JsonObject));
        var graph = new Graph(source, keras3);
        for (int i = 0; i < layers.Count; i++) AddEntry(graph, layers[i], i);
        Replay(graph);
        var inputs = Tensors(graph, config["input_layers"], "input_layers");
        var outputs = Tensors(graph, config["output_layers"], "output_layers");
        try { return new Model(inputs, outputs, name ?? KerasBackend.UniqueName("model")); }
        catch (KerasNetException e) when (e is not ModelConfigException)
        {
            throw new ModelConfigException($"{source}: cannot build model '{name}' from its config: {e.Message}", e);
        }
    }

    private static void AddEntry(Graph graph, JsonNode? node, int index)
    {
        if (node is not JsonObject entry) throw new ModelConfigException($"{graph.Source}: layer {index} of the model config is not an object.");
        string cls = ModelConfigReader.ClassNameOf(entry, graph.Source, $"layer {index}");
        string name = Text(entry["name"]) ?? Text((entry["config"] as JsonObject)?["name"])
            ?? throw new ModelConfigException($"{graph.Source}: layer {index} ({cls}) has no 'name'.");
        if (graph.Entries.ContainsKey(name)) throw new ModelConfigException($"{graph.Source}: the model config lists two layers named '{name}'.");
        var layer = cls == "InputLayer"
            ? ModelConfigReader.NewInputLayer(ModelConfigReader.Reader(entry, cls, index, graph.Source))
            : ModelConfigReader.CreateLayer(entry, cls, index, graph.Source);
        var e = new Entry(name, layer);
        switch (entry["inbound_nodes"])
        {
            case null: break;
            case JsonArray nodes: foreach (var n in nodes) e.Pending.Enqueue(n); break;
            default: throw new ModelConfigException($"{graph.Source}: layer '{name}': 'inbound_nodes' should be a list.");
        }
        if (layer is InputLayer input) e.Calls.Add([input.Output]);
        graph.Entries[name] = e;
        graph.Order.Add(e);
    }

    // Keras 3's order: per layer in config order, calls in order, stopping at the first whose inputs are missing.
    private static void Replay(Graph graph)
    {
        while (graph.Order.Any(e => e.Pending.Count > 0))
        {
            bool progress = false;
            foreach (var e in graph.Order)
                while (e.Pending.Count > 0 && TryCall(graph, e, e.Pending.Peek()))
                {
                    e.Pending.Dequeue();
                    progress = true;
                }
            if (!progress)
                throw new ModelConfigException(
                    $"{graph.Source}: the inbound_nodes of layer(s) {string.Join(", ", graph.Order.Where(e => e.Pending.Count > 0).Select(e => $"'{e.Name}'"))} read layer calls that the config never makes (a cycle, or a wrong node index).");
        }
    }

    /// <summary>Makes one recorded call of a layer; false when one of its inputs does not exist yet.</summary>
    private static bool TryCall(Graph graph, Entry entry, JsonNode? node)
    {
        var refs = graph.Keras3 && node is JsonObject call ? Keras3Refs(graph, entry, call) : LegacyRefs(graph, entry, node);
        if (refs.Count == 0) throw new ModelConfigException($"{graph.Source}: layer '{entry.Name}' has a call without inputs.");
        var inputs = new KerasTensor[refs.Count];
        for (int i = 0; i < refs.Count; i++)
        {
            var t = Resolve(graph, $"layer '{entry.Name}'", refs[i], modelEnd: false);
            if (t == null) return false;
            inputs[i] = t;
        }
        foreach (var x in inputs) ModelConfigReader.CheckInputShape(entry.Name, x.Shape, graph.Source);
        WeightBudget.Building(entry.Layer);
        IReadOnlyList<KerasTensor> outputs;
        try { outputs = entry.Layer.ApplyMany(inputs); }
        catch (KerasNetException e) when (e is not ModelConfigException)
        {
            throw new ModelConfigException(
                $"{graph.Source}: cannot call layer '{entry.Name}' ({entry.Layer.ClassName}) on {string.Join(", ", inputs.Select(x => ShapeUtil.FormatWithNone(x.Shape)))}: {e.Message}", e);
        }
        foreach (var y in outputs) ModelConfigReader.CheckOutput(entry.Layer, y.Shape, graph.Source);
        entry.Calls.Add(outputs);
        return true;
    }

    /// <summary>
    /// The tensor a reference names; null while the call it names has not been made yet. <paramref name="modelEnd"/>
    /// marks references of input_layers/output_layers, which Keras 3 numbers differently from call arguments.
    /// </summary>
    private static KerasTensor? Resolve(Graph graph, string reader, TensorRef r, bool modelEnd)
    {
        if (!graph.Entries.TryGetValue(r.Layer, out var src))
            throw new ModelConfigException($"{graph.Source}: {reader} reads layer '{r.Layer}', which is not in the model config.");
        int first = modelEnd ? OutputIndexBase(graph, src.Layer) : graph.Keras3 ? 0 : LegacyFirstCallIndex(src.Layer);
        // An InputLayer has its one node whatever index is written (Keras's get_node_index).
        int call = src.Layer is InputLayer ? 0 : r.Node - first;
        if (call < 0)
            throw new ModelConfigException($"{graph.Source}: {reader} reads node {r.Node} of '{r.Layer}', but the calls of '{r.Layer}' are numbered from {first}.");
        if (call >= src.Calls.Count) return null;
        var outs = src.Calls[call];
        if (r.Tensor < 0 || r.Tensor >= outs.Count)
            throw new ModelConfigException($"{graph.Source}: {reader} reads output {r.Tensor} of '{r.Layer}', which has {outs.Count} output(s).");
        return outs[r.Tensor];
    }

    // [[layer, node, tensor, kwargs], ...]: one entry per input tensor (Keras 1 omits kwargs).
    private static List<TensorRef> LegacyRefs(Graph graph, Entry entry, JsonNode? node)
    {
        if (node is not JsonArray list) throw BadNode(graph, entry, node);
        var refs = new List<TensorRef>();
        foreach (var item in list)
        {
            if (item is not JsonArray a || a.Count is < 3 or > 4) throw BadNode(graph, entry, node);
            if (a.Count == 4) CheckKwargs(graph, entry, a[3]);
            refs.Add(Ref(graph, entry, a, node));
        }
        return refs;
    }

    // {"args": [...], "kwargs": {...}}: every __keras_tensor__ in the positional arguments, in order.
    private static List<TensorRef> Keras3Refs(Graph graph, Entry entry, JsonObject call)
    {
        var refs = new List<TensorRef>();
        void Collect(JsonNode? n)
        {
            switch (n)
            {
                case JsonArray a: foreach (var x in a) Collect(x); break;
                case JsonObject o when Text(o["class_name"]) == "__keras_tensor__":
                    refs.Add(Ref(graph, entry, (o["config"] as JsonObject)?["keras_history"] as JsonArray ?? throw BadNode(graph, entry, o), o));
                    break;
                default: throw new ModelConfigException($"{graph.Source}: layer '{entry.Name}' is called with {n?.ToJsonString() ?? "null"}; only tensors from other layers are supported as call arguments.");
            }
        }
        Collect(call["args"]);
        var kwargs = call["kwargs"];
        // Keras 3 passes a recurrent layer's initial states as the keyword argument initial_state; KerasNet's call
        // takes them after the sequence, as tf.keras 2.x's inbound nodes list them.
        if (entry.Layer is RnnLayer or Bidirectional && kwargs is JsonObject k && k["initial_state"] is { } states)
        {
            Collect(states);
            kwargs = new JsonObject(k.Where(p => p.Key != "initial_state").Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        }
        CheckKwargs(graph, entry, kwargs);
        return refs;
    }

    private static TensorRef Ref(Graph graph, Entry entry, JsonArray a, JsonNode? node)
    {
        if (a.Count < 3 || Text(a[0]) is not { } layer || !TryInt(a[1], out int n) || !TryInt(a[2], out int t)) throw BadNode(graph, entry, node);
        return new TensorRef(layer, n, t);
    }

    // Keras records a call's keyword arguments. training=True/False only fixes Dropout's mode in that call, which
    // inference ignores; anything else (masks, constants) changes what the call computes and is refused.
    private static void CheckKwargs(Graph graph, Entry entry, JsonNode? kwargs)
    {
        if (kwargs is null) return;
        if (kwargs is not JsonObject o) throw BadNode(graph, entry, kwargs);
        var other = o.Where(p => p.Key != "training" && p.Value is not null).Select(p => p.Key).ToList();
        if (other.Count > 0)
            throw new ModelConfigException($"{graph.Source}: layer '{entry.Name}' is called with keyword argument(s) {string.Join(", ", other)}, which are not supported.");
    }

    /// <summary>The tensors of input_layers/output_layers: one reference, a list of them, or a dict (Keras 3).</summary>
    private static List<KerasTensor> Tensors(Graph graph, JsonNode? node, string field)
    {
        if (node is null) throw new ModelConfigException($"{graph.Source}: missing field '{field}' in the model config.");
        var tensors = new List<KerasTensor>();
        void Collect(JsonNode? n)
        {
            switch (n)
            {
                case JsonArray a when a.Count >= 3 && Text(a[0]) is { } layer:
                    if (!TryInt(a[1], out int idx) || !TryInt(a[2], out int t)) throw new ModelConfigException($"{graph.Source}: bad entry {a.ToJsonString()} in '{field}'.");
                    tensors.Add(Resolve(graph, $"'{field}'", new TensorRef(layer, idx, t), modelEnd: true)
                        ?? throw new ModelConfigException($"{graph.Source}: '{field}' names node {idx} of layer '{layer}', which the config never creates."));
                    break;
                case JsonArray a: foreach (var x in a) Collect(x); break;
                case JsonObject o: foreach (var (_, x) in o) Collect(x); break;
                default: throw new ModelConfigException($"{graph.Source}: bad entry {n?.ToJsonString() ?? "null"} in '{field}'.");
            }
        }
        Collect(node);
        if (tensors.Count == 0) throw new ModelConfigException($"{graph.Source}: '{field}' of the model config is empty.");
        return tensors;
    }

    // Keras 3's get_tensor counts a nested Functional's calls from 1 (its Sequential from 0); Keras 2 as in the nodes.
    private static int OutputIndexBase(Graph graph, Layer layer) =>
        graph.Keras3 ? (layer is Model and not Sequential ? 1 : 0) : LegacyFirstCallIndex(layer);

    // tf.keras's _should_skip_first_node: a nested Functional, or a nested Sequential holding an InputLayer (one with
    // only a build_input_shape was not a graph network when it was saved, so its calls count from 0).
    private static int LegacyFirstCallIndex(Layer layer) =>
        layer is Model m && (m is not Sequential s || ModelConfigWriter.IsGraphNetwork(s)) ? 1 : 0;

    private static ModelConfigException BadNode(Graph graph, Entry entry, JsonNode? node) =>
        new($"{graph.Source}: layer '{entry.Name}' has a malformed inbound node {node?.ToJsonString() ?? "null"}.");

    private static string? Text(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static bool TryInt(JsonNode? n, out int value)
    {
        value = 0;
        return n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out value);
    }
}
