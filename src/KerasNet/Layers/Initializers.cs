#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

/// <summary>
/// A Keras weight initializer. Every Keras built-in is here under its Keras name and config
/// (<see cref="Zeros"/>, <see cref="Ones"/>, <see cref="Constant"/>, <see cref="RandomUniform"/>,
/// <see cref="RandomNormal"/>, <see cref="TruncatedNormal"/>, <see cref="VarianceScaling"/> and its Glorot/He/LeCun
/// forms, <see cref="Orthogonal"/>, <see cref="Identity"/>); a class from a config that KerasNet does not know
/// becomes an <see cref="UnknownInitializer"/>, so it never stops a model from loading.
/// Random values follow Keras's distributions but cannot equal TensorFlow's bit for bit.
/// </summary>
public abstract class Initializer : KerasObject
{
    /// <summary>Fills <paramref name="values"/> for a weight of the given Keras-layout shape.</summary>
    /// <param name="values">The weight's values, filled in place (row-major, Keras's layout).</param>
    /// <param name="shape">The weight's Keras-layout shape (a Conv2D kernel is (kh, kw, in, out)), from which fan-in
    /// and fan-out are read.</param>
    public abstract void Fill(Span<float> values, int[] shape);

    /// <inheritdoc/>
    internal override string Keras3Module => "keras.initializers";

    /// <summary>
    /// The class name to report when <see cref="Fill"/> cannot produce the weight's values (it leaves zeros): the
    /// weight must then be loaded before training. Null for every initializer KerasNet implements.
    /// </summary>
    internal virtual string? LeavesUninitialized => null;

    /// <summary>
    /// Refuses a weight shape this initializer cannot fill, with the message <see cref="Fill"/> would throw; run when a
    /// fill is deferred (<see cref="DeferredInit"/>), so a loaded model still fails where it failed before.
    /// </summary>
    internal virtual void CheckShape(int[] shape) { }

    /// <summary>
    /// Whether a fill may be deferred and skipped when the weight is loaded: KerasNet's own initializers only, whose
    /// fills have no effect but the values (and the "init" random stream) and whose shape errors
    /// <see cref="CheckShape"/> raises; a user's subclass always runs when the weight is created.
    /// </summary>
    internal bool Deferrable => GetType().Assembly == typeof(Initializer).Assembly;

    /// <summary>A Keras name as an initializer, so <c>kernelInitializer: "he_normal"</c> reads as in Keras.</summary>
    /// <param name="identifier">A Keras initializer name: a class name (<c>"GlorotUniform"</c>, <c>"HeNormal"</c>,
    /// <c>"RandomNormal"</c>, <c>"Zeros"</c>, ...) or its alias (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"random_normal"</c>/<c>"normal"</c>, <c>"zeros"</c>/<c>"zero"</c>, <c>"ones"</c>, <c>"orthogonal"</c>,
    /// <c>"identity"</c>, ...; the list is <see cref="Initializer.Names"/>).</param>
    /// <returns>The initializer with Keras's default arguments.</returns>
    public static implicit operator Initializer(string identifier) => Get(identifier);

    /// <summary>
    /// Resolves a Keras identifier: a class name ("RandomNormal") or its alias ("random_normal", "normal",
    /// "glorot_uniform", "zeros", "zero", ...), with that class's defaults. Unknown names throw.
    /// </summary>
    /// <param name="identifier">A Keras initializer name: a class name (<c>"GlorotUniform"</c>, <c>"HeNormal"</c>,
    /// <c>"RandomNormal"</c>, <c>"Zeros"</c>, ...) or its alias (<c>"glorot_uniform"</c>, <c>"he_normal"</c>,
    /// <c>"random_normal"</c>/<c>"normal"</c>, <c>"zeros"</c>/<c>"zero"</c>, <c>"ones"</c>, <c>"orthogonal"</c>,
    /// <c>"identity"</c>, ...; the list is <see cref="Initializer.Names"/>).</param>
    /// <returns>A new initializer with Keras's default arguments; an unknown name throws, listing the known
    /// ones.</returns>
    public static Initializer Get(string identifier) =>
        Create(identifier, null) ?? throw new KerasNetException($"Unknown initializer '{identifier}'. Known: {string.Join(", ", Names)}.");

