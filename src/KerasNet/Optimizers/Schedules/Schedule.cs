#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers.Schedules;

/// <summary>Config helpers the schedules share.</summary>
internal static class Schedule
{
    /// <summary>A step count as Keras writes it: an integer when it is one (decay_steps 1000, not 1000.0).</summary>
    public static JsonNode Steps(double value) =>
        value == Math.Floor(value) && Math.Abs(value) < 1e15 ? JsonValue.Create((long)value) : JsonValue.Create(value);
}
