#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

/// <summary>
/// A Keras weight constraint (<see cref="MaxNorm"/>, <see cref="NonNeg"/>, <see cref="UnitNorm"/>,
/// <see cref="MinMaxNorm"/>, <see cref="RadialConstraint"/>, or an <see cref="UnknownConstraint"/> read from a
/// config). The trainer projects the weight with it after each optimizer update of that weight, as Keras's
/// optimizer does; an unknown class is kept in the config and written back, and training refuses it.
/// </summary>
public abstract class Constraint : KerasObject
{
    /// <inheritdoc/>
    internal override string Keras3Module => "keras.constraints";

    /// <summary>Keras's <c>__call__</c>, in place: projects a weight of <paramref name="shape"/> (Keras layout).</summary>
    internal abstract void Apply(Span<float> w, int[] shape);

    /// <summary>Why a weight of <paramref name="shape"/> cannot be constrained as Keras would (null: it can).</summary>
    internal virtual string? Refusal(int[] shape) => null;

    /// <summary>A Keras name as a constraint, so <c>kernelConstraint: "non_neg"</c> reads as in Keras.</summary>
    /// <param name="identifier">A Keras constraint name: <c>"max_norm"</c>, <c>"non_neg"</c>, <c>"unit_norm"</c>,
    /// <c>"min_max_norm"</c>, <c>"radial_constraint"</c> or the class names (<c>"MaxNorm"</c>, ...).</param>
    /// <returns>The constraint with Keras's default arguments.</returns>
    public static implicit operator Constraint(string identifier) => Get(identifier);

    /// <summary>
    /// Resolves "MaxNorm"/"max_norm", "NonNeg"/"non_neg", "UnitNorm"/"unit_norm", "MinMaxNorm"/"min_max_norm",
    /// "RadialConstraint"/"radial_constraint".
    /// </summary>
    /// <param name="identifier">A Keras constraint name: <c>"max_norm"</c>, <c>"non_neg"</c>, <c>"unit_norm"</c>,
    /// <c>"min_max_norm"</c>, <c>"radial_constraint"</c> or the class names (<c>"MaxNorm"</c>, ...).</param>
    /// <returns>A new constraint with Keras's default arguments; an unknown name throws, listing the known
    /// ones.</returns>
    public static Constraint Get(string identifier) =>
        Create(identifier, null) ?? throw new KerasNetException($"Unknown constraint '{identifier}'. Known: MaxNorm, NonNeg, UnitNorm, MinMaxNorm, RadialConstraint (and max_norm, non_neg, unit_norm, min_max_norm, radial_constraint).");

    /// <summary>The constraint a config node describes, in any Keras form; unknown classes are kept as read.</summary>
    internal static Constraint? FromJson(JsonNode? node) => Read(node, "a constraint", Create, s => new UnknownConstraint(s));

    // Keras 1 wrote MaxNorm's bound as "m" and MinMaxNorm's as "low"/"high"; "maxnorm" and friends are its aliases.
    private static Constraint? Create(string name, KerasObjectSpec? c) => name switch
    {
        "MaxNorm" or "max_norm" or "maxnorm" => new MaxNorm(c?.Number("max_value", 2, "m") ?? 2, c?.Axis("axis", 0) ?? [0]),
        "NonNeg" or "non_neg" or "nonneg" => new NonNeg(),
        "UnitNorm" or "unit_norm" or "unitnorm" => new UnitNorm(c?.Axis("axis", 0) ?? [0]),
        "MinMaxNorm" or "min_max_norm" => new MinMaxNorm(c?.Number("min_value", 0, "low") ?? 0, c?.Number("max_value", 1, "high") ?? 1,
            c?.Number("rate", 1) ?? 1, c?.Axis("axis", 0) ?? [0]),
        "RadialConstraint" or "radial_constraint" => new RadialConstraint(),
        _ => null,
    };

