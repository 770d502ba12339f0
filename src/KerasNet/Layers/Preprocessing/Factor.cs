#nullable enable
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using KerasNet.Saving;

namespace KerasNet.Layers;

/// <summary>
/// A Keras augmentation factor as it was written: one number (<c>factor=0.2</c>) or a pair of bounds
/// (<c>factor=(-0.2, 0.3)</c>). What a single number means depends on the layer (RandomRotation's 0.2 is
/// [-0.2, 0.2], RandomContrast's 0.2 is [1 - 0.2, 1 + 0.2]); the config writes it back in the form it was given.
/// </summary>
public readonly struct Factor : IEquatable<Factor>
{
    /// <summary>A single number.</summary>
    /// <param name="value">The number (a factor, or the half-width of a symmetric range, as the layer reads it).</param>
    public Factor(double value) => (Low, High, IsPair) = (value, value, false);

    /// <summary>A pair of bounds (lower, upper).</summary>
    /// <param name="low">The lower bound.</param>
    /// <param name="high">The upper bound.</param>
    public Factor(double low, double high) => (Low, High, IsPair) = (low, high, true);

    /// <summary>The first number (the single value when not a pair).</summary>
    public double Low { get; }

    /// <summary>The second number (the single value when not a pair).</summary>
    public double High { get; }

    /// <summary>Whether the factor was given as two bounds.</summary>
    public bool IsPair { get; }

    /// <summary>A single number.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The value as a <see cref="Factor"/>.</returns>
    public static implicit operator Factor(double value) => new(value);

    /// <summary>A pair of bounds.</summary>
    /// <param name="bounds">The (lower, upper) bounds.</param>
    /// <returns>The pair of bounds.</returns>
    public static implicit operator Factor((double Low, double High) bounds) => new(bounds.Low, bounds.High);

    /// <summary>The Keras JSON form: a number or [low, high].</summary>
    internal JsonNode ToJson() => IsPair ? new JsonArray(Low, High) : JsonValue.Create(Low);

    /// <summary>Reads a number or a two-number list; null when absent (or JSON null).</summary>
    internal static Factor? Read(LayerConfigReader c, string key)
    {
        var n = c.Config[key];
        if (n is null) return null;
        if (n is JsonValue v && v.GetValueKind() == JsonValueKind.Number) return new Factor(v.GetValue<double>());
        if (n is JsonArray a && a.Count == 2 && a.All(e => e is JsonValue ev && ev.GetValueKind() == JsonValueKind.Number))
            return new Factor(a[0]!.GetValue<double>(), a[1]!.GetValue<double>());
        throw c.Error($"field '{key}' should be a number or a list of two numbers, got {n.ToJsonString()}.");
    }

    /// <inheritdoc/>
    public bool Equals(Factor other) => Low == other.Low && High == other.High && IsPair == other.IsPair;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Factor f && Equals(f);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Low, High, IsPair);

    /// <summary>Equality.</summary>
    /// <param name="a">The first value.</param>
    /// <param name="b">The second value.</param>
    /// <returns>Whether the two are equal.</returns>
    public static bool operator ==(Factor a, Factor b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    /// <param name="a">The first value.</param>
    /// <param name="b">The second value.</param>
    /// <returns>Whether the two differ.</returns>
    public static bool operator !=(Factor a, Factor b) => !a.Equals(b);

    /// <inheritdoc/>
    public override string ToString() => IsPair
        ? string.Create(CultureInfo.InvariantCulture, $"({Low}, {High})")
        : Low.ToString(CultureInfo.InvariantCulture);
}
