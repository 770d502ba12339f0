#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Layers;

/// <summary>
/// An initializer that draws random values: from the seed given (the same values on every call, as a seeded Keras
/// initializer), else from KerasNet's "init" stream (<see cref="KerasRandom.SetRandomSeed"/> makes a run repeat).
/// </summary>
public abstract class RandomInitializer : Initializer
{
    /// <summary>Stores the seed.</summary>
    private protected RandomInitializer(int? seed) => Seed = seed;

    /// <summary>The seed given, if any.</summary>
    public int? Seed { get; }

    /// <summary>The generator for one <see cref="Initializer.Fill"/>.</summary>
    private protected Random Rng() => KerasRandom.For(Seed, "init");

    /// <inheritdoc/>
    internal override JsonObject GetKeras3Config() => SeedFirst(GetConfig());
}

/// <summary>Uniform in [minval, maxval) (Keras RandomUniform; defaults -0.05, 0.05).</summary>
/// <param name="minval">The lower bound, inclusive (Keras's default -0.05).</param>
/// <param name="maxval">The upper bound, exclusive (Keras's default 0.05).</param>
/// <param name="seed">A seed for reproducible draws; null (Keras's default <c>seed=None</c>) draws from the context's
/// random streams, which <see cref="KerasNet.KerasRandom.SetRandomSeed(System.Int32)"/> seeds.</param>
public sealed class RandomUniform(double minval = -0.05, double maxval = 0.05, int? seed = null) : RandomInitializer(seed)
{
    /// <summary>Lower bound (inclusive).</summary>
    public double Minval { get; } = minval;

    /// <summary>Upper bound (exclusive).</summary>
    public double Maxval { get; } = maxval;

    /// <inheritdoc/>
    public override string ClassName => "RandomUniform";

    /// <inheritdoc/>
    public override void Fill(Span<float> values, int[] shape)
    {
        var rng = Rng();
        for (int i = 0; i < values.Length; i++) values[i] = (float)(Minval + rng.NextDouble() * (Maxval - Minval));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["minval"] = Minval, ["maxval"] = Maxval, ["seed"] = Seed });
}

/// <summary>Normal with the given mean and standard deviation (Keras RandomNormal; defaults 0, 0.05).</summary>
/// <param name="mean">The mean (Keras's default 0.0).</param>
/// <param name="stddev">The standard deviation (Keras's default 0.05).</param>
/// <param name="seed">A seed for reproducible draws; null (Keras's default <c>seed=None</c>) draws from the context's
/// random streams, which <see cref="KerasNet.KerasRandom.SetRandomSeed(System.Int32)"/> seeds.</param>
public sealed class RandomNormal(double mean = 0.0, double stddev = 0.05, int? seed = null) : RandomInitializer(seed)
{
    /// <summary>Mean.</summary>
    public double Mean { get; } = mean;

    /// <summary>Standard deviation.</summary>
    public double Stddev { get; } = stddev;

    /// <inheritdoc/>
    public override string ClassName => "RandomNormal";

    /// <inheritdoc/>
    public override void Fill(Span<float> values, int[] shape)
    {
        var rng = Rng();
        for (int i = 0; i < values.Length; i++) values[i] = (float)(Mean + Stddev * StandardNormal(rng));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["mean"] = Mean, ["stddev"] = Stddev, ["seed"] = Seed });
}

/// <summary>
/// Normal with the given mean and standard deviation, values beyond two standard deviations redrawn
/// (Keras TruncatedNormal; defaults 0, 0.05). The spread after truncation is about 0.88 stddev.
/// </summary>
/// <param name="mean">The mean (Keras's default 0.0).</param>
/// <param name="stddev">The standard deviation before truncation (Keras's default 0.05).</param>
/// <param name="seed">A seed for reproducible draws; null (Keras's default <c>seed=None</c>) draws from the context's
/// random streams, which <see cref="KerasNet.KerasRandom.SetRandomSeed(System.Int32)"/> seeds.</param>
public sealed class TruncatedNormal(double mean = 0.0, double stddev = 0.05, int? seed = null) : RandomInitializer(seed)
{
    /// <summary>Mean.</summary>
    public double Mean { get; } = mean;

    /// <summary>Standard deviation before truncation.</summary>
    public double Stddev { get; } = stddev;

    /// <inheritdoc/>
    public override string ClassName => "TruncatedNormal";

    /// <inheritdoc/>
    public override void Fill(Span<float> values, int[] shape)
    {
        var rng = Rng();
        for (int i = 0; i < values.Length; i++) values[i] = (float)(Mean + Stddev * TruncatedStandardNormal(rng));
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["mean"] = Mean, ["stddev"] = Stddev, ["seed"] = Seed });
}

