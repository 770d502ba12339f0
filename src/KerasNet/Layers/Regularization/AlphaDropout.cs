#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Dropout for self-normalising (SELU) networks: in training, dropped inputs are set to SELU's negative saturation
/// alpha' = -scale * alpha, and the result goes through Keras's affine correction a x + b with
/// a = ((1 - rate) (1 + rate alpha'^2))^-1/2 and b = -a alpha' rate, which keeps the inputs' mean and variance. The
/// identity at inference.
/// </summary>
[KerasLayer("AlphaDropout")]
public sealed class AlphaDropout : RandomNoiseLayer
{
    // SELU's constants, in double as Keras writes them.
    private const double SeluAlpha = 1.6732632423543772848170429916717, SeluScale = 1.0507009873554804934193349852946;

    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Drop probability, in [0, 1).</param>
    /// <param name="noiseShape">Keras's <c>noise_shape</c> (batch axis first; null entries are the input's sizes), or null.</param>
    /// <param name="seed">Optional seed of the masks.</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name.</param>
    public AlphaDropout(double rate, int?[]? noiseShape = null, int? seed = null, Shape? inputShape = null, string? name = null)
        : base(seed, "dropout", inputShape, name)
    {
        Rate = CheckRate(rate, "AlphaDropout");
        NoiseShape = CheckNoiseShape(noiseShape, "AlphaDropout");
    }

    /// <summary>The layer of a Keras config.</summary>
    internal static AlphaDropout FromConfig(LayerConfigReader c) =>
        Read(c, () => new AlphaDropout(RequiredDouble(c, "rate"), ReadNoiseShape(c), c.OptionalInt("seed"), name: c.Name));

    /// <summary>Drop probability.</summary>
    public double Rate { get; }

    /// <summary>Keras's noise_shape, or null (a mask of the input's shape).</summary>
    public IReadOnlyList<int?>? NoiseShape { get; }

    /// <summary>The affine correction (a, b) and the value dropped inputs take (alpha').</summary>
    internal (double A, double B, double AlphaP) Correction()
    {
        double alphaP = -SeluAlpha * SeluScale;
        double a = Math.Pow((1 - Rate) * (1 + Rate * alphaP * alphaP), -0.5);
        return (a, -a * alphaP * Rate, alphaP);
    }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        if (!ctx.Training || Rate == 0) return Identity(ctx, inputs);
        var (a, b, alphaP) = Correction();
        var n = Prepare(ctx, inputs, NoiseShape, mul: true, add: true);
        ulong key = NextKey();
        // a (x kept + alpha' (1 - kept)) + b = x * (a kept) + (kept ? b : a alpha' + b): both masks from the same draws.
        Backend.Current.BernoulliMask(n.Mul, n.Length, key, (float)Rate, (float)a, 0f);
        Backend.Current.BernoulliMask(n.Add, n.Length, key, (float)Rate, (float)b, (float)(a * alphaP + b));
        return Apply(ctx, inputs, n);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        // tf.keras 2.4 writes the rate alone; noise_shape and seed (Keras 3's fields) only when set.
        var c = base.GetConfig();
        c["rate"] = Rate;
        if (NoiseShape != null) c["noise_shape"] = NoiseShapeJson(NoiseShape);
        if (Seed != null) c["seed"] = Seed;
        return c;
    }
}
