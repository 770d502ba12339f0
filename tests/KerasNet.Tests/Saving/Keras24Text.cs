#nullable enable
namespace KerasNet.Tests.Saving;

/// <summary>
/// Pieces of tf.keras 2.4 to_json() text, written from Keras's get_network_config / get_config (key order and
/// json.dumps spacing as Keras writes them), for comparing KerasNet's output byte for byte.
/// </summary>
internal static class Keras24Text
{
    private const string Init = "\"kernel_initializer\": {\"class_name\": \"GlorotUniform\", \"config\": {\"seed\": null}}, \"bias_initializer\": {\"class_name\": \"Zeros\", \"config\": {}}, \"kernel_regularizer\": null, \"bias_regularizer\": null, \"activity_regularizer\": null, \"kernel_constraint\": null, \"bias_constraint\": null";

    private static string Shape(int[] dims) => "[null, " + string.Join(", ", dims) + "]";

    /// <summary>An InputLayer's config.</summary>
    public static string InputConfig(string name, params int[] dims) =>
        $"{{\"batch_input_shape\": {Shape(dims)}, \"dtype\": \"float32\", \"sparse\": false, \"ragged\": false, \"name\": \"{name}\"}}";

    /// <summary>A Dense config; <paramref name="inputDim"/> adds the batch_input_shape of a layer given input_shape.</summary>
    public static string DenseConfig(string name, int units, string activation, int? inputDim = null) =>
        $"{{\"name\": \"{name}\", \"trainable\": true, {(inputDim is int d ? $"\"batch_input_shape\": [null, {d}], " : "")}\"dtype\": \"float32\", \"units\": {units}, \"activation\": \"{activation}\", \"use_bias\": true, {Init}}}";

    /// <summary>A Conv2D config (strides 1, valid, channels_last).</summary>
    public static string ConvConfig(string name, int filters, int k, string activation) =>
        $"{{\"name\": \"{name}\", \"trainable\": true, \"dtype\": \"float32\", \"filters\": {filters}, \"kernel_size\": [{k}, {k}], \"strides\": [1, 1], \"padding\": \"valid\", \"data_format\": \"channels_last\", \"dilation_rate\": [1, 1], \"groups\": 1, \"activation\": \"{activation}\", \"use_bias\": true, {Init}}}";

    /// <summary>A config with only the base Layer fields plus <paramref name="extra"/> (", \"rate\": 0.2").</summary>
    public static string BaseConfig(string name, string extra) => $"{{\"name\": \"{name}\", \"trainable\": true, \"dtype\": \"float32\"{extra}}}";

    /// <summary>A Functional model's layer entry: class_name, config, name, inbound_nodes.</summary>
    public static string Node(string className, string config, string name, string inbound) =>
        $"{{\"class_name\": \"{className}\", \"config\": {config}, \"name\": \"{name}\", \"inbound_nodes\": {inbound}}}";

    /// <summary>A Sequential's layer entry: class_name and config only.</summary>
    public static string Plain(string className, string config) => $"{{\"class_name\": \"{className}\", \"config\": {config}}}";

    /// <summary>One call on one tensor: [[["layer", node, 0, {}]]].</summary>
    public static string Call(string layer, int node = 0) => $"[[[\"{layer}\", {node}, 0, {{}}]]]";

    /// <summary>A Functional config: {"name", "layers", "input_layers", "output_layers"}.</summary>
    public static string Functional(string name, string inputs, string outputs, params string[] layers) =>
        $"{{\"name\": \"{name}\", \"layers\": [{string.Join(", ", layers)}], \"input_layers\": {inputs}, \"output_layers\": {outputs}}}";

    /// <summary>The whole to_json() text of a model.</summary>
    public static string ToJson(string className, string config) =>
        $"{{\"class_name\": \"{className}\", \"config\": {config}, \"keras_version\": \"2.4.0\", \"backend\": \"tensorflow\"}}";

    /// <summary><see cref="GraphModels.TwoTowers"/> as tf.keras 2.4 writes it (layers by depth, then first visit).</summary>
    public static string TwoTowers() => ToJson("Functional", Functional("two_towers",
        "[[\"img\", 0, 0], [\"vec\", 0, 0]]", "[[\"out_a\", 0, 0], [\"out_b\", 0, 0]]",
        Node("InputLayer", InputConfig("img", 6, 6, 1), "img", "[]"),
        Node("Conv2D", ConvConfig("conv", 2, 3, "linear"), "conv", Call("img")),
        Node("Activation", BaseConfig("act", ", \"activation\": \"relu\""), "act", Call("conv")),
        Node("Flatten", BaseConfig("flat", ", \"data_format\": \"channels_last\""), "flat", Call("act")),
        Node("Dropout", BaseConfig("drop", ", \"rate\": 0.2, \"noise_shape\": null, \"seed\": null"), "drop", Call("flat")),
        Node("Dense", DenseConfig("proj", 6, "tanh"), "proj", Call("drop")),
        Node("InputLayer", InputConfig("vec", 6), "vec", "[]"),
        Node("Dense", DenseConfig("shared", 4, "relu"), "shared", "[[[\"proj\", 0, 0, {}]], [[\"vec\", 0, 0, {}]]]"),
        Node("Dense", DenseConfig("out_a", 3, "softmax"), "out_a", Call("shared")),
        Node("Dense", DenseConfig("out_b", 2, "linear"), "out_b", Call("shared", 1))));

    /// <summary><see cref="GraphModels.SequentialInFunctional"/>: the encoder's call is node 1 (_should_skip_first_node).</summary>
    public static string SequentialInFunctional() => ToJson("Functional", Functional("outer",
        "[[\"input_1\", 0, 0]]", "[[\"head\", 0, 0]]",
        Node("InputLayer", InputConfig("input_1", 3), "input_1", "[]"),
        Node("Sequential", "{\"name\": \"encoder\", \"layers\": [" + Plain("InputLayer", InputConfig("enc_dense_input", 3)) + ", "
            + Plain("Dense", DenseConfig("enc_dense", 4, "relu", inputDim: 3)) + ", " + Plain("Dense", DenseConfig("enc_out", 3, "linear")) + "]}",
            "encoder", Call("input_1")),
        Node("Dense", DenseConfig("head", 2, "linear"), "head", Call("encoder", 1))));

    /// <summary><see cref="GraphModels.FunctionalInSequential"/>: Sequential.add put an InputLayer "inner_input" first.</summary>
    public static string FunctionalInSequential() => ToJson("Sequential", "{\"name\": \"seq\", \"layers\": ["
        + Plain("InputLayer", InputConfig("inner_input", 3)) + ", "
        + Plain("Functional", Functional("inner", "[[\"inner_in\", 0, 0]]", "[[\"inner_dense\", 0, 0]]",
            Node("InputLayer", InputConfig("inner_in", 3), "inner_in", "[]"),
            Node("Dense", DenseConfig("inner_dense", 4, "relu"), "inner_dense", Call("inner_in")))) + ", "
        + Plain("Dense", DenseConfig("head", 2, "linear")) + "]}");
}
