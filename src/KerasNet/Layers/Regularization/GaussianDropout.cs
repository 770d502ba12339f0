#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Multiplies the inputs by 1-centred Gaussian noise of standard deviation sqrt(rate / (1 - rate)) in training; the
/// identity at inference. The gradient is multiplied by the same noise.
/// </summary>
[KerasLayer("GaussianDropout")]
public sealed class GaussianDropout : RandomNoiseLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Drop probability as for Dropout, in [0, 1).</param>
    /// <param name="seed">Optional seed of the noise.</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name.</param>
    public GaussianDropout(double rate, int? seed = null, Shape? inputShape = null, string? name = null)
        : base(seed, "noise", inputShape, name) => Rate = CheckRate(rate, "GaussianDropout");

    /// <summary>The layer of a Keras config (Keras 1's <c>p</c>).</summary>
    internal static GaussianDropout FromConfig(LayerConfigReader c) =>
        Read(c, () => new GaussianDropout(RequiredDouble(c, "rate", "p"), c.OptionalInt("seed"), name: c.Name));

    /// <summary>Drop probability.</summary>
    public double Rate { get; }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        if (!ctx.Training || Rate == 0) return Identity(ctx, inputs);
        var n = Prepare(ctx, inputs, null, mul: true, add: false);
        Backend.Current.NormalNoise(n.Mul, n.Length, NextKey(), 1f, (float)Math.Sqrt(Rate / (1.0 - Rate)));
        return Apply(ctx, inputs, n);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["rate"] = Rate;
        if (Seed != null) c["seed"] = Seed; // tf.keras 2.4 has no seed argument; Keras 3 and later tf.keras do
        return c;
    }
}
