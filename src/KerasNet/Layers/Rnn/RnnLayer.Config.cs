#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

// Regularizers, constraints and the tf.keras 2.4 config.
public abstract partial class RnnLayer
{
    /// <summary>Keras's <c>kernel_regularizer</c>: kept in the config; training refuses it.</summary>
    public Regularizer? KernelRegularizer { get; set; }

    /// <summary>Keras's <c>recurrent_regularizer</c>: kept in the config; training refuses it.</summary>
    public Regularizer? RecurrentRegularizer { get; set; }

    /// <summary>Keras's <c>bias_regularizer</c>: kept in the config; training refuses it.</summary>
    public Regularizer? BiasRegularizer { get; set; }

    /// <summary>Keras's <c>activity_regularizer</c>: kept in the config; training refuses it.</summary>
    public Regularizer? ActivityRegularizer { get; set; }

    /// <summary>Keras's <c>kernel_constraint</c>: kept in the config; training refuses it.</summary>
    public Constraint? KernelConstraint { get; set; }

    /// <summary>Keras's <c>recurrent_constraint</c>: kept in the config; training refuses it.</summary>
    public Constraint? RecurrentConstraint { get; set; }

    /// <summary>Keras's <c>bias_constraint</c>: kept in the config; training refuses it.</summary>
    public Constraint? BiasConstraint { get; set; }

    private IEnumerable<(string Field, KerasObject? Value)> Penalties()
    {
        yield return ("kernel_regularizer", KernelRegularizer);
        yield return ("recurrent_regularizer", RecurrentRegularizer);
        yield return ("bias_regularizer", BiasRegularizer);
        yield return ("activity_regularizer", ActivityRegularizer);
        yield return ("kernel_constraint", KernelConstraint);
        yield return ("recurrent_constraint", RecurrentConstraint);
        yield return ("bias_constraint", BiasConstraint);
    }

    /// <summary>
    /// tf.keras 2.4's config: the base fields, RNN's loop options, then the cell's fields in the layer's order
    /// (<see cref="AddCellConfig"/>). A stateful layer with an input shape writes its fixed batch size in
    /// batch_input_shape, as Keras requires.
    /// </summary>
    /// <returns>The config as a JSON object, Keras's field names to values (what <c>get_config()</c> returns, as saved
    /// in a model file).</returns>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        if (Stateful && BatchSize is int b && c["batch_input_shape"] is JsonArray shape) shape[0] = b;
        c["return_sequences"] = ReturnSequences;
        c["return_state"] = ReturnState;
        c["go_backwards"] = GoBackwards;
        c["stateful"] = Stateful;
        c["unroll"] = Unroll;
        c["time_major"] = false;
        if (ZeroOutputForMask) c["zero_output_for_mask"] = true;
        AddCellConfig(c);
        if (Seed != null) c["seed"] = Seed;
        return c;
    }

    /// <summary>The cell's fields, in the order of the layer's tf.keras 2.4 get_config.</summary>
    private protected abstract void AddCellConfig(JsonObject c);

    /// <summary>units, activation and (when the cell has one) recurrent_activation, then use_bias.</summary>
    private protected void AddActivations(JsonObject c, bool recurrent)
    {
        c["units"] = Units;
        c["activation"] = Activation;
        if (recurrent) c["recurrent_activation"] = RnnArgs.ActivationName(RecurrentActivationKind);
        c["use_bias"] = UseBias;
    }

    /// <summary>The three initializers (and, for an LSTM, <paramref name="afterInitializers"/>: unit_forget_bias).</summary>
    private protected void AddInitializers(JsonObject c, Action<JsonObject>? afterInitializers = null)
    {
        c["kernel_initializer"] = LayerConfig.Keras2Json(KernelInitializer);
        c["recurrent_initializer"] = LayerConfig.Keras2Json(RecurrentInitializer);
        c["bias_initializer"] = LayerConfig.Keras2Json(BiasInitializer);
        afterInitializers?.Invoke(c);
        foreach (var (field, value) in Penalties()) c[field] = LayerConfig.Keras2Json(value);
        c["dropout"] = Dropout;
        c["recurrent_dropout"] = RecurrentDropout;
    }
}
