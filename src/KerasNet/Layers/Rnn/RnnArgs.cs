#nullable enable
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// The Keras arguments every recurrent layer shares (Keras's <c>RNN</c> and its cells), gathered so the three layers
/// pass them to <see cref="RnnLayer"/> in one piece and read them from configs in one place.
/// </summary>
internal sealed record RnnArgs(
    int Units, string? Activation, string? RecurrentActivation, bool UseBias,
    Initializer? KernelInitializer, Initializer? RecurrentInitializer, Initializer? BiasInitializer,
    Regularizer? KernelRegularizer, Regularizer? RecurrentRegularizer, Regularizer? BiasRegularizer, Regularizer? ActivityRegularizer,
    Constraint? KernelConstraint, Constraint? RecurrentConstraint, Constraint? BiasConstraint,
    double Dropout, double RecurrentDropout, int Implementation,
    bool ReturnSequences, bool ReturnState, bool GoBackwards, bool Stateful, bool Unroll, bool TimeMajor,
    int? Seed, Shape? InputShape, int? BatchSize, string? Name, bool Trainable)
{
    /// <summary>
    /// Whether the config was written by Keras 1 (its <c>output_dim</c>), whose recurrent defaults differ
    /// (hard_sigmoid inner activation, masks per gate).
    /// </summary>
    public static bool IsKeras1(LayerConfigReader c) => c.Has("output_dim") && !c.Has("units");

    /// <summary>
    /// The shared fields of a config: Keras 2/3 names first, then Keras 1's (<c>output_dim</c>, <c>init</c>,
    /// <c>inner_init</c>, <c>inner_activation</c>, <c>W_/U_/b_regularizer</c>, <c>dropout_W</c>, <c>dropout_U</c>,
    /// <c>consume_less</c>). <paramref name="recurrentDefault"/> is the recurrent activation when the config has none
    /// (Keras 2.0-2.2 and Keras 1 wrote hard_sigmoid as their default; tf.keras 2.x and Keras 3 always write the field).
    /// </summary>
    public static RnnArgs Read(LayerConfigReader c, string? recurrentDefault)
    {
        bool keras1 = IsKeras1(c);
        int implementation = c.OptionalInt("implementation") ?? c.String(null, "consume_less") switch
        {
            // Keras 2.0's legacy converter: consume_less 'cpu' -> 0, 'mem' -> 1, 'gpu' -> 2.
            "cpu" => 0,
            "mem" => 1,
            "gpu" => 2,
            null => keras1 ? 0 : 2,
            var o => throw c.Error($"unknown consume_less '{o}' (expected cpu, mem or gpu)."),
        };
        if (c.Has("time_major") && c.Bool(false, "time_major"))
            throw c.Error("time_major=True is not supported: KerasNet's recurrent layers take (batch, timesteps, features) inputs.");
        var batch = c.Config["batch_input_shape"] is System.Text.Json.Nodes.JsonArray { Count: > 0 } a && a[0] is System.Text.Json.Nodes.JsonValue v
            && v.TryGetValue<int>(out int n) ? n : (int?)null;
        return new RnnArgs(
            c.Int("units", "output_dim"),
            ActivationName(c, "tanh", "activation"),
            ActivationName(c, recurrentDefault, "recurrent_activation", "inner_activation"),
            c.Bool(true, "use_bias"),
            c.Initializer("glorot_uniform", "kernel_initializer", "init"),
            c.Initializer("orthogonal", "recurrent_initializer", "inner_init"),
            c.Initializer("zeros", "bias_initializer"),
            c.Regularizer("kernel_regularizer", "W_regularizer"), c.Regularizer("recurrent_regularizer", "U_regularizer"),
            c.Regularizer("bias_regularizer", "b_regularizer"), c.Regularizer("activity_regularizer"),
            c.Constraint("kernel_constraint", "W_constraint"), c.Constraint("recurrent_constraint", "U_constraint"),
            c.Constraint("bias_constraint", "b_constraint"),
            c.Double(0, "dropout", "dropout_W"), c.Double(0, "recurrent_dropout", "dropout_U"), implementation,
            c.Bool(false, "return_sequences"), c.Bool(false, "return_state"), c.Bool(false, "go_backwards"),
            c.Bool(false, "stateful"), c.Bool(false, "unroll"), false,
            c.OptionalInt("seed"), null, batch, c.Name, c.Bool(true, "trainable"));
    }

    /// <summary>
    /// An activation field as KerasNet's name of the function the file means (a string, or Keras 3's serialized
    /// function; <c>hard_sigmoid</c> of a Keras 3 file is Keras 3's), null for linear; the fallback when absent. Only
    /// the functions recurrent layers support are accepted.
    /// </summary>
    private static string? ActivationName(LayerConfigReader c, string? fallback, params string[] keys)
    {
        if (!c.Has(keys)) return fallback;
        string? name = c.Activation(keys);
        try { ParseActivation(name, c.ClassName, keys[0]); }
        catch (KerasNetException e) { throw c.Error(e.Message); }
        return name;
    }

    /// <summary>The engine's activation for a Keras name; others are refused naming the layer and the argument.</summary>
    public static RnnActivation ParseActivation(string? name, string layer, string argument) => name switch
    {
        null or "" or "linear" => RnnActivation.Linear,
        "tanh" => RnnActivation.Tanh,
        "sigmoid" => RnnActivation.Sigmoid,
        "hard_sigmoid" => RnnActivation.HardSigmoid,
        Activations.HardSigmoidKeras3 => RnnActivation.HardSigmoidKeras3,
        "relu" => RnnActivation.Relu,
        _ => throw new KerasNetException($"{layer}: {argument} '{name}' is not supported by KerasNet's recurrent layers; use tanh, sigmoid, hard_sigmoid ({Activations.HardSigmoidKeras3} for Keras 3's), relu or linear."),
    };

    /// <summary>The Keras name of an engine activation.</summary>
    public static string ActivationName(RnnActivation a) => a switch
    {
        RnnActivation.Tanh => "tanh",
        RnnActivation.Sigmoid => "sigmoid",
        RnnActivation.HardSigmoid => "hard_sigmoid",
        RnnActivation.Relu => "relu",
        RnnActivation.HardSigmoidKeras3 => Activations.HardSigmoidKeras3,
        _ => "linear",
    };
}
