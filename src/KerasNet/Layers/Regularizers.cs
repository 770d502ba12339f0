#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

/// <summary>
/// A Keras weight or activity regularizer (<see cref="L1"/>, <see cref="L2"/>, <see cref="L1L2"/>, or an
/// <see cref="UnknownRegularizer"/> read from a config). KerasNet keeps it in the layer's config and writes it back;
/// it does not add it to the loss yet, so training refuses a layer that has one (inference never needs it).
/// </summary>
public abstract class Regularizer : KerasObject
{
    /// <inheritdoc/>
    internal override string Keras3Module => "keras.regularizers";

    /// <summary>Whether it adds nothing to the loss (every factor zero), so ignoring it changes no result.</summary>
    internal virtual bool IsZero => false;

    /// <summary>A Keras name as a regularizer, so <c>kernelRegularizer: "l2"</c> reads as in Keras.</summary>
    public static implicit operator Regularizer(string identifier) => Get(identifier);

    /// <summary>Resolves "l1", "l2", "l1_l2" (0.01 each, as tf.keras 2.4), "L1", "L2", "L1L2" with their defaults.</summary>
    public static Regularizer Get(string identifier) =>
        Create(identifier, null) ?? throw new KerasNetException($"Unknown regularizer '{identifier}'. Known: L1, L2, L1L2, l1, l2, l1_l2.");

    /// <summary>The regularizer a config node describes, in any Keras form; unknown classes are kept as read.</summary>
    internal static Regularizer? FromJson(JsonNode? node) => Read(node, "a regularizer", Create, s => new UnknownRegularizer(s));

    private static Regularizer? Create(string name, KerasObjectSpec? c) => name switch
    {
        // "l" is the factor's name in Keras before 2.3.
        "L1" or "l1" => new L1(c?.Number("l1", 0.01, "l") ?? 0.01),
        "L2" or "l2" => new L2(c?.Number("l2", 0.01, "l") ?? 0.01),
        "L1L2" => new L1L2(c?.Number("l1", 0) ?? 0, c?.Number("l2", 0) ?? 0),
        // The name means 0.01 each in tf.keras 2.4, unlike the class's defaults.
        "l1_l2" => new L1L2(c?.Number("l1", 0.01) ?? 0.01, c?.Number("l2", 0.01) ?? 0.01),
        // Keras 1's classes: {"name": "L1L2Regularizer", "l1": ..., "l2": ...}.
        "L1L2Regularizer" or "WeightRegularizer" or "ActivityRegularizer" => new L1L2(c?.Number("l1", 0) ?? 0, c?.Number("l2", 0) ?? 0),
        _ => null,
    };

    /// <summary>tf.keras 2.4 keeps factors as float32 (<c>backend.cast_to_floatx</c>) and writes <c>float()</c> of them.</summary>
    private protected static double Floatx(double v) => (float)v;
}

/// <summary>Adds <c>l1 * sum(abs(x))</c> to the loss (Keras L1; default 0.01).</summary>
public sealed class L1(double l1 = 0.01) : Regularizer
{
    /// <summary>The factor.</summary>
    public double Factor { get; } = l1;

    /// <inheritdoc/>
    public override string ClassName => "L1";

    /// <inheritdoc/>
    internal override bool IsZero => Factor == 0;

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["l1"] = Floatx(Factor) });

    /// <inheritdoc/>
    internal override JsonObject GetKeras3Config() => AsRead(new() { ["l1"] = Factor });
}

/// <summary>Adds <c>l2 * sum(square(x))</c> to the loss (Keras L2; default 0.01).</summary>
public sealed class L2(double l2 = 0.01) : Regularizer
{
    /// <summary>The factor.</summary>
    public double Factor { get; } = l2;

    /// <inheritdoc/>
    public override string ClassName => "L2";

    /// <inheritdoc/>
    internal override bool IsZero => Factor == 0;

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["l2"] = Floatx(Factor) });

    /// <inheritdoc/>
    internal override JsonObject GetKeras3Config() => AsRead(new() { ["l2"] = Factor });
}

/// <summary>Adds <c>l1 * sum(abs(x)) + l2 * sum(square(x))</c> to the loss (Keras L1L2; defaults 0, 0).</summary>
public sealed class L1L2(double l1 = 0.0, double l2 = 0.0) : Regularizer
{
    /// <summary>The L1 factor.</summary>
    public double L1Factor { get; } = l1;

    /// <summary>The L2 factor.</summary>
    public double L2Factor { get; } = l2;

    /// <inheritdoc/>
    public override string ClassName => "L1L2";

    /// <inheritdoc/>
    internal override bool IsZero => L1Factor == 0 && L2Factor == 0;

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["l1"] = Floatx(L1Factor), ["l2"] = Floatx(L2Factor) });

    /// <inheritdoc/>
    internal override JsonObject GetKeras3Config() => AsRead(new() { ["l1"] = L1Factor, ["l2"] = L2Factor });
}

/// <summary>A regularizer class KerasNet does not know, kept exactly as read and written back unchanged.</summary>
public sealed class UnknownRegularizer : Regularizer
{
    private readonly RawKerasObject _raw;

    internal UnknownRegularizer(KerasObjectSpec spec) => _raw = new RawKerasObject(spec);

    /// <inheritdoc/>
    public override string ClassName => _raw.ClassName;

    /// <inheritdoc/>
    public override JsonObject GetConfig() => _raw.Config;

    /// <inheritdoc/>
    internal override JsonNode ToKeras2Json() => _raw.ToKeras2Json();

    /// <inheritdoc/>
    internal override JsonNode ToKeras3Json() => _raw.ToKeras3Json();
}