    /// <summary>An axis as Keras writes it: an int, or a list when there are several.</summary>
    private protected static JsonNode AxisJson(int[] axis) =>
        axis.Length == 1 ? JsonValue.Create(axis[0]) : new JsonArray(axis.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray());
}

/// <summary>Rescales each slice along <c>axis</c> to a norm of at most <c>max_value</c> (Keras MaxNorm; defaults 2, axis 0).</summary>
public sealed class MaxNorm : Constraint
{
    /// <summary>Creates the constraint.</summary>
    /// <param name="maxValue">The largest norm allowed (Keras default 2); larger weight vectors are scaled down to it.</param>
    /// <param name="axis">Axes the norm is taken over; none given is Keras's default 0 (for a Dense kernel (in, out): each unit's incoming weights).</param>
    public MaxNorm(double maxValue = 2, params int[] axis) { MaxValue = maxValue; Axis = axis.Length == 0 ? [0] : axis; }

    /// <summary>The largest norm.</summary>
    public double MaxValue { get; }

    /// <summary>The axes the norm is taken over.</summary>
    public int[] Axis { get; }

    /// <inheritdoc/>
    public override string ClassName => "MaxNorm";

    /// <inheritdoc/>
    internal override string? Refusal(int[] shape) => ConstraintMath.CheckAxes(Axis, shape, ClassName);

    /// <inheritdoc/>
    internal override void Apply(Span<float> w, int[] shape) => ConstraintMath.ScaleByNorms(w, shape, Axis, new Rule((float)MaxValue));

    // w * (clip(norm, 0, max_value) / (epsilon + norm))
    private readonly struct Rule(float max) : INormRule
    {
        public float Project(float w, float norm) => w * (ConstraintMath.Clip(norm, 0, max) / (ConstraintMath.Epsilon + norm));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["max_value"] = MaxValue, ["axis"] = AxisJson(Axis) });
}

/// <summary>Sets negative weights to zero (Keras NonNeg).</summary>
public sealed class NonNeg : Constraint
{
    /// <inheritdoc/>
    public override string ClassName => "NonNeg";

    /// <inheritdoc/>
    internal override void Apply(Span<float> w, int[] shape)
    {
        // w * cast(w >= 0): a negative weight becomes (-)0, NaN stays NaN, as in Keras.
        for (int i = 0; i < w.Length; i++) w[i] *= w[i] >= 0 ? 1f : 0f;
    }
}

/// <summary>Rescales each slice along <c>axis</c> to unit norm (Keras UnitNorm; default axis 0).</summary>
public sealed class UnitNorm : Constraint
{
    /// <summary>Creates the constraint.</summary>
    /// <param name="axis">Axes the norm is taken over; none given is Keras's default 0.</param>
    public UnitNorm(params int[] axis) => Axis = axis.Length == 0 ? [0] : axis;

    /// <summary>The axes the norm is taken over.</summary>
    public int[] Axis { get; }

    /// <inheritdoc/>
    public override string ClassName => "UnitNorm";

    /// <inheritdoc/>
    internal override string? Refusal(int[] shape) => ConstraintMath.CheckAxes(Axis, shape, ClassName);

    /// <inheritdoc/>
    internal override void Apply(Span<float> w, int[] shape) => ConstraintMath.ScaleByNorms(w, shape, Axis, new Rule());

    // w / (epsilon + norm)
    private readonly struct Rule : INormRule
    {
        public float Project(float w, float norm) => w / (ConstraintMath.Epsilon + norm);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["axis"] = AxisJson(Axis) });
}

