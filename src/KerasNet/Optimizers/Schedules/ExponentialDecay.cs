#nullable enable
namespace KerasNet.Optimizers.Schedules;

/// <summary>
/// tf.keras 2.4's ExponentialDecay: <c>initial_learning_rate * decay_rate ^ (step / decay_steps)</c>, the exponent
/// floored when <see cref="RateDecaySchedule.Staircase"/>; float32 throughout.
/// </summary>
public sealed class ExponentialDecay : RateDecaySchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">The learning rate at step 0 (Keras's <c>initial_learning_rate</c>).</param>
    /// <param name="decaySteps">The steps per decay period, positive (Keras's <c>decay_steps</c>).</param>
    /// <param name="decayRate">The decay rate (Keras's <c>decay_rate</c>, required).</param>
    /// <param name="staircase">Whether to decay in whole periods (integer division of the step), Keras's default
    /// false.</param>
    public ExponentialDecay(double initialLearningRate, double decaySteps, double decayRate, bool staircase = false)
        : base(initialLearningRate, decaySteps, decayRate, staircase, nameof(ExponentialDecay)) { }

    internal override float Evaluate(float step) => (float)InitialLearningRate * MathF.Pow((float)DecayRate, Periods(step));
}