/// <summary>
/// Keras VarianceScaling: variance <c>scale / n</c>, n the fan in, fan out or their mean (<c>mode</c>), drawn from a
/// truncated normal (standard deviation corrected for the truncation), an untruncated normal or a uniform
/// (<c>distribution</c>; the legacy "normal" means "truncated_normal", as in Keras).
/// </summary>
public class VarianceScaling : RandomInitializer
{
    /// <summary>Creates the initializer with Keras's defaults (1.0, "fan_in", "truncated_normal").</summary>
    /// <param name="scale">Scaling factor of the variance, positive (Keras default 1.0).</param>
    /// <param name="mode">Which fan n divides the variance: "fan_in" (Keras's default: input units), "fan_out" (output units) or "fan_avg" (their mean).</param>
    /// <param name="distribution">"truncated_normal" (Keras's default; cut at two standard deviations, the deviation corrected for the cut), "untruncated_normal", "uniform" (within +-sqrt(3 scale / n)), or the legacy "normal" (read as "truncated_normal", as Keras does).</param>
    /// <param name="seed">Seed for reproducible values; null draws from the context's generator (Keras's default: unseeded).</param>
    public VarianceScaling(double scale = 1.0, string mode = "fan_in", string distribution = "truncated_normal", int? seed = null)
        : base(seed)
    {
        if (!(scale > 0)) throw new KerasNetException($"VarianceScaling: scale must be positive, got {scale}.");
        if (mode is not ("fan_in" or "fan_out" or "fan_avg"))
            throw new KerasNetException($"VarianceScaling: mode must be one of fan_in, fan_out, fan_avg, got '{mode}'.");
        distribution = distribution.ToLowerInvariant();
        if (distribution == "normal") distribution = "truncated_normal";
        if (distribution is not ("uniform" or "truncated_normal" or "untruncated_normal"))
            throw new KerasNetException($"VarianceScaling: distribution must be one of uniform, truncated_normal, untruncated_normal, got '{distribution}'.");
        Scale = scale; Mode = mode; Distribution = distribution;
    }

    /// <summary>Scaling factor.</summary>
    public double Scale { get; }

    /// <summary>"fan_in", "fan_out" or "fan_avg".</summary>
    public string Mode { get; }

    /// <summary>"truncated_normal", "untruncated_normal" or "uniform".</summary>
    public string Distribution { get; }

    /// <inheritdoc/>
    public override string ClassName => "VarianceScaling";

    /// <summary>The bound of the uniform distribution.</summary>
    private protected virtual double UniformLimit(double fanIn, double fanOut) => Math.Sqrt(3 * Variance(fanIn, fanOut));

    private double Variance(double fanIn, double fanOut)
    {
        double n = Mode switch { "fan_in" => fanIn, "fan_out" => fanOut, _ => (fanIn + fanOut) / 2 };
        return Scale / Math.Max(1.0, n);
    }

    /// <inheritdoc/>
    public override void Fill(Span<float> values, int[] shape)
    {
        var (fi, fo) = Fans(shape);
        var rng = Rng();
        if (Distribution == "uniform")
        {
            double limit = UniformLimit(fi, fo);
            for (int i = 0; i < values.Length; i++) values[i] = (float)((rng.NextDouble() * 2 - 1) * limit);
            return;
        }
        double std = Math.Sqrt(Variance(fi, fo));
        if (Distribution == "untruncated_normal")
        {
            for (int i = 0; i < values.Length; i++) values[i] = (float)(StandardNormal(rng) * std);
            return;
        }
        // Keras's constant: the standard deviation of a unit normal truncated at two standard deviations.
        std /= 0.87962566103423978;
        for (int i = 0; i < values.Length; i++) values[i] = (float)(TruncatedStandardNormal(rng) * std);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() =>
        AsRead(new() { ["scale"] = Scale, ["mode"] = Mode, ["distribution"] = Distribution, ["seed"] = Seed });
}

/// <summary>A named VarianceScaling form: Keras writes only its seed.</summary>
public abstract class NamedVarianceScaling : VarianceScaling
{
    private protected NamedVarianceScaling(double scale, string mode, string distribution, int? seed) : base(scale, mode, distribution, seed) { }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["seed"] = Seed });
}

/// <summary>Uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)): Keras's default kernel initializer.</summary>
/// <param name="seed">A seed for reproducible draws; null (Keras's default <c>seed=None</c>) draws from the context's
/// random streams, which <see cref="KerasNet.KerasRandom.SetRandomSeed(System.Int32)"/> seeds.</param>
public sealed class GlorotUniform(int? seed = null) : NamedVarianceScaling(1.0, "fan_avg", "uniform", seed)
{
    /// <inheritdoc/>
    public override string ClassName => "GlorotUniform";

