#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers.Schedules;

/// <summary>
/// tf.keras 2.4's InverseTimeDecay: <c>initial_learning_rate / (1 + decay_rate * step / decay_steps)</c>, the ratio
/// floored when <see cref="Staircase"/>; float32 throughout.
/// </summary>
public sealed class InverseTimeDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    public InverseTimeDecay(double initialLearningRate, double decaySteps, double decayRate, bool staircase = false)
    {
        RequirePositive(decaySteps, "decay_steps", nameof(InverseTimeDecay));
        InitialLearningRate = initialLearningRate; DecaySteps = decaySteps; DecayRate = decayRate; Staircase = staircase;
    }

    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; }
    /// <summary>Steps per unit of decay.</summary>
    public double DecaySteps { get; }
    /// <summary>Decay per unit.</summary>
    public double DecayRate { get; }
    /// <summary>Whether the ratio is floored.</summary>
    public bool Staircase { get; }

    internal override float Evaluate(float step)
    {
        float p = step / (float)DecaySteps;
        if (Staircase) p = MathF.Floor(p);
        return (float)InitialLearningRate / (1f + (float)DecayRate * p);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => Config(("initial_learning_rate", InitialLearningRate), ("decay_steps", Schedule.Steps(DecaySteps)),
        ("decay_rate", DecayRate), ("staircase", Staircase));
}
