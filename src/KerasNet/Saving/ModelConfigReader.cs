#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// Builds a <see cref="Sequential"/> from a Keras model config: Keras 1.x and 2.x (<c>config</c> a list or a dict,
/// the input shape on the first layer, on an InputLayer or in <c>build_input_shape</c>) and Keras 3
/// (module/registered_name wrappers, DTypePolicy objects, <c>batch_shape</c>, <c>build_config</c>).
/// </summary>
internal static class ModelConfigReader
{
    /// <summary>Parses JSON text, naming <paramref name="source"/> in errors.</summary>
    public static JsonObject ParseObject(string json, string source)
    {
        JsonNode? node;
        // Duplicate keys would otherwise surface later, from JsonObject's first lookup, as an ArgumentException.
        try { node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = 256, AllowDuplicateProperties = false }); }
        catch (JsonException e) { throw new ModelConfigException($"{source}: invalid JSON ({e.Message}).", e); }
        return node as JsonObject ?? throw new ModelConfigException($"{source}: expected a JSON object, got {node?.GetValueKind().ToString() ?? "null"}.");
    }

    /// <summary>The default of <see cref="KerasLimits.MaxParams"/>: 2^29 floats, 2 GB.</summary>
    public const long DefaultMaxParams = KerasLimits.DefaultMaxParams;

    /// <summary>The most weights a config alone may declare (ModelFromJson): the current context's limit.</summary>
    private static long MaxParams => KerasContext.Current.Limits.MaxParams;

    /// <summary>
    /// Creates the model described by a to_json()/model_config object. The weights each layer would allocate are
    /// counted before it is built and refused above <paramref name="maxParams"/> (for a model file: what the file
    /// can hold; by default <see cref="KerasLimits.MaxParams"/>), so a corrupt config cannot make us allocate gigabytes.
    /// </summary>
    public static Sequential Read(JsonObject root, string source, long? maxParams = null)
    {
        // A field of the wrong JSON kind (a number where a name belongs) surfaces from System.Text.Json as these.
        try { return ReadCore(root, source, maxParams ?? MaxParams); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            throw new ModelConfigException($"{source}: malformed model config ({e.Message}).", e);
        }
    }

    private static Sequential ReadCore(JsonObject root, string source, long maxParams)
    {
        string cls = ClassNameOf(root, source, "model");
        if (cls != "Sequential")
            throw new ModelConfigException($"{source}: model class '{cls}' is not supported; only Sequential models can be loaded.");
        var config = root["config"] ?? throw new ModelConfigException($"{source}: missing field 'config' of the model.");
        string? name = null;
        JsonArray layers;
        int[]? buildShape = null;
        switch (config)
        {
            case JsonArray list: layers = list; break; // Keras 1 and Keras <= 2.2.2
            case JsonObject dict:
                name = dict["name"]?.GetValue<string>();
                layers = dict["layers"] as JsonArray ?? throw new ModelConfigException($"{source}: missing field 'layers' in the model config.");
                buildShape = ShapeField(dict["build_input_shape"], source)
                    ?? ShapeField((root["build_config"] as JsonObject)?["input_shape"], source);
                break;
            default: throw new ModelConfigException($"{source}: the model's 'config' should be a list or an object.");
        }
        var model = new Sequential(name ?? KerasBackend.UniqueName("sequential"));
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is not JsonObject entry) throw new ModelConfigException($"{source}: layer {i} of the model config is not an object.");
            string lcls = ClassNameOf(entry, source, $"layer {i}");
            var cfg = entry["config"] as JsonObject ?? throw new ModelConfigException($"{source}: layer {i} ({lcls}) is missing its 'config' object.");
            var reader = new LayerConfigReader(cfg, lcls, source);
            if (lcls == "InputLayer")
            {
                var shape = reader.BatchShape("batch_input_shape", "batch_shape") ?? throw reader.Error("missing field 'batch_input_shape' (or 'batch_shape').");
                try { model.Add(new InputLayer(shape, name: reader.Name)); }
                catch (KerasNetException e) { throw reader.Error(e.Message); } // an InputLayer after the first layer
                model.HasConfigInputLayer = true;
                continue;
            }
            var layer = LayerRegistry.Create(reader);
            layer.Trainable = reader.Bool(true, "trainable");
            // Keras 1 also allowed input_dim on the first Dense; input_shape only lives in batch_input_shape here.
            var inputShape = reader.BatchShape("batch_input_shape", "batch_shape")
                ?? (reader.OptionalInt("input_dim") is int dim ? [dim] : null);
            if (inputShape != null && model.Layers.Count == 0) layer.InputShapeArgument = inputShape;
            // tf.keras names the InputLayer "<first>_input" only when the first layer was given input_shape; Keras 3
            // configs (our .keras files) drop that argument, so restore it and to_json stays the same after a round trip.
            if (model.Layers.Count == 0 && model.InputLayer is { } input && input.Name == layer.Name + "_input")
                layer.InputShapeArgument ??= input.InputShapeArgument;
            CheckBudget(layer, model.Layers.Count == 0 ? model.InputShape ?? layer.InputShapeArgument : model.Layers[^1].OutputShape, ref maxParams, source);
            try { model.Add(layer); }
            catch (KerasNetException e) { throw new ModelConfigException($"{source}: cannot add layer '{layer.Name}' ({lcls}): {e.Message}", e); }
            if (layer.OutputShape is { } built) CheckOutput(layer, built, source);
        }
        if (model.InputLayer == null)
        {
            if (buildShape == null)
                throw new ModelConfigException($"{source}: the model config gives no input shape (no InputLayer, batch_input_shape or build_input_shape).");
            var shape = buildShape;
            foreach (var layer in model.Layers)
            {
                CheckBudget(layer, shape, ref maxParams, source);
                shape = layer.ComputeOutputShape(shape);
                CheckOutput(layer, shape, source);
            }
            try { model.Build(buildShape); }
            catch (KerasNetException e) { throw new ModelConfigException($"{source}: cannot build the model for input {Engine.ShapeUtil.FormatWithNone(buildShape)}: {e.Message}", e); }
        }
        return model;
    }

    private static void CheckOutput(Layer layer, int[] shape, string source)
    {
        if (shape.Any(d => d <= 0))
            throw new ModelConfigException($"{source}: layer '{layer.Name}' would output {Engine.ShapeUtil.FormatWithNone(shape)}, which is empty: its window or kernel is larger than its input.");
    }

    private static void CheckBudget(Layer layer, int[]? shape, ref long budget, string source)
    {
        if (shape == null) return;
        if (shape.Any(d => d <= 0 || d > 1 << 24))
            throw new ModelConfigException($"{source}: layer '{layer.Name}' would receive input {Engine.ShapeUtil.FormatWithNone(shape)}, which has an empty or absurd dimension.");
        long activations = shape.Aggregate(1L, (a, d) => a * d);
        long inner = shape[^1], cin = shape.Length == 3 && layer is Conv2D { DataFormat: "channels_first" } ? shape[0] : inner;
        long weights = layer switch
        {
            Conv2D c => (long)c.KernelSize.Height * c.KernelSize.Width * cin * c.Filters + c.Filters,
            Dense d => inner * d.Units + d.Units,
            _ => 0,
        };
        if (activations > MaxParams || weights > budget)
            throw new ModelConfigException($"{source}: layer '{layer.Name}' declares {weights} weights for input {Engine.ShapeUtil.FormatWithNone(shape)}, more than the file or the {MaxParams}-weight limit allows: the config is corrupt.");
        budget -= weights;
    }

    private static string ClassNameOf(JsonObject o, string source, string what) =>
        o["class_name"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>()
            : throw new ModelConfigException($"{source}: missing field 'class_name' of the {what}.");

    private static int[]? ShapeField(JsonNode? n, string source)
    {
        if (n is not JsonArray a || a.Count < 2) return null;
        try { return a.Skip(1).Select(d => d!.GetValue<int>()).ToArray(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new ModelConfigException($"{source}: bad build input shape {a.ToJsonString()}.", e);
        }
    }
}
