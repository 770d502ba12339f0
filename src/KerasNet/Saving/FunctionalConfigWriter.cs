#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// Writes a graph model's config: tf.keras 2.4's <c>get_network_config</c> (<c>{name, layers: [{class_name, config,
/// name, inbound_nodes: [[[layer, node_index, tensor_index, {}], ...]]}], input_layers, output_layers}</c>) and
/// Keras 3's <c>Functional.get_config</c> (<c>inbound_nodes: [{"args": [__keras_tensor__...], "kwargs": {}}]</c>).
/// </summary>
/// <remarks>
/// Node indices count only the calls that belong to the model being written. In tf.keras 2.4 a nested graph model
/// owns a node 0 of its own (linking its inputs to its outputs), so its calls are numbered from 1
/// (<c>_should_skip_first_node</c>: a Functional, or a Sequential whose layers start with an InputLayer; nested
/// Sequentials are written with their InputLayer, see <see cref="ModelConfigWriter.Config"/>). Keras 3
/// numbers call arguments from 0 and only its input_layers/output_layers count a nested Functional's calls from 1.
/// </remarks>
internal static class FunctionalConfigWriter
{
    /// <summary>
    /// The config index of a layer's first call in the tf.keras 2.x configs written here: 1 for a nested model, which
    /// is always written with an InputLayer of its own (<see cref="ModelConfigWriter.Config"/>), else 0.
    /// </summary>
    public static int FirstCallIndex(Layer l) => l is Model ? 1 : 0;

    /// <summary>The position of each node of the graph among its layer's calls in that graph.</summary>
    private sealed class CallIndex
    {
        private readonly HashSet<Node> _nodes;

        public CallIndex(FunctionalGraph g)
        {
            _nodes = new HashSet<Node>(g.Nodes);
            foreach (var t in g.Inputs) _nodes.Add(t.Node);
        }

        /// <summary>The layer's calls in this graph, in call order (a shared layer's other models' calls left out).</summary>
        public IEnumerable<Node> NodesOf(Layer l) => l.InboundNodesList.Where(_nodes.Contains);

        /// <summary>0-based position of the call that made <paramref name="t"/> among its layer's calls here.</summary>
        public int Position(KerasTensor t) => NodesOf(t.Layer).TakeWhile(n => n != t.Node).Count();
    }

    private static FunctionalGraph GraphOf(Model model) =>
        model.Graph ?? throw new KerasNetException($"Model '{model.Name}' has no graph yet: build it before saving.");

    /// <summary>tf.keras 2.4's <c>get_network_config(model)</c>.</summary>
    public static JsonObject NetworkConfig(Model model)
    {
        var g = GraphOf(model);
        var calls = new CallIndex(g);
        JsonArray Ref(KerasTensor t, bool withKwargs)
        {
            var r = new JsonArray(t.Layer.Name, FirstCallIndex(t.Layer) + calls.Position(t), t.Index);
            if (withKwargs) r.Add((JsonNode)new JsonObject());
            return r;
        }
        var layers = new JsonArray();
        foreach (var l in g.Layers)
        {
            var inbound = new JsonArray();
            foreach (var node in calls.NodesOf(l).Where(n => !n.IsInput))
            {
                var inputs = new JsonArray();
                foreach (var t in node.Inputs) inputs.Add((JsonNode)Ref(t, withKwargs: true));
                inbound.Add((JsonNode)inputs);
            }
            var entry = ModelConfigWriter.Entry(l);
            entry["name"] = l.Name;
            entry["inbound_nodes"] = inbound;
            layers.Add((JsonNode)entry);
        }
        return new JsonObject
        {
            ["name"] = model.Name,
            ["layers"] = layers,
            ["input_layers"] = new JsonArray(g.Inputs.Select(t => (JsonNode)Ref(t, withKwargs: false)).ToArray()),
            ["output_layers"] = new JsonArray(g.Outputs.Select(t => (JsonNode)Ref(t, withKwargs: false)).ToArray()),
        };
    }

    /// <summary>Keras 3's <c>serialize_keras_object(functional)</c>.</summary>
    public static JsonObject Keras3Functional(Model model)
    {
        var g = GraphOf(model);
        var calls = new CallIndex(g);
        // The JsonArray constructor, not a collection expression: that would call JsonArray.Add<T>, which NativeAOT refuses.
        JsonArray End(KerasTensor t) =>
            new(t.Layer.Name, calls.Position(t) + (t.Layer is Model and not Sequential ? 1 : 0), t.Index);
        var layers = new JsonArray();
        foreach (var l in g.Layers)
        {
            JsonObject entry;
            var inbound = new JsonArray();
            if (l is InputLayer input) entry = ModelConfigWriter.Keras3Input(input);
            else
            {
                entry = ModelConfigWriter.Keras3Entry(l, l.InputShape!);
                // (A recurrent layer builds from its sequence's shape alone; its initial states are call arguments.)
                if (l is not Model and not RnnLayer and not Bidirectional && l.InputShapes!.Count > 1)
                    entry["build_config"] = new JsonObject { ["input_shape"] = new JsonArray(l.InputShapes.Select(s => (JsonNode)Layer.BatchShapeJson(s)).ToArray()) };
                foreach (var node in calls.NodesOf(l))
                {
                    // A recurrent layer's initial states are Keras 3's keyword argument initial_state.
                    if (l is RnnLayer or Bidirectional && node.Inputs.Length > 1)
                    {
                        inbound.Add((JsonNode)new JsonObject
                        {
                            ["args"] = new JsonArray(Keras3Tensor(node.Inputs[0], calls)),
                            ["kwargs"] = new JsonObject { ["initial_state"] = new JsonArray(node.Inputs.Skip(1).Select(t => (JsonNode)Keras3Tensor(t, calls)).ToArray()) },
                        });
                        continue;
                    }
                    // A call on one tensor passes it; a call on several passes them as one list argument.
                    JsonNode arg = node.Inputs.Length == 1 ? Keras3Tensor(node.Inputs[0], calls)
                        : new JsonArray(node.Inputs.Select(t => (JsonNode)Keras3Tensor(t, calls)).ToArray());
                    inbound.Add((JsonNode)new JsonObject { ["args"] = new JsonArray(arg), ["kwargs"] = new JsonObject() });
                }
            }
            entry["name"] = l.Name;
            entry["inbound_nodes"] = inbound;
            layers.Add((JsonNode)entry);
        }
        return new JsonObject
        {
            ["module"] = "keras.src.models.functional",
            ["class_name"] = "Functional",
            ["config"] = new JsonObject
            {
                ["name"] = model.Name,
                ["trainable"] = model.Trainable,
                ["layers"] = layers,
                ["input_layers"] = new JsonArray(g.Inputs.Select(t => (JsonNode)End(t)).ToArray()),
                ["output_layers"] = new JsonArray(g.Outputs.Select(t => (JsonNode)End(t)).ToArray()),
            },
            ["registered_name"] = "Functional",
            ["build_config"] = new JsonObject { ["input_shape"] = null },
        };
    }

    private static JsonObject Keras3Tensor(KerasTensor t, CallIndex calls) => new()
    {
        ["class_name"] = "__keras_tensor__",
        ["config"] = new JsonObject
        {
            ["shape"] = Layer.BatchShapeJson(t.Shape),
            ["dtype"] = "float32",
            ["keras_history"] = new JsonArray(t.Layer.Name, calls.Position(t), t.Index),
        },
    };
}
