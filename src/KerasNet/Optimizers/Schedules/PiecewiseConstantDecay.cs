#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers.Schedules;

/// <summary>
/// tf.keras 2.4's PiecewiseConstantDecay: <c>values[0]</c> while step &lt;= boundaries[0], <c>values[i]</c> while
/// boundaries[i-1] &lt; step &lt;= boundaries[i], <c>values[^1]</c> after the last boundary (boundaries compared in float32).
/// </summary>
public sealed class PiecewiseConstantDecay : LearningRateSchedule
{
    private readonly float[] _boundaries, _values;

    /// <summary>Creates the schedule; <paramref name="values"/> has one more entry than <paramref name="boundaries"/>.</summary>
    /// <param name="boundaries">The increasing steps where the rate changes.</param>
    /// <param name="values">The rates: before the first boundary, between each pair, after the last (one more than the
    /// boundaries).</param>
    public PiecewiseConstantDecay(IReadOnlyList<double> boundaries, IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(boundaries);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count != boundaries.Count + 1)
            throw new KerasNetException($"PiecewiseConstantDecay: the length of boundaries should be 1 less than the length of values, got {boundaries.Count} and {values.Count}.");
        Boundaries = boundaries.ToArray(); Values = values.ToArray();
        _boundaries = Boundaries.Select(b => (float)b).ToArray();
        _values = Values.Select(v => (float)v).ToArray();
    }

    /// <summary>The step boundaries, increasing.</summary>
    public IReadOnlyList<double> Boundaries { get; }
    /// <summary>The rate in each interval.</summary>
    public IReadOnlyList<double> Values { get; }

    internal override float Evaluate(float step)
    {
        if (step <= _boundaries[0]) return _values[0];
        if (step > _boundaries[^1]) return _values[^1];
        for (int i = 1; i < _boundaries.Length; i++)
            if (step > _boundaries[i - 1] && step <= _boundaries[i]) return _values[i];
        return _values[^1]; // unordered boundaries: tf's case() defaults to the last value
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => Config(("boundaries", new JsonArray(Boundaries.Select(b => (JsonNode?)Schedule.Steps(b)).ToArray())),
        ("values", new JsonArray(Values.Select(v => (JsonNode?)v).ToArray())));
}