/// <summary>
/// Moves each slice's norm along <c>axis</c> into [min_value, max_value] at <c>rate</c> (Keras MinMaxNorm;
/// defaults 0, 1, 1, axis 0).
/// </summary>
public sealed class MinMaxNorm : Constraint
{
    /// <summary>Creates the constraint.</summary>
    /// <param name="minValue">The smallest norm allowed (Keras default 0.0).</param>
    /// <param name="maxValue">The largest norm allowed (Keras default 1.0).</param>
    /// <param name="rate">How far each update moves the norm into the range: 1.0 (Keras's default) all the way, smaller values part of it.</param>
    /// <param name="axis">Axes the norm is taken over; none given is Keras's default 0.</param>
    public MinMaxNorm(double minValue = 0.0, double maxValue = 1.0, double rate = 1.0, params int[] axis)
    {
        MinValue = minValue; MaxValue = maxValue; Rate = rate; Axis = axis.Length == 0 ? [0] : axis;
    }

    /// <summary>The smallest norm.</summary>
    public double MinValue { get; }

    /// <summary>The largest norm.</summary>
    public double MaxValue { get; }

    /// <summary>How far each step moves the norm into the range (1: all the way).</summary>
    public double Rate { get; }

    /// <summary>The axes the norm is taken over.</summary>
    public int[] Axis { get; }

    /// <inheritdoc/>
    public override string ClassName => "MinMaxNorm";

    /// <inheritdoc/>
    internal override string? Refusal(int[] shape) => ConstraintMath.CheckAxes(Axis, shape, ClassName);

    /// <inheritdoc/>
    internal override void Apply(Span<float> w, int[] shape) =>
        ConstraintMath.ScaleByNorms(w, shape, Axis, new Rule((float)MinValue, (float)MaxValue, (float)Rate));

    // w * ((rate * clip(norm, min, max) + (1 - rate) * norm) / (epsilon + norm))
    private readonly struct Rule(float min, float max, float rate) : INormRule
    {
        public float Project(float w, float norm) =>
            w * ((rate * ConstraintMath.Clip(norm, min, max) + (1 - rate) * norm) / (ConstraintMath.Epsilon + norm));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() =>
        AsRead(new() { ["min_value"] = MinValue, ["max_value"] = MaxValue, ["rate"] = Rate, ["axis"] = AxisJson(Axis) });
}

/// <summary>
/// Makes each (in, out) slice of a square Conv2D kernel (size, size, in, out) constant on rings around its centre
/// (tf.keras 2.4's RadialConstraint, transcribed from its code, whose odd-size core is the corner of the central
/// 3x3 rather than the docstring's centre). Kernels that are not square or smaller than 2x2 are refused, where
/// Keras fails.
/// </summary>
public sealed class RadialConstraint : Constraint
{
    /// <inheritdoc/>
    public override string ClassName => "RadialConstraint";

    /// <inheritdoc/>
    internal override string? Refusal(int[] shape) => ConstraintMath.RadialRefusal(shape);

    /// <inheritdoc/>
    internal override void Apply(Span<float> w, int[] shape)
    {
        if (ConstraintMath.RadialRefusal(shape) is { } why) throw new KerasNetException($"Cannot apply {why}.");
        ConstraintMath.Radial(w, shape);
    }
}

/// <summary>A constraint class KerasNet does not know, kept exactly as read and written back unchanged.</summary>
public sealed class UnknownConstraint : Constraint
{
    private readonly RawKerasObject _raw;

    internal UnknownConstraint(KerasObjectSpec spec) => _raw = new RawKerasObject(spec);

    /// <inheritdoc/>
    public override string ClassName => _raw.ClassName;

    /// <inheritdoc/>
    internal override string Refusal(int[] shape) => $"{ClassName}, which KerasNet does not implement";

    /// <inheritdoc/>
    internal override void Apply(Span<float> w, int[] shape) =>
        throw new KerasNetException($"Constraint {ClassName} is not implemented by KerasNet, so it cannot be applied.");

    /// <inheritdoc/>
    public override JsonObject GetConfig() => _raw.Config;

    /// <inheritdoc/>
    internal override JsonNode ToKeras2Json() => _raw.ToKeras2Json();

    /// <inheritdoc/>
    internal override JsonNode ToKeras3Json() => _raw.ToKeras3Json();
}
