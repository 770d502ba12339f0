#nullable enable
namespace KerasNet.Optimizers.Schedules;

/// <summary>
/// tf.keras 2.4's ExponentialDecay: <c>initial_learning_rate * decay_rate ^ (step / decay_steps)</c>, the exponent
/// floored when <see cref="RateDecaySchedule.Staircase"/>; float32 throughout.
/// </summary>
public sealed class ExponentialDecay : RateDecaySchedule
{
    /// <summary>Creates the schedule.</summary>
    public ExponentialDecay(double initialLearningRate, double decaySteps, double decayRate, bool staircase = false)
        : base(initialLearningRate, decaySteps, decayRate, staircase, nameof(ExponentialDecay)) { }

    internal override float Evaluate(float step) => (float)InitialLearningRate * MathF.Pow((float)DecayRate, Periods(step));
}