    // KerasNet's formula since its first version (equal to sqrt(3 * scale / n) up to rounding), so seeded runs repeat bit for bit.
    private protected override double UniformLimit(double fanIn, double fanOut) => Math.Sqrt(6.0 / Math.Max(1.0, fanIn + fanOut));
}

/// <summary>Truncated normal with stddev sqrt(2 / (fan_in + fan_out)).</summary>
/// <param name="seed">A seed for reproducible draws; null (Keras's default <c>seed=None</c>) draws from the context's
/// random streams, which <see cref="KerasNet.KerasRandom.SetRandomSeed(System.Int32)"/> seeds.</param>
public sealed class GlorotNormal(int? seed = null) : NamedVarianceScaling(1.0, "fan_avg", "truncated_normal", seed)
{
    /// <inheritdoc/>
    public override string ClassName => "GlorotNormal";
}

/// <summary>Uniform in [-limit, limit], limit = sqrt(6 / fan_in).</summary>
/// <param name="seed">A seed for reproducible draws; null (Keras's default <c>seed=None</c>) draws from the context's
/// random streams, which <see cref="KerasNet.KerasRandom.SetRandomSeed(System.Int32)"/> seeds.</param>
public sealed class HeUniform(int? seed = null) : NamedVarianceScaling(2.0, "fan_in", "uniform", seed)
{
    /// <inheritdoc/>
    public override string ClassName => "HeUniform";
}

/// <summary>Truncated normal with stddev sqrt(2 / fan_in).</summary>
/// <param name="seed">A seed for reproducible draws; null (Keras's default <c>seed=None</c>) draws from the context's
/// random streams, which <see cref="KerasNet.KerasRandom.SetRandomSeed(System.Int32)"/> seeds.</param>
public sealed class HeNormal(int? seed = null) : NamedVarianceScaling(2.0, "fan_in", "truncated_normal", seed)
{
    /// <inheritdoc/>
    public override string ClassName => "HeNormal";
}

/// <summary>Uniform in [-limit, limit], limit = sqrt(3 / fan_in).</summary>
/// <param name="seed">A seed for reproducible draws; null (Keras's default <c>seed=None</c>) draws from the context's
/// random streams, which <see cref="KerasNet.KerasRandom.SetRandomSeed(System.Int32)"/> seeds.</param>
public sealed class LecunUniform(int? seed = null) : NamedVarianceScaling(1.0, "fan_in", "uniform", seed)
{
    /// <inheritdoc/>
    public override string ClassName => "LecunUniform";
}

/// <summary>Truncated normal with stddev sqrt(1 / fan_in).</summary>
/// <param name="seed">A seed for reproducible draws; null (Keras's default <c>seed=None</c>) draws from the context's
/// random streams, which <see cref="KerasNet.KerasRandom.SetRandomSeed(System.Int32)"/> seeds.</param>
public sealed class LecunNormal(int? seed = null) : NamedVarianceScaling(1.0, "fan_in", "truncated_normal", seed)
{
    /// <inheritdoc/>
    public override string ClassName => "LecunNormal";
}

/// <summary>
/// A random orthogonal matrix times <c>gain</c> (Keras Orthogonal): the weight is seen as a
/// (product of all but the last dimension, last dimension) matrix, and the Q of the QR decomposition of a normal
/// matrix, with R's diagonal made positive, fills it (orthonormal columns, or rows when it is wide;
/// <see cref="OrthogonalMatrix"/>).
/// </summary>
/// <param name="gain">The factor on the orthogonal matrix (Keras's default 1.0).</param>
/// <param name="seed">A seed for reproducible draws; null (Keras's default <c>seed=None</c>) draws from the context's
/// random streams, which <see cref="KerasNet.KerasRandom.SetRandomSeed(System.Int32)"/> seeds.</param>
public sealed class Orthogonal(double gain = 1.0, int? seed = null) : RandomInitializer(seed)
{
    /// <summary>The factor on the orthogonal matrix.</summary>
    public double Gain { get; } = gain;

    /// <inheritdoc/>
    public override string ClassName => "Orthogonal";

    /// <inheritdoc/>
    public override void Fill(Span<float> values, int[] shape)
    {
        CheckShape(shape);
        int cols = shape[^1], rows = values.Length / Math.Max(1, cols);
        OrthogonalMatrix.Fill(values, rows, cols, Gain, Rng());
    }

    /// <inheritdoc/>
    internal override void CheckShape(int[] shape)
    {
        if (shape.Length < 2)
            throw new KerasNetException($"The Orthogonal initializer needs a weight of at least 2 dimensions, got shape {Engine.ShapeUtil.Format(shape)}.");
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => AsRead(new() { ["gain"] = Gain, ["seed"] = Seed });
}