    /// <summary>The class names and aliases <see cref="Get"/> knows.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "Zeros", "zeros", "zero", "Ones", "ones", "one", "Constant", "constant",
        "RandomUniform", "random_uniform", "uniform", "RandomNormal", "random_normal", "normal",
        "TruncatedNormal", "truncated_normal", "VarianceScaling", "variance_scaling",
        "GlorotUniform", "glorot_uniform", "GlorotNormal", "glorot_normal", "HeUniform", "he_uniform",
        "HeNormal", "he_normal", "LecunUniform", "lecun_uniform", "LecunNormal", "lecun_normal",
        "Orthogonal", "orthogonal", "OrthogonalInitializer", "orthogonal_initializer",
        "Identity", "identity", "IdentityInitializer",
    ];

    /// <summary>
    /// The initializer a config node describes, in any Keras form (a name, Keras 2's or Keras 3's object);
    /// an <see cref="UnknownInitializer"/> for classes KerasNet does not know. Throws on malformed fields.
    /// </summary>
    internal static Initializer? FromJson(JsonNode? node) => Read(node, "an initializer", Create, s => new UnknownInitializer(s));

    // One table for names and configs. tf.keras 1.x/2.x also wrote the v2 classes as "GlorotUniformV2" etc.
    private static Initializer? Create(string name, KerasObjectSpec? c)
    {
        if (name.Length > 2 && name.EndsWith("V2", StringComparison.Ordinal) && Create(name[..^2], c) is { } v2) return v2;
        return name switch
        {
            "Zeros" or "zeros" or "zero" => new Zeros(),
            "Ones" or "ones" or "one" => new Ones(),
            "Constant" or "constant" => new Constant(c?.Number("value", 0) ?? 0),
            "RandomUniform" or "random_uniform" or "uniform" =>
                new RandomUniform(c?.Number("minval", -0.05) ?? -0.05, c?.Number("maxval", 0.05) ?? 0.05, c?.Seed()),
            "RandomNormal" or "random_normal" or "normal" =>
                new RandomNormal(c?.Number("mean", 0) ?? 0, c?.Number("stddev", 0.05) ?? 0.05, c?.Seed()),
            "TruncatedNormal" or "truncated_normal" =>
                new TruncatedNormal(c?.Number("mean", 0) ?? 0, c?.Number("stddev", 0.05) ?? 0.05, c?.Seed()),
            "VarianceScaling" or "variance_scaling" => new VarianceScaling(c?.Number("scale", 1) ?? 1,
                c?.Text("mode", "fan_in") ?? "fan_in", c?.Text("distribution", "truncated_normal") ?? "truncated_normal", c?.Seed()),
            "GlorotUniform" or "glorot_uniform" => new GlorotUniform(c?.Seed()),
            "GlorotNormal" or "glorot_normal" => new GlorotNormal(c?.Seed()),
            "HeUniform" or "he_uniform" => new HeUniform(c?.Seed()),
            "HeNormal" or "he_normal" => new HeNormal(c?.Seed()),
            "LecunUniform" or "lecun_uniform" => new LecunUniform(c?.Seed()),
            "LecunNormal" or "lecun_normal" => new LecunNormal(c?.Seed()),
            "Orthogonal" or "orthogonal" or "OrthogonalInitializer" or "orthogonal_initializer" =>
                new Orthogonal(c?.Number("gain", 1) ?? 1, c?.Seed()),
            "Identity" or "identity" or "IdentityInitializer" => new Identity(c?.Number("gain", 1) ?? 1),
            _ => null,
        };
    }

    /// <summary>
    /// Refuses to train weights whose initializer KerasNet could not run (an <see cref="UnknownInitializer"/>) and
    /// that were not loaded since: they hold zeros, not what Keras would start from. Call it before training
    /// with the weights the optimizer updates.
    /// </summary>
    /// <exception cref="KerasNetException">Naming the first such weight, its layer and its initializer.</exception>
    internal static void CheckTrainable(IEnumerable<Variable> weights)
    {
        foreach (var v in weights)
        {
            if (v.UninitializedBy is { } cls)
                throw new KerasNetException($"Layer '{v.LayerName}' weight '{v.Name}' uses initializer '{cls}', which KerasNet does not implement; " +
                    "load the weights (LoadWeights/LoadModel) before training, or use a supported initializer.");
        }
    }

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

    /// <summary>A standard normal draw (Box-Muller, one value per pair: what KerasNet's initializers always drew).</summary>
    internal static double StandardNormal(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>A standard normal draw within two standard deviations (redrawn beyond, as TensorFlow's truncated_normal).</summary>
    internal static double TruncatedStandardNormal(Random rng)
    {
        double z;
        do z = StandardNormal(rng); while (Math.Abs(z) > 2);
        return z;
    }
}
