#nullable enable
namespace KerasNet.Optimizers.Schedules;

/// <summary>
/// tf.keras 2.4's InverseTimeDecay: <c>initial_learning_rate / (1 + decay_rate * step / decay_steps)</c>, the ratio
/// floored when <see cref="RateDecaySchedule.Staircase"/>; float32 throughout.
/// </summary>
public sealed class InverseTimeDecay : RateDecaySchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">The learning rate at step 0 (Keras's <c>initial_learning_rate</c>).</param>
    /// <param name="decaySteps">The steps per decay period, positive (Keras's <c>decay_steps</c>).</param>
    /// <param name="decayRate">The decay rate (Keras's <c>decay_rate</c>, required).</param>
    /// <param name="staircase">Whether to decay in whole periods (integer division of the step), Keras's default
    /// false.</param>
    public InverseTimeDecay(double initialLearningRate, double decaySteps, double decayRate, bool staircase = false)
        : base(initialLearningRate, decaySteps, decayRate, staircase, nameof(InverseTimeDecay)) { }

    internal override float Evaluate(float step) => (float)InitialLearningRate / (1f + (float)DecayRate * Periods(step));
}
