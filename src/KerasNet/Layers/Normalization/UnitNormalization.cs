#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// Keras's UnitNormalization (tf.keras 2.9+, Keras 3): each sample divided by its L2 norm over
/// <see cref="RowNormalization.Axis"/>, <c>y = x / sqrt(max(sum(x^2), 1e-12))</c> (tf.math.l2_normalize). No weights.
/// </summary>
[KerasLayer("UnitNormalization")]
public sealed class UnitNormalization : RowNormalization, IKeras3Config
{
    /// <summary>Creates the layer (Keras's default axis -1).</summary>
    /// <param name="axis">The axis or axes the norm is taken over (Keras counts the batch as 0; -1 is the last).</param>
    /// <param name="inputShape">Keras's input_shape, when this is the model's first layer.</param>
    /// <param name="name">Null: Keras's automatic name (unit_normalization, ...).</param>
    /// <param name="trainable">Keras's flag (the layer has no weights).</param>
    public UnitNormalization(AxisSpec axis = default, Shape? inputShape = null, string? name = null, bool trainable = true)
        : base(axis, inputShape, name, trainable) { }

    /// <summary>The layer of a Keras config.</summary>
    internal static UnitNormalization FromConfig(LayerConfigReader c) =>
        new(AxisSpec.Read(c, "axis", -1), name: c.Name, trainable: c.Bool(true, "trainable"));

    private protected override void ForwardRows(IBackend be, Saved s, Tensor x, int rows, int features, Tensor y) =>
        be.RowL2Normalize(x.Buffer, rows, features, y.Buffer, s.RowA);

    private protected override void BackwardRows(IBackend be, Saved s, Tensor dy, Tensor x, Tensor y, int rows, int features, Tensor? dx, GradientSink sink)
    {
        if (dx != null) be.RowL2NormalizeBackward(dy.Buffer, y.Buffer, s.RowA, rows, features, dx.Buffer);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["axis"] = AxisJson();
        return c;
    }

    /// <summary>Keras 3 keeps the axis as given.</summary>
    void IKeras3Config.ToKeras3(JsonObject config) => config["axis"] = Keras3AxisJson(asList: false);
}
