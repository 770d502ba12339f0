#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Long Short-Term Memory, as <c>keras.layers.LSTM</c>: gates i, f, c, o in the kernels' columns (Keras's order),
/// <c>c = f c' + i act(x Wc + h' Rc + bc)</c>, <c>h = o act(c)</c>, with i, f, o through the recurrent activation.
/// Weights: kernel (features, 4 units), recurrent_kernel (units, 4 units), bias (4 units,). Also reads Keras 2's
/// <c>CuDNNLSTM</c> (tanh and sigmoid, its weights converted on load) and Keras 1 configs.
/// </summary>
[KerasLayer("LSTM", "CuDNNLSTM")]
public sealed class LSTM : RnnLayer
{
    /// <summary>Creates the layer with Keras's (tf.keras 2.x) defaults.</summary>
    /// <param name="units">Width of the output and of the states.</param>
    /// <param name="activation">Candidate and output activation, a Keras name: <c>"tanh"</c> (Keras's default), <c>"sigmoid"</c>, <c>"hard_sigmoid"</c>, <c>"relu"</c>, <c>"linear"</c> (or null).</param>
    /// <param name="recurrentActivation">Gate activation: <c>"sigmoid"</c> (Keras's default, tf.keras 2.x), <c>"hard_sigmoid"</c> (Keras 1/2.0-2.2's default,
    /// clip(0.2 x + 0.5, 0, 1)), <c>"tanh"</c>, <c>"relu"</c>, <c>"linear"</c>.</param>
    /// <param name="unitForgetBias">Keras's <c>unit_forget_bias</c>: ones on the forget gate's bias at initialization.</param>
    /// <param name="useBias">Whether a bias is added.</param>
    /// <param name="kernelInitializer">Initializer of the kernel; a Keras name or object. A Keras name
    /// (<c>"glorot_uniform"</c>, <c>"he_normal"</c>, <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see
    /// cref="KerasNet.Layers.Initializer.Get(string)"/>) or an initializer object; null is Keras's default
    /// <c>"glorot_uniform"</c>.</param>
    /// <param name="recurrentInitializer">Initializer of the recurrent kernel. A Keras name (<c>"glorot_uniform"</c>,
    /// <c>"he_normal"</c>, <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see
    /// cref="KerasNet.Layers.Initializer.Get(string)"/>) or an initializer object; null is Keras's default
    /// <c>"orthogonal"</c>.</param>
    /// <param name="biasInitializer">Initializer of the bias. A Keras name (<c>"glorot_uniform"</c>,
    /// <c>"he_normal"</c>, <c>"orthogonal"</c>, <c>"zeros"</c>, ...: see <see
    /// cref="KerasNet.Layers.Initializer.Get(string)"/>) or an initializer object; null is Keras's default
    /// <c>"zeros"</c>.</param>
    /// <param name="kernelRegularizer">Kept in the config; training refuses it until KerasNet applies regularizers. A
    /// Keras name (<c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>)
    /// or a regularizer object; null (Keras's default) for none.</param>
    /// <param name="recurrentRegularizer">Kept in the config; training refuses it. A Keras name (<c>"l1"</c>,
    /// <c>"l2"</c>, <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object;
    /// null (Keras's default) for none.</param>
    /// <param name="biasRegularizer">Kept in the config; training refuses it. A Keras name (<c>"l1"</c>, <c>"l2"</c>,
    /// <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object; null
    /// (Keras's default) for none.</param>
    /// <param name="activityRegularizer">Kept in the config; training refuses it. A Keras name (<c>"l1"</c>,
    /// <c>"l2"</c>, <c>"l1_l2"</c>: see <see cref="KerasNet.Layers.Regularizer.Get(string)"/>) or a regularizer object;
    /// null (Keras's default) for none.</param>
    /// <param name="kernelConstraint">Kept in the config; training refuses it. A Keras name (<c>"max_norm"</c>,
    /// <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see
    /// cref="KerasNet.Layers.Constraint.Get(string)"/>) or a constraint object; null (Keras's default) for
    /// none.</param>
    /// <param name="recurrentConstraint">Kept in the config; training refuses it. A Keras name (<c>"max_norm"</c>,
    /// <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see
    /// cref="KerasNet.Layers.Constraint.Get(string)"/>) or a constraint object; null (Keras's default) for
    /// none.</param>
    /// <param name="biasConstraint">Kept in the config; training refuses it. A Keras name (<c>"max_norm"</c>,
    /// <c>"non_neg"</c>, <c>"unit_norm"</c>, <c>"min_max_norm"</c>: see <see
    /// cref="KerasNet.Layers.Constraint.Get(string)"/>) or a constraint object; null (Keras's default) for
    /// none.</param>
    /// <param name="dropout">Fraction of the inputs dropped in training, in [0, 1); one mask per call, the same at every step.</param>
    /// <param name="recurrentDropout">Fraction of the recurrent state dropped in training, in [0, 1); one mask per call and gate.</param>
    /// <param name="implementation">Keras's implementation (1 or 2); with dropout, 2 shares one input mask between the gates.</param>
    /// <param name="returnSequences">Whether the output is the whole sequence (batch, timesteps, units) or its last step.</param>
    /// <param name="returnState">Whether the final states follow the output as further outputs.</param>
    /// <param name="goBackwards">Whether the sequence is processed from its end (the output sequence is then reversed).</param>
    /// <param name="stateful">Whether a batch's final states start the next batch (fixed batch size; see <see cref="RnnLayer.ResetStates"/>).</param>
    /// <param name="unroll">Kept in the config; the computation is the same.</param>
    /// <param name="timeMajor">Only false (inputs are batch first); true is refused.</param>
    /// <param name="seed">Seed of the dropout masks (null: the session's random stream).</param>
    /// <param name="inputShape">Keras's input_shape (timesteps, features): makes this layer the model's input.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name.</param>
    /// <param name="trainable">Whether the weights are trained.</param>
    /// <param name="batchSize">The fixed batch size of a stateful layer (otherwise its first call sets it).</param>
    public LSTM(int units, string? activation = "tanh", string? recurrentActivation = "sigmoid", bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        bool unitForgetBias = true,
        Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
        Regularizer? activityRegularizer = null,
        Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null, Constraint? biasConstraint = null,
        double dropout = 0, double recurrentDropout = 0, int implementation = 2,
        bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false,
        bool unroll = false, bool timeMajor = false, int? seed = null,
        Shape? inputShape = null, int? batchSize = null, string? name = null, bool trainable = true)
        : this(new RnnArgs(units, activation, recurrentActivation, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
            kernelRegularizer, recurrentRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, recurrentConstraint, biasConstraint,
            dropout, recurrentDropout, implementation, returnSequences, returnState, goBackwards, stateful, unroll, timeMajor,
            seed, inputShape, batchSize, name, trainable), unitForgetBias)
    {
    }

