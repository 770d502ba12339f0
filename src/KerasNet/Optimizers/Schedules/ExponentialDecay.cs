#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers.Schedules;

/// <summary>
/// tf.keras 2.4's ExponentialDecay: <c>initial_learning_rate * decay_rate ^ (step / decay_steps)</c>, the exponent
/// floored when <see cref="Staircase"/>; float32 throughout.
/// </summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public ExponentialDecay(double initialLearningRate, double decaySteps, double decayRate, bool staircase = false)
    {
        RequirePositive(decaySteps, "decay_steps", nameof(ExponentialDecay));
        InitialLearningRate = initialLearningRate; DecaySteps = decaySteps; DecayRate = decayRate; Staircase = staircase;
    }

    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; }
    /// <summary>Steps per decay period.</summary>
    public double DecaySteps { get; }
    /// <summary>Factor per period.</summary>
    public double DecayRate { get; }
    /// <summary>Whether the rate drops in whole periods.</summary>
    public bool Staircase { get; }

    internal override float Evaluate(float step)
    {
        float p = step / (float)DecaySteps;
        if (Staircase) p = MathF.Floor(p);
        return (float)InitialLearningRate * MathF.Pow((float)DecayRate, p);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => Config(("initial_learning_rate", InitialLearningRate), ("decay_steps", Schedule.Steps(DecaySteps)),
        ("decay_rate", DecayRate), ("staircase", Staircase));
}
