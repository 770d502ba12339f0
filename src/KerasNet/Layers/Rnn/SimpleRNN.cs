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
    /// <param name="activation">tanh (default), sigmoid, hard_sigmoid, relu, or linear (null).</param>
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