    internal LSTM(RnnArgs args, bool unitForgetBias) : base(args, "lstm_cell") => UnitForgetBias = unitForgetBias;

    /// <summary>
    /// The layer of a config: tf.keras 2.x, Keras 3, Keras 2.0-2.2 (hard_sigmoid written as its default) and Keras 1
    /// (<c>output_dim</c>, <c>inner_activation</c>, <c>forget_bias_init</c>); <c>CuDNNLSTM</c> is an LSTM with tanh and sigmoid.
    /// </summary>
    internal static LSTM FromConfig(LayerConfigReader c)
    {
        bool cudnn = c.ClassName == "CuDNNLSTM";
        var args = RnnArgs.Read(c, cudnn ? "sigmoid" : RnnArgs.IsKeras1(c) ? "hard_sigmoid" : "sigmoid");
        if (cudnn) args = args with { Activation = "tanh", RecurrentActivation = "sigmoid" };
        // Keras 2's legacy interface maps forget_bias_init 'one' to unit_forget_bias; any other value starts from zeros.
        bool forget = c.Has("unit_forget_bias") ? c.Bool(true, "unit_forget_bias") : c.String("one", "forget_bias_init") == "one";
        return new LSTM(args, forget);
    }

    /// <summary>Keras's <c>unit_forget_bias</c>.</summary>
    public bool UnitForgetBias { get; }

    /// <summary>Keras's <c>recurrent_activation</c>, the gates' activation: <c>"sigmoid"</c>, <c>"hard_sigmoid"</c>, <c>"tanh"</c>, ...</summary>
    public string RecurrentActivation => RnnArgs.ActivationName(RecurrentActivationKind);

    internal override RnnCell Cell => RnnCell.Lstm;

    /// <inheritdoc/>
    public override string ClassName => "LSTM";

    // Keras: bias_initializer on (units,), ones on the forget gate's (units,), bias_initializer on the last (2 units,).
    private protected override void InitializeBias(Span<float> values)
    {
        if (!UnitForgetBias) { base.InitializeBias(values); return; }
        BiasInitializer.Fill(values[..Units], [Units]);
        values.Slice(Units, Units).Fill(1f);
        BiasInitializer.Fill(values[(2 * Units)..], [2 * Units]);
    }

    private protected override void AddCellConfig(JsonObject c)
    {
        AddActivations(c, recurrent: true);
        AddInitializers(c, o => o["unit_forget_bias"] = UnitForgetBias);
        c["implementation"] = Implementation;
    }
}
