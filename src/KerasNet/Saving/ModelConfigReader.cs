#nullable enable
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Saving;

/// <summary>
/// Builds a <see cref="Model"/> from a Keras model config: Sequential configs of Keras 1.x and 2.x (<c>config</c> a
/// list or a dict, the input shape on the first layer, on an InputLayer or in <c>build_input_shape</c>) and Keras 3
/// (module/registered_name wrappers, DTypePolicy objects, <c>batch_shape</c>, <c>build_config</c>), and graph models
/// (<c>Functional</c>, <c>Model</c>) through <see cref="FunctionalConfigReader"/>. Either kind may contain the other.
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
    /// Creates the model described by a to_json()/model_config object. Every weight a layer creates is counted
    /// before it is allocated and refused above <paramref name="maxParams"/> (for a model file: what the file can
    /// hold; see <see cref="WeightBudget"/>), so a corrupt config cannot make us allocate gigabytes; then the model's
    /// weights and one sample's activations are checked against <see cref="KerasLimits.MaxModelBytes"/> (<see cref="MemoryBudget"/>).
    /// <paramref name="kerasVersion"/> is the file's keras_version (an h5 attribute, a .keras archive's metadata); when
    /// null, the config's own (see <see cref="ConfigVersion.Of"/>).
    /// </summary>
    public static Model Read(JsonObject root, string source, long? maxParams = null, string? kerasVersion = null)
    {
        // A field of the wrong JSON kind (a number where a name belongs) surfaces from System.Text.Json as these.
        try
        {
            Model model;
            using (ConfigVersion.Begin(kerasVersion ?? ConfigVersion.Of(root)))
            using (WeightBudget.Begin(maxParams ?? MaxParams, source)) model = ReadModel(root, source);
            // Weights and one sample's activations against KerasLimits.MaxModelBytes, before any weight is read.
            MemoryBudget.Check(model, source);
            return model;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            throw new ModelConfigException($"{source}: malformed model config ({e.Message}).", e);
        }
    }

    /// <summary>Whether a class name is one of the model classes this reader builds itself.</summary>
    public static bool IsModelClass(string className) => className is "Sequential" or "Functional" or "Model";

    /// <summary>A <c>{"class_name", "config"}</c> model entry: the whole config, or a model nested in another.</summary>
    public static Model ReadModel(JsonObject entry, string source)
    {
        string cls = ClassNameOf(entry, source, "model");
        var model = cls switch
        {
            "Sequential" => ReadSequential(entry, source),
            "Functional" or "Model" => FunctionalConfigReader.Read(entry, cls, source),
            _ => throw new ModelConfigException($"{source}: model class '{cls}' is not supported; Sequential, Functional and Model configs can be loaded."),
        };
        // Keras 3 configs record the model's own trainable flag; false freezes every layer inside, as Keras sets it.
        if ((entry["config"] as JsonObject)?["trainable"] is JsonValue t && t.GetValueKind() == JsonValueKind.False) model.Trainable = false;
        return model;
    }

    /// <summary>
    /// The layer of one entry of a model's <c>layers</c> list: a nested model, or a layer from the registry with its
    /// trainable flag.
    /// </summary>
    public static Layer CreateLayer(JsonObject entry, string className, int index, string source)
    {
        if (IsModelClass(className)) return ReadModel(entry, source);
        var reader = Reader(entry, className, index, source);
        var layer = LayerRegistry.Create(reader);
        layer.Trainable = reader.Bool(true, "trainable");
        return layer;
    }

    /// <summary>The config reader of a layer entry (which must have a 'config' object).</summary>
    public static LayerConfigReader Reader(JsonObject entry, string className, int index, string source) =>
        new(entry["config"] as JsonObject ?? throw new ModelConfigException($"{source}: layer {index} ({className}) is missing its 'config' object."),
            className, source);

    /// <summary>An InputLayer from its config (Keras 2's batch_input_shape, Keras 3's batch_shape).</summary>
    public static InputLayer NewInputLayer(LayerConfigReader reader)
    {
        var shape = reader.BatchShape("batch_input_shape", "batch_shape") ?? throw reader.Error("missing field 'batch_input_shape' (or 'batch_shape').");
        CheckInputShape(reader.Name ?? "?", shape, reader.Source);
        try { return new InputLayer(shape, name: reader.Name); }
        catch (KerasNetException e) { throw reader.Error(e.Message); }
    }

    private static Sequential ReadSequential(JsonObject root, string source)
    {
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
        bool keras3Input = false;
        for (int i = 0; i < layers.Count; i++)
        {
            if (layers[i] is not JsonObject entry) throw new ModelConfigException($"{source}: layer {i} of the model config is not an object.");
            string lcls = ClassNameOf(entry, source, $"layer {i}");
            if (lcls == "InputLayer")
            {
                var reader = Reader(entry, lcls, i, source);
                var input = NewInputLayer(reader);
                try { model.Add(input); }
                catch (KerasNetException e) { throw reader.Error(e.Message); } // an InputLayer after the first layer
                model.HasConfigInputLayer = true;
                keras3Input = reader.Has("batch_shape");
                continue;
            }
            AddLayer(model, entry, lcls, i, source, keras3Input);
        }
        if (model.InputLayer == null) BuildDeferred(model, buildShape, source);
        return model;
    }

    private static void AddLayer(Sequential model, JsonObject entry, string lcls, int index, string source, bool keras3Input)
    {
        var layer = CreateLayer(entry, lcls, index, source);
        if (layer is not Model && model.Layers.Count == 0)
        {
            var reader = Reader(entry, lcls, index, source);
            // tf.keras writes an Embedding's batch_input_shape as [null, null] when it has no input_length: an
            // unknown length gives no input shape here (the InputLayer or build_input_shape does).
            var inputShape = (reader.HasUnknownDims("batch_input_shape", "batch_shape") ? null : reader.BatchShape("batch_input_shape", "batch_shape"))
                ?? Keras1InputShape(layer, reader);
            if (inputShape != null) layer.InputShapeArgument = inputShape;
            // tf.keras names the InputLayer "<first>_input" when the first layer was given input_shape; Keras 3
            // configs (our .keras files) drop that argument, so restore it and to_json stays the same after a round trip.
            // (A tf.keras config with such an InputLayer but no batch_input_shape is a Sequential built by a call.)
            if (keras3Input && model.InputLayer is { } input && input.Name == layer.Name + "_input")
                layer.InputShapeArgument ??= input.InputShapeArgument;
        }
        var shape = model.Layers.Count == 0 ? model.InputShape ?? layer.InputShapeArgument : model.Layers[^1].OutputShape;
        if (shape != null) CheckInputShape(layer.Name, shape, source);
        WeightBudget.Building(layer);
        try { model.Add(layer); }
        catch (KerasNetException e) when (e is not ModelConfigException)
        {
            throw new ModelConfigException($"{source}: cannot add layer '{layer.Name}' ({lcls}): {e.Message}", e);
        }
        if (layer.OutputShape is { } built) CheckOutput(layer, built, source);
    }

    /// <summary>
    /// The input shape a Keras 1 first layer declared with its own arguments instead of batch_input_shape, as Keras 1's
    /// constructors turned them into input_shape: a recurrent layer's (or Convolution1D's) input_length T and
    /// input_dim F give (T, F); a Dense's input_dim gives (F,). An Embedding's input_dim is its vocabulary, and its
    /// input_length (T,) is read by Embedding.FromConfig. A sequence without input_length has an unknown length,
    /// which KerasNet's fixed per-sample shapes cannot hold: refused here, naming the layer.
    /// </summary>
    private static int[]? Keras1InputShape(Layer layer, LayerConfigReader reader)
    {
        if (layer is Embedding || reader.OptionalInt("input_dim") is not int dim) return null;
        if (layer is not (RnnLayer or Conv1D)) return [dim];
        return reader.OptionalInt("input_length") is int length ? [length, dim]
            : throw reader.Error($"input_dim {dim} without input_length is a sequence of unknown length, which KerasNet's recurrent and " +
                "1D layers do not support (every dimension but the batch must be known): give input_length or batch_input_shape.");
    }

    // A Sequential without an input layer (built in Keras with model.build(shape)): its layers are built here one by
    // one, each checked before its weights are created, then the model is built for the recorded shape.
    private static void BuildDeferred(Sequential model, int[]? buildShape, string source)
    {
        if (model.Layers.Count == 0) return; // an empty model, as Keras allows
        if (buildShape == null)
            throw new ModelConfigException($"{source}: the model config gives no input shape (no InputLayer, batch_input_shape or build_input_shape).");
        var shape = buildShape;
        try
        {
            foreach (var layer in model.Layers)
            {
                CheckInputShape(layer.Name, shape, source);
                WeightBudget.Building(layer);
                if (!layer.Built) layer.Build(shape);
                var outputShape = layer.OutputShape ?? layer.ComputeOutputShape(shape);
                CheckOutput(layer, outputShape, source);
                shape = outputShape;
            }
            model.Build(buildShape);
        }
        catch (KerasNetException e) when (e is not ModelConfigException)
        {
            throw new ModelConfigException($"{source}: cannot build the model for input {Engine.ShapeUtil.FormatWithNone(buildShape)}: {e.Message}", e);
        }
    }

    /// <summary>Refuses an output with an empty dimension (a window or kernel larger than its input).</summary>
    public static void CheckOutput(Layer layer, int[] shape, string source)
    {
        if (!AllIn(shape, int.MaxValue))
            throw new ModelConfigException($"{source}: layer '{layer.Name}' would output {Engine.ShapeUtil.FormatWithNone(shape)}, which is empty: its window or kernel is larger than its input.");
    }

    /// <summary>Refuses an input shape with an empty or absurd dimension, or more values per sample than the weight limit.</summary>
    public static void CheckInputShape(string layer, int[] shape, string source)
    {
        if (!AllIn(shape, 1 << 24) || Product(shape) > MaxParams)
            throw new ModelConfigException($"{source}: layer '{layer}' would receive input {Engine.ShapeUtil.FormatWithNone(shape)}, which has an empty or absurd dimension.");
    }

    // Loops rather than LINQ over int: LINQ's generic code for a value type is not in the ReadyToRun image and was
    // JIT-compiled at every model load (issue 17, start-up).
    private static bool AllIn(int[] shape, int max)
    {
        foreach (int d in shape)
            if (d <= 0 || d > max) return false;
        return true;
    }

    // The product of the dimensions, each counted as at least 1, wrapping as the LINQ Aggregate it replaces did.
    private static long Product(int[] shape)
    {
        long p = 1;
        foreach (int d in shape) p *= Math.Max(d, 1);
        return p;
    }

    /// <summary>The class_name of an entry, or an error naming <paramref name="what"/>.</summary>
    public static string ClassNameOf(JsonObject o, string source, string what) =>
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
