#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

/// <summary>
/// A Keras weight or activity regularizer (<see cref="L1"/>, <see cref="L2"/>, <see cref="L1L2"/>, or an
/// <see cref="OrthogonalRegularizer"/>, or an <see cref="UnknownRegularizer"/> read from a config). The trainer adds
/// its penalty to the loss and its gradient to the weight's (or, as an activity regularizer, the output's) gradient,
/// as Keras does; an unknown class is kept in the config and written back, and training refuses it.
/// </summary>
public abstract class Regularizer : KerasObject
{
    /// <inheritdoc/>
    internal override string Keras3Module => "keras.regularizers";

    /// <summary>Whether it adds nothing to the loss (every factor zero), so ignoring it changes no result.</summary>
    internal virtual bool IsZero => false;

    /// <summary>
    /// Keras's <c>__call__</c>: the penalty of <paramref name="x"/>, a tensor of <paramref name="shape"/>; when
    /// <paramref name="grad"/> is not empty, <paramref name="scale"/> times the penalty's gradient is added into it.
    /// </summary>
    internal abstract double Apply(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, Span<float> grad, float scale);

    /// <summary>Why a tensor of <paramref name="shape"/> cannot be penalised as Keras would (null: it can).</summary>
    internal virtual string? Refusal(ReadOnlySpan<int> shape) => null;

    /// <summary>
    /// <c>l1 * sum(abs(x)) + l2 * sum(square(x))</c> with float32 factors, as tf.keras 2.4's L1, L2 and L1L2
    /// compute it, and its gradient (<c>l1 * sign(x) + 2 * l2 * x</c>, sign(0) = 0 as TensorFlow's abs has it).
    /// </summary>
    private protected static double L1L2Penalty(ReadOnlySpan<float> x, Span<float> grad, float scale, float l1, float l2)
    {
        double value = 0;
        if (l1 != 0) value += l1 * (double)System.Numerics.Tensors.TensorPrimitives.SumOfMagnitudes(x);
        if (l2 != 0) value += l2 * (double)System.Numerics.Tensors.TensorPrimitives.SumOfSquares(x);
        if (grad.IsEmpty) return value;
        if (grad.Length != x.Length) throw new ArgumentException($"The gradient has {grad.Length} elements, the tensor {x.Length}.", nameof(grad));
        float a = scale * l1, b = scale * 2 * l2;
        if (l2 != 0) System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(x, b, grad, grad);
        if (l1 != 0)
            for (int i = 0; i < x.Length; i++) grad[i] += x[i] > 0 ? a : x[i] < 0 ? -a : 0f;
        return value;
    }

    /// <summary>A Keras name as a regularizer, so <c>kernelRegularizer: "l2"</c> reads as in Keras.</summary>
    /// <param name="identifier">A Keras regularizer name: <c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c> (factor 0.01,
    /// tf.keras 2.4's default), <c>"L1"</c>, <c>"L2"</c>, <c>"L1L2"</c>,
    /// <c>"orthogonal_regularizer"</c>/<c>"OrthogonalRegularizer"</c>.</param>
    /// <returns>The regularizer with Keras's default arguments.</returns>
    public static implicit operator Regularizer(string identifier) => Get(identifier);

    /// <summary>
    /// Resolves "l1", "l2", "l1_l2" (0.01 each, as tf.keras 2.4), "L1", "L2", "L1L2", "OrthogonalRegularizer" /
    /// "orthogonal_regularizer" with their defaults.
    /// </summary>
    /// <param name="identifier">A Keras regularizer name: <c>"l1"</c>, <c>"l2"</c>, <c>"l1_l2"</c> (factor 0.01,
    /// tf.keras 2.4's default), <c>"L1"</c>, <c>"L2"</c>, <c>"L1L2"</c>,
    /// <c>"orthogonal_regularizer"</c>/<c>"OrthogonalRegularizer"</c>.</param>
    /// <returns>A new regularizer; an unknown name throws, listing the known ones.</returns>
    public static Regularizer Get(string identifier) =>
        Create(identifier, null) ?? throw new KerasNetException($"Unknown regularizer '{identifier}'. Known: L1, L2, L1L2, OrthogonalRegularizer, l1, l2, l1_l2, orthogonal_regularizer.");

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
        // Keras 3 (and tf.keras 2.10+).
        "OrthogonalRegularizer" or "orthogonal_regularizer" => new OrthogonalRegularizer(c?.Number("factor", 0.01) ?? 0.01, c?.Text("mode", "rows") ?? "rows"),
        _ => null,
    };

    /// <summary>tf.keras 2.4 keeps factors as float32 (<c>backend.cast_to_floatx</c>) and writes <c>float()</c> of them.</summary>
    private protected static double Floatx(double v) => (float)v;
}

/// <summary>Adds <c>l1 * sum(abs(x))</c> to the loss (Keras L1; default 0.01).</summary>
/// <param name="l1">The L1 factor, non-negative (Keras's default 0.01).</param>
public sealed class L1(double l1 = 0.01) : Regularizer
{
    /// <summary>The factor.</summary>
    public double Factor { get; } = l1;

    /// <inheritdoc/>
    public override string ClassName => "L1";

    /// <inheritdoc/>
    internal override bool IsZero => Factor == 0;

    /// <inheritdoc/>
    internal override double Apply(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, Span<float> grad, float scale) =>
        L1L2Penalty(x, grad, scale, (float)Factor, 0);

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["l1"] = Floatx(Factor) });

    /// <inheritdoc/>
    internal override JsonObject GetKeras3Config() => AsRead(new() { ["l1"] = Factor });
}

/// <summary>Adds <c>l2 * sum(square(x))</c> to the loss (Keras L2; default 0.01).</summary>
/// <param name="l2">The L2 factor, non-negative (Keras's default 0.01).</param>
public sealed class L2(double l2 = 0.01) : Regularizer
{
    /// <summary>The factor.</summary>
    public double Factor { get; } = l2;

    /// <inheritdoc/>
    public override string ClassName => "L2";

    /// <inheritdoc/>
    internal override bool IsZero => Factor == 0;

    /// <inheritdoc/>
    internal override double Apply(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, Span<float> grad, float scale) =>
        L1L2Penalty(x, grad, scale, 0, (float)Factor);

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["l2"] = Floatx(Factor) });

    /// <inheritdoc/>
    internal override JsonObject GetKeras3Config() => AsRead(new() { ["l2"] = Factor });
}

/// <summary>Adds <c>l1 * sum(abs(x)) + l2 * sum(square(x))</c> to the loss (Keras L1L2; defaults 0, 0).</summary>
/// <param name="l1">The L1 factor (Keras's default 0.0).</param>
/// <param name="l2">The L2 factor (Keras's default 0.0).</param>
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
    internal override double Apply(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, Span<float> grad, float scale) =>
        L1L2Penalty(x, grad, scale, (float)L1Factor, (float)L2Factor);

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
    internal override string Refusal(ReadOnlySpan<int> shape) => $"{ClassName}, which KerasNet does not implement";

    /// <inheritdoc/>
    internal override double Apply(ReadOnlySpan<float> x, ReadOnlySpan<int> shape, Span<float> grad, float scale) =>
        throw new KerasNetException($"Regularizer {ClassName} is not implemented by KerasNet, so it cannot be applied.");

    /// <inheritdoc/>
    public override JsonObject GetConfig() => _raw.Config;

    /// <inheritdoc/>
    internal override JsonNode ToKeras2Json() => _raw.ToKeras2Json();

    /// <inheritdoc/>
    internal override JsonNode ToKeras3Json() => _raw.ToKeras3Json();
}
