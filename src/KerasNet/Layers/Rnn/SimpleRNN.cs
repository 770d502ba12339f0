#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// A fully-connected recurrent layer, as <c>keras.layers.SimpleRNN</c>: <c>h = act(x W + h' R + b)</c>, the output
/// being h. Weights: kernel (features, units), recurrent_kernel (units, units), bias (units,).
/// </summary>
[KerasLayer("SimpleRNN")]
public sealed class SimpleRNN : RnnLayer
{
    /// <summary>Creates the layer with Keras's defaults.</summary>
    /// <param name="units">Width of the output and of the state.</param>
    /// <param name="activation"><c>"tanh"</c> (Keras's default), <c>"sigmoid"</c>, <c>"hard_sigmoid"</c>, <c>"relu"</c>, or <c>"linear"</c> (or null).</param>
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
    /// <param name="returnSequences">Whether the output is the whole sequence (batch, timesteps, units) or its last step.</param>
    /// <param name="returnState">Whether the final states follow the output as further outputs.</param>
    /// <param name="goBackwards">Whether the sequence is processed from its end (the output sequence is then reversed).</param>
    /// <param name="stateful">Whether a batch's final states start the next batch (fixed batch size; see <see cref="RnnLayer.ResetStates"/>).</param>
    /// <param name="unroll">Kept in the config; the computation is the same.</param>
    /// <param name="seed">Seed of the dropout masks (null: the session's random stream).</param>
    /// <param name="inputShape">Keras's input_shape (timesteps, features): makes this layer the model's input.</param>
    /// <param name="name">The layer name; null picks Keras's automatic name.</param>
    /// <param name="trainable">Whether the weights are trained.</param>
    /// <param name="batchSize">The fixed batch size of a stateful layer (otherwise its first call sets it).</param>
    public SimpleRNN(int units, string? activation = "tanh", bool useBias = true,
        Initializer? kernelInitializer = null, Initializer? recurrentInitializer = null, Initializer? biasInitializer = null,
        Regularizer? kernelRegularizer = null, Regularizer? recurrentRegularizer = null, Regularizer? biasRegularizer = null,
        Regularizer? activityRegularizer = null,
        Constraint? kernelConstraint = null, Constraint? recurrentConstraint = null, Constraint? biasConstraint = null,
        double dropout = 0, double recurrentDropout = 0,
        bool returnSequences = false, bool returnState = false, bool goBackwards = false, bool stateful = false,
        bool unroll = false, int? seed = null, Shape? inputShape = null, int? batchSize = null, string? name = null, bool trainable = true)
        : this(new RnnArgs(units, activation, null, useBias, kernelInitializer, recurrentInitializer, biasInitializer,
            kernelRegularizer, recurrentRegularizer, biasRegularizer, activityRegularizer, kernelConstraint, recurrentConstraint, biasConstraint,
            dropout, recurrentDropout, 2, returnSequences, returnState, goBackwards, stateful, unroll, false,
            seed, inputShape, batchSize, name, trainable))
    {
    }

    internal SimpleRNN(RnnArgs args) : base(args with { RecurrentActivation = null, Implementation = 2 }, "simple_rnn_cell") { }

    /// <summary>The layer of a tf.keras 2.x, Keras 3, Keras 2.0-2.2 or Keras 1 (<c>output_dim</c>, <c>init</c>, <c>inner_init</c>) config.</summary>
    internal static SimpleRNN FromConfig(LayerConfigReader c) => new(RnnArgs.Read(c, null));

    internal override RnnCell Cell => RnnCell.Simple;

    /// <inheritdoc/>
    public override string ClassName => "SimpleRNN";

    private protected override void AddCellConfig(JsonObject c)
    {
        AddActivations(c, recurrent: false);
        AddInitializers(c);
    }
}
