#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Sets a fraction <see cref="Rate"/> of inputs to zero during training and scales the rest by 1/(1 - rate);
/// the identity at inference. With a <see cref="NoiseShape"/> (Keras's <c>noise_shape</c>, batch axis included,
/// null for the input's size) the mask is shared along the axes of size 1.
/// </summary>
/// <remarks>
/// Masks come from one key per call drawn from the seeded "dropout" stream and a vectorised counter-based hash (an
/// element is kept when its uniform number is at least the rate, as in Keras). They replaced one
/// <see cref="Random.NextDouble"/> per element, so a seed now gives other masks than before that change; the same seed
/// still gives the same masks from run to run.
/// </remarks>
[KerasLayer("Dropout")]
public sealed class Dropout : RandomNoiseLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Fraction of the inputs dropped, in [0, 1).</param>
    /// <param name="seed">Optional seed of the masks.</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="noiseShape">Keras's <c>noise_shape</c> (batch axis first; null entries are the input's sizes).</param>
    public Dropout(double rate, int? seed = null, Shape? inputShape = null, string? name = null, int?[]? noiseShape = null)
        : base(seed, "dropout", inputShape, name)
    {
        // Written so that NaN fails too, as Keras's "0 <= rate <= 1" check does.
        if (!(rate >= 0 && rate < 1)) throw new KerasNetException($"Dropout: rate must be in [0, 1), got {rate}.");
        Rate = rate;
        NoiseShape = CheckNoiseShape(noiseShape, "Dropout");
    }

    /// <summary>The layer of a Keras config (Keras 1's <c>p</c> for the rate).</summary>
    internal static Dropout FromConfig(LayerConfigReader c) =>
        Read(c, () => new Dropout(c.Double(0, "rate", "p"), c.OptionalInt("seed"), name: c.Name, noiseShape: ReadNoiseShape(c)));

    /// <summary>Fraction dropped.</summary>
    public double Rate { get; }

    /// <summary>Keras's noise_shape, or null (a mask of the input's shape).</summary>
    public IReadOnlyList<int?>? NoiseShape { get; }

    // The identity at inference.
    internal override int InferenceInvariantSamples => int.MaxValue;

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        if (!ctx.Training || Rate == 0) return Identity(ctx, inputs);
        return DropoutCall(ctx, inputs, Rate, NoiseShape);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["rate"] = Rate;
        c["noise_shape"] = NoiseShapeJson(NoiseShape);
        c["seed"] = Seed;
        return c;
    }
}
