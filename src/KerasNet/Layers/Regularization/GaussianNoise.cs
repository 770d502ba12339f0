#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Adds zero-centred Gaussian noise of standard deviation <see cref="Stddev"/> in training (a regulariser, or data
/// augmentation); the identity at inference. The gradient passes through unchanged.
/// </summary>
[KerasLayer("GaussianNoise")]
public sealed class GaussianNoise : RandomNoiseLayer
{
    /// <summary>Creates the layer.</summary>
    /// <param name="stddev">Standard deviation of the noise (&gt;= 0).</param>
    /// <param name="seed">Optional seed of the noise.</param>
    /// <param name="inputShape">Keras's <c>input_shape</c>.</param>
    /// <param name="name">The layer name.</param>
    public GaussianNoise(double stddev, int? seed = null, Shape? inputShape = null, string? name = null)
        : base(seed, "noise", inputShape, name)
    {
        if (!(stddev >= 0) || !double.IsFinite(stddev)) throw new KerasNetException($"GaussianNoise: stddev must be a finite number >= 0, got {stddev}.");
        Stddev = stddev;
    }

    /// <summary>The layer of a Keras config (Keras 1's <c>sigma</c>).</summary>
    internal static GaussianNoise FromConfig(LayerConfigReader c) =>
        Read(c, () => new GaussianNoise(RequiredDouble(c, "stddev", "sigma"), c.OptionalInt("seed"), name: c.Name));

    /// <summary>Standard deviation of the noise.</summary>
    public double Stddev { get; }

    /// <inheritdoc/>
    protected internal override Tensor Forward(CallContext ctx, Tensor inputs)
    {
        CheckInput(inputs);
        if (!ctx.Training || Stddev == 0) return Identity(ctx, inputs);
        var n = Prepare(ctx, inputs, null, mul: false, add: true);
        Backend.Current.NormalNoise(n.Add, n.Length, NextKey(), 0f, (float)Stddev);
        return Apply(ctx, inputs, n);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["stddev"] = Stddev;
        if (Seed != null) c["seed"] = Seed; // tf.keras 2.4 has no seed argument; Keras 3 and later tf.keras do
        return c;
    }
}
