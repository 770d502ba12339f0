#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

/// <summary>All zeros (Keras Zeros, "zeros"): Keras's default bias initializer.</summary>
public sealed class Zeros : Initializer
{
    /// <inheritdoc/>
    public override string ClassName => "Zeros";

    /// <inheritdoc/>
    public override void Fill(Span<float> values, int[] shape) => values.Clear();
}

/// <summary>All ones (Keras Ones, "ones").</summary>
public sealed class Ones : Initializer
{
    /// <inheritdoc/>
    public override string ClassName => "Ones";

    /// <inheritdoc/>
    public override void Fill(Span<float> values, int[] shape) => values.Fill(1f);
}

/// <summary>Every value the same scalar (Keras Constant).</summary>
/// <param name="value">The value of every element (Keras's default 0).</param>
public sealed class Constant(double value = 0) : Initializer
{
    /// <summary>The value.</summary>
    public double Value { get; } = value;

    /// <inheritdoc/>
    public override string ClassName => "Constant";

    /// <inheritdoc/>
    public override void Fill(Span<float> values, int[] shape) => values.Fill((float)Value);

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["value"] = Value });
}

/// <summary><c>gain</c> times the identity matrix; 2-D weights only (Keras Identity).</summary>
/// <param name="gain">The factor on the diagonal (Keras's default 1.0).</param>
public sealed class Identity(double gain = 1.0) : Initializer
{
    /// <summary>The factor on the diagonal.</summary>
    public double Gain { get; } = gain;

    /// <inheritdoc/>
    public override string ClassName => "Identity";

    /// <inheritdoc/>
    public override void Fill(Span<float> values, int[] shape)
    {
        CheckShape(shape);
        values.Clear();
        for (int i = 0; i < Math.Min(shape[0], shape[1]); i++) values[i * shape[1] + i] = (float)Gain;
    }

    /// <inheritdoc/>
    internal override void CheckShape(int[] shape)
    {
        if (shape.Length != 2)
            throw new KerasNetException($"The Identity initializer can only be used for 2-D weights, got shape {Engine.ShapeUtil.Format(shape)}.");
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["gain"] = Gain });
}

/// <summary>
/// An initializer class that KerasNet does not implement (a custom one), read from a config. It keeps the class
/// name and config exactly as read and writes them back unchanged, so the model loads, predicts once its weights
/// are loaded, and saves. <see cref="Fill"/> leaves zeros and marks the weight: training refuses it until the
/// weight is loaded.
/// </summary>
public sealed class UnknownInitializer : Initializer
{
    private readonly RawKerasObject _raw;

    internal UnknownInitializer(KerasObjectSpec spec) => _raw = new RawKerasObject(spec);

    /// <inheritdoc/>
    public override string ClassName => _raw.ClassName;

    /// <inheritdoc/>
    public override JsonObject GetConfig() => _raw.Config;

    /// <inheritdoc/>
    public override void Fill(Span<float> values, int[] shape) => values.Clear();

    /// <inheritdoc/>
    internal override string? LeavesUninitialized => ClassName;

    /// <inheritdoc/>
    internal override JsonNode ToKeras2Json() => _raw.ToKeras2Json();

    /// <inheritdoc/>
    internal override JsonNode ToKeras3Json() => _raw.ToKeras3Json();
}
