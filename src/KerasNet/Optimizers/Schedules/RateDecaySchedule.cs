#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers.Schedules;

/// <summary>
/// What tf.keras's ExponentialDecay and InverseTimeDecay share: <c>initial_learning_rate</c>, <c>decay_steps</c>,
/// <c>decay_rate</c> and <c>staircase</c>, their config, and the (optionally floored) count of decay periods.
/// </summary>
public abstract class RateDecaySchedule : LearningRateSchedule
{
    /// <summary>Checks and keeps the arguments (<paramref name="cls"/> names the schedule in errors).</summary>
    private protected RateDecaySchedule(double initialLearningRate, double decaySteps, double decayRate, bool staircase, string cls)
    {
        RequirePositive(decaySteps, "decay_steps", cls);
        InitialLearningRate = initialLearningRate; DecaySteps = decaySteps; DecayRate = decayRate; Staircase = staircase;
    }

    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; }
    /// <summary>Steps per decay period.</summary>
    public double DecaySteps { get; }
    /// <summary>The decay per period.</summary>
    public double DecayRate { get; }
    /// <summary>Whether the rate changes in whole periods only.</summary>
    public bool Staircase { get; }

    /// <summary>step / decay_steps in float32, floored when <see cref="Staircase"/> (as tf.keras computes it).</summary>
    private protected float Periods(float step)
    {
        float p = step / (float)DecaySteps;
        return Staircase ? MathF.Floor(p) : p;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => Config(("initial_learning_rate", InitialLearningRate), ("decay_steps", Schedule.Steps(DecaySteps)),
        ("decay_rate", DecayRate), ("staircase", Staircase));
}
