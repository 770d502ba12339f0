#nullable enable
namespace KerasNet.Optimizers.Schedules;

/// <summary>
/// tf.keras 2.4's InverseTimeDecay: <c>initial_learning_rate / (1 + decay_rate * step / decay_steps)</c>, the ratio
/// floored when <see cref="RateDecaySchedule.Staircase"/>; float32 throughout.
/// </summary>
public sealed class InverseTimeDecay : RateDecaySchedule
{
    /// <summary>Creates the schedule.</summary>
    public InverseTimeDecay(double initialLearningRate, double decaySteps, double decayRate, bool staircase = false)
        : base(initialLearningRate, decaySteps, decayRate, staircase, nameof(InverseTimeDecay)) { }

    internal override float Evaluate(float step) => (float)InitialLearningRate / (1f + (float)DecayRate * Periods(step));
}
