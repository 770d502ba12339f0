#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// Writes a model's config as tf.keras 2.4 does (<c>to_json()</c> and the h5 <c>model_config</c>), and in Keras 3's
/// serialization format for <c>config.json</c> inside a <c>.keras</c> archive. Sequential configs are written here;
/// graph models (and their nested models) by <see cref="FunctionalConfigWriter"/>.
/// </summary>
internal static class ModelConfigWriter
{
    public const string KerasVersion = "2.4.0";
    public const string Keras3Version = "3.11.3";

    /// <summary>tf.keras 2.4's <c>{"class_name": ..., "config": model.get_config()}</c>.</summary>
    public static JsonObject Keras2(Model model) => new() { ["class_name"] = model.ClassName, ["config"] = Config(model) };

    /// <summary>
    /// tf.keras 2.4's <c>model.get_config()</c>: a Sequential's layer list, or a graph model's network config.
    /// <paramref name="nested"/>: the model is a layer of another model (see <see cref="SequentialConfig"/>).
    /// </summary>
    public static JsonObject Config(Model model, bool nested = false) =>
        model is Sequential s ? SequentialConfig(s, nested) : FunctionalConfigWriter.NetworkConfig(model);

    /// <summary>
    /// A Sequential's config. A model whose input came from an <c>input_shape</c>, an InputLayer or a model added
    /// first is a graph network and lists the InputLayer first; one built with <c>Build(shape)</c> lists only its
    /// layers and records <c>build_input_shape</c>, as tf.keras 2.4 does. A built Sequential nested in another model
    /// is always written as a graph network (as tf.keras builds one when a model calls it): its calls in the outer
    /// config are then numbered from 1 by every Keras version and by tfjs, where a deferred one's are not.
    /// </summary>
    private static JsonObject SequentialConfig(Sequential model, bool nested)
    {
        var layers = new JsonArray();
        bool graph = IsGraphNetwork(model) || (nested && model.InputLayer != null);
        if (graph) layers.Add((JsonNode)Entry(model.InputLayer!));
        foreach (var l in model.Layers) layers.Add((JsonNode)Entry(l));
        var config = new JsonObject { ["name"] = model.Name, ["layers"] = layers };
        if (!graph && model.InputShape != null) config["build_input_shape"] = Layer.BatchShapeJson(model.InputShape);
        return config;
    }

    /// <summary><see cref="Keras2"/> plus keras_version and backend: exactly what <c>model.to_json()</c> returns.</summary>
    public static JsonObject ToJson(Model model)
    {
        var o = Keras2(model);
        o["keras_version"] = KerasVersion;
        o["backend"] = "tensorflow";
        return o;
    }

    /// <summary>Whether tf.keras 2.4 would hold this Sequential as a graph network (its layers start with an InputLayer).</summary>
    internal static bool IsGraphNetwork(Sequential model)
    {
        if (model.InputLayer == null) return false;
        if (model.Layers.Count == 0 || model.HasConfigInputLayer) return true;
        var first = model.Layers[0];
        // Sequential.add(model) puts an Input in front of a model added first (get_input_shape_and_dtype).
        if (first is Model) return true;
        // Sequential.Build names its implicit input "<first>_input"; an explicit InputLayer or input_shape makes a graph network.
        return first.InputShapeArgument != null || model.InputLayer.Name != first.Name + "_input";
    }

    /// <summary>A layer's <c>{"class_name", "config"}</c> (a nested model's config is its whole get_config()).</summary>
    internal static JsonObject Entry(Layer l) => new() { ["class_name"] = l.ClassName, ["config"] = l is Model m ? Config(m, nested: true) : l.GetConfig() };

    /// <summary>Keras 3's <c>serialize_keras_object(model)</c> for <c>config.json</c>.</summary>
    public static JsonObject Keras3(Model model, JsonObject? compileConfig)
    {
        var o = model is Sequential s ? Keras3Sequential(s) : FunctionalConfigWriter.Keras3Functional(model);
        if (compileConfig != null) o["compile_config"] = compileConfig;
        return o;
    }

