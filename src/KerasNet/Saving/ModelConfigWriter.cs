#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// Writes a <see cref="Sequential"/>'s config as tf.keras 2.4 does (<c>to_json()</c> and the h5 <c>model_config</c>),
/// and in Keras 3's serialization format for <c>config.json</c> inside a <c>.keras</c> archive.
/// </summary>
internal static class ModelConfigWriter
{
    public const string KerasVersion = "2.4.0";
    public const string Keras3Version = "3.11.3";

    /// <summary>
    /// tf.keras 2.4's <c>{"class_name": "Sequential", "config": {...}}</c>. A model whose input came from an
    /// <c>input_shape</c> or an InputLayer is a graph network and lists the InputLayer first; one built with
    /// <c>Build(shape)</c> lists only its layers and records <c>build_input_shape</c>, as tf.keras 2.4 does.
    /// </summary>
    public static JsonObject Keras2(Sequential model)
    {
        var layers = new JsonArray();
        bool graph = IsGraphNetwork(model);
        if (graph) layers.Add(Entry(model.InputLayer!));
        foreach (var l in model.Layers) layers.Add(Entry(l));
        var config = new JsonObject { ["name"] = model.Name, ["layers"] = layers };
        if (!graph && model.InputShape != null) config["build_input_shape"] = Layer.BatchShapeJson(model.InputShape);
        return new JsonObject { ["class_name"] = "Sequential", ["config"] = config };
    }

    /// <summary><see cref="Keras2"/> plus keras_version and backend: exactly what <c>model.to_json()</c> returns.</summary>
    public static JsonObject ToJson(Sequential model)
    {
        var o = Keras2(model);
        o["keras_version"] = KerasVersion;
        o["backend"] = "tensorflow";
        return o;
    }

    private static bool IsGraphNetwork(Sequential model)
    {
        if (model.InputLayer == null) return false;
        if (model.Layers.Count == 0 || model.HasConfigInputLayer) return true;
        var first = model.Layers[0];
        // Sequential.Build names its implicit input "<first>_input"; an explicit InputLayer or input_shape makes a graph network.
        return first.InputShapeArgument != null || model.InputLayer.Name != first.Name + "_input";
    }

    private static JsonObject Entry(Layer l) => new() { ["class_name"] = l.ClassName, ["config"] = l.GetConfig() };

    /// <summary>Keras 3's <c>serialize_keras_object(model)</c> for <c>config.json</c>.</summary>
    public static JsonObject Keras3(Sequential model, JsonObject? compileConfig)
    {
        if (model.InputLayer == null) throw new KerasNetException($"Model '{model.Name}' has no input shape yet: build it before saving.");
        var layers = new JsonArray { Keras3Input(model.InputLayer) };
        var shape = model.InputShape!;
        foreach (var l in model.Layers)
        {
            layers.Add(Keras3Layer(l, shape));
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
        if (compileConfig != null) o["compile_config"] = compileConfig;
        return o;
    }

    private static JsonObject Keras3Input(InputLayer input) => new()
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
        var c = l.GetConfig();
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
                default: k3[key] = value; break;
            }
        }
        return new JsonObject
        {
            ["module"] = "keras.layers",
            ["class_name"] = l.ClassName,
            ["config"] = k3,
            ["registered_name"] = null,
            ["build_config"] = new JsonObject { ["input_shape"] = Layer.BatchShapeJson(inputShape) },
        };
    }

    private static JsonObject DTypePolicy() => new()
    {
        ["module"] = "keras",
        ["class_name"] = "DTypePolicy",
        ["config"] = new JsonObject { ["name"] = "float32" },
        ["registered_name"] = null,
    };
}
