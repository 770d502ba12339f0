#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

/// <summary>A Keras weight initializer.</summary>
public abstract class Initializer
{
    /// <summary>Keras class name ("GlorotUniform").</summary>
    public abstract string ClassName { get; }

    /// <summary>Fills <paramref name="values"/> for a weight of the given Keras-layout shape.</summary>
    public abstract void Fill(Span<float> values, int[] shape);

    /// <summary>The Keras config object of this initializer.</summary>
    public virtual JsonObject GetConfig() => new();

    /// <summary>Resolves a Keras identifier ("glorot_uniform", "zeros", "ones", "he_normal", ...).</summary>
    public static Initializer Get(string identifier) => identifier switch
    {
        "glorot_uniform" or "GlorotUniform" => new GlorotUniform(),
        "glorot_normal" or "GlorotNormal" => new VarianceScaling("GlorotNormal", 1.0, "fan_avg", normal: true),
        "he_uniform" or "HeUniform" => new VarianceScaling("HeUniform", 2.0, "fan_in", normal: false),
        "he_normal" or "HeNormal" => new VarianceScaling("HeNormal", 2.0, "fan_in", normal: true),
        "lecun_uniform" or "LecunUniform" => new VarianceScaling("LecunUniform", 1.0, "fan_in", normal: false),
        "zeros" or "Zeros" or "zero" => new Constant("Zeros", 0f),
        "ones" or "Ones" or "one" => new Constant("Ones", 1f),
        _ => throw new KerasNetException($"Unknown initializer '{identifier}'."),
    };

    /// <summary>Keras's fan computation: for a conv kernel (kh, kw, in, out) the receptive field multiplies in and out.</summary>
    internal static (double fanIn, double fanOut) Fans(int[] shape)
    {
        if (shape.Length < 1) return (1, 1);
        if (shape.Length == 1) return (shape[0], shape[0]);
        if (shape.Length == 2) return (shape[0], shape[1]);
        double receptive = 1;
        for (int i = 0; i < shape.Length - 2; i++) receptive *= shape[i];
        return (shape[^2] * receptive, shape[^1] * receptive);
    }
}

/// <summary>Uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)): Keras's default kernel initializer.</summary>
public sealed class GlorotUniform : Initializer
{
    /// <summary>Optional seed (else the global "init" stream).</summary>
    public GlorotUniform(int? seed = null) => Seed = seed;

    /// <summary>The seed given, if any.</summary>
    public int? Seed { get; }

    /// <inheritdoc/>
    public override string ClassName => "GlorotUniform";

    /// <inheritdoc/>
    public override void Fill(Span<float> values, int[] shape)
    {
        var (fi, fo) = Fans(shape);
        double limit = Math.Sqrt(6.0 / Math.Max(1.0, fi + fo));
        var rng = KerasRandom.For(Seed, "init");
        for (int i = 0; i < values.Length; i++) values[i] = (float)((rng.NextDouble() * 2 - 1) * limit);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["seed"] = Seed };
}

/// <summary>Keras VarianceScaling family (Glorot/He/LeCun normal and uniform).</summary>
public sealed class VarianceScaling : Initializer
{
    private readonly string _className;
    private readonly double _scale;
    private readonly string _mode;
    private readonly bool _normal;

    /// <summary>Creates the initializer.</summary>
    public VarianceScaling(string className, double scale, string mode, bool normal, int? seed = null)
    {
        _className = className; _scale = scale; _mode = mode; _normal = normal; Seed = seed;
    }

    /// <summary>The seed given, if any.</summary>
    public int? Seed { get; }

    /// <inheritdoc/>
    public override string ClassName => _className;

    /// <inheritdoc/>
    public override void Fill(Span<float> values, int[] shape)
    {
        var (fi, fo) = Fans(shape);
        double n = _mode switch { "fan_in" => fi, "fan_out" => fo, _ => (fi + fo) / 2 };
        double variance = _scale / Math.Max(1.0, n);
        var rng = KerasRandom.For(Seed, "init");
        if (!_normal)
        {
            double limit = Math.Sqrt(3 * variance);
            for (int i = 0; i < values.Length; i++) values[i] = (float)((rng.NextDouble() * 2 - 1) * limit);
            return;
        }
        // Truncated normal at two standard deviations, with Keras's correction factor for the truncation.
        double std = Math.Sqrt(variance) / 0.87962566103423978;
        for (int i = 0; i < values.Length; i++)
        {
            double z;
            do
            {
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                z = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            } while (Math.Abs(z) > 2);
            values[i] = (float)(z * std);
        }
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => new() { ["seed"] = Seed };
}

/// <summary>A constant fill (Keras Zeros, Ones).</summary>
public sealed class Constant : Initializer
{
    private readonly string _className;
    private readonly float _value;

    /// <summary>Creates the initializer.</summary>
    public Constant(string className, float value) { _className = className; _value = value; }

    /// <inheritdoc/>
    public override string ClassName => _className;

    /// <inheritdoc/>
    public override void Fill(Span<float> values, int[] shape) => values.Fill(_value);
}