    /// <summary>One layer of a Keras 3 model config: a nested model's serialization, or the layer's.</summary>
    internal static JsonObject Keras3Entry(Layer l, int[] inputShape) => l is Model m ? Keras3(m, null) : Keras3Layer(l, inputShape);

    private static JsonObject Keras3Sequential(Sequential model)
    {
        if (model.InputLayer == null) throw new KerasNetException($"Model '{model.Name}' has no input shape yet: build it before saving.");
        var layers = new JsonArray(Keras3Input(model.InputLayer));
        var shape = model.InputShape!;
        foreach (var l in model.Layers)
        {
            layers.Add((JsonNode)Keras3Entry(l, shape));
            shape = l.OutputShape ?? shape;
        }
        var o = new JsonObject
        {
            ["module"] = "keras",
            ["class_name"] = "Sequential",
            ["config"] = new JsonObject { ["name"] = model.Name, ["trainable"] = true, ["dtype"] = DTypePolicy(), ["layers"] = layers },
            ["registered_name"] = null,
            ["build_config"] = new JsonObject { ["input_shape"] = Layer.BatchShapeJson(model.InputShape!) },
        };
        return o;
    }

    /// <summary>Keras 3's InputLayer serialization (batch_shape instead of batch_input_shape).</summary>
    internal static JsonObject Keras3Input(InputLayer input) => new()
    {
        ["module"] = "keras.layers",
        ["class_name"] = "InputLayer",
        ["config"] = new JsonObject
        {
            ["batch_shape"] = Layer.BatchShapeJson(input.InputShapeArgument!),
            ["dtype"] = "float32",
            ["sparse"] = false,
            ["ragged"] = false,
            ["name"] = input.Name,
        },
        ["registered_name"] = null,
    };

    private static JsonObject Keras3Layer(Layer l, int[] inputShape)
    {
        var c = l is IKeras3Config own ? own.GetKeras3Config() : l.GetConfig();
        var k3 = new JsonObject();
        foreach (var (key, value) in c.ToList())
        {
            c.Remove(key);
            switch (key)
            {
                case "batch_input_shape": break; // the InputLayer carries it in Keras 3
                case "dtype":
                    k3["dtype"] = DTypePolicy();
                    // Keras 3's base Layer writes a set activity_regularizer right after dtype (and Dense omits it when unset).
                    if (l is KernelLayer { ActivityRegularizer: { } activity }) k3["activity_regularizer"] = activity.ToKeras3Json();
                    break;
                case "activity_regularizer" when l is Dense || l is KernelLayer { ActivityRegularizer: not null }: break;
                case var field when l is KernelLayer kl && KernelLayer.IsWeightField(field):
                    k3[key] = kl.WeightField(field)?.ToKeras3Json();
                    break;
                case var field when l is IWeightObjects wo && wo.IsWeightObjectField(field):
                    k3[key] = wo.WeightObject(field)?.ToKeras3Json();
                    break;
                case "layer" when l is Wrapper w: // the wrapped layer, serialized as Keras 3 serializes any layer
                    k3[key] = Keras3Entry(w.Layer, w.InnerInputShape ?? inputShape);
                    break;
                // activation, recurrent_activation, ...: Keras 3's names (its hard_sigmoid differs from tf.keras 2's).
                case var field when field.EndsWith("activation", StringComparison.Ordinal) && value is JsonValue name
                    && name.GetValueKind() == System.Text.Json.JsonValueKind.String:
                    k3[key] = Activations.Keras3Name(Activations.Parse(name.GetValue<string>()), $"layer '{l.Name}' ({l.ClassName}), field '{field}'");
                    break;
                default: k3[key] = value; break;
            }
        }
        if (l is IKeras3Config rewrite) rewrite.ToKeras3(k3);
        return new JsonObject
        {
            ["module"] = "keras.layers",
            ["class_name"] = l.ClassName,
            ["config"] = k3,
            ["registered_name"] = null,
            ["build_config"] = new JsonObject { ["input_shape"] = Layer.BatchShapeJson(inputShape) },
        };
    }

    internal static JsonObject DTypePolicy() => new()
    {
        ["module"] = "keras",
        ["class_name"] = "DTypePolicy",
        ["config"] = new JsonObject { ["name"] = "float32" },
        ["registered_name"] = null,
    };
}
