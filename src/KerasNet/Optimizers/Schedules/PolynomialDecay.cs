#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers.Schedules;

/// <summary>
/// tf.keras 2.4's PolynomialDecay: <c>(initial - end) * (1 - step / decay_steps) ^ power + end</c> with the step capped
/// at decay_steps, or with <see cref="Cycle"/> decay_steps stretched to the first multiple at or past the step
/// (1 at step 0); float32 throughout.
/// </summary>
public sealed class PolynomialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule with Keras's defaults.</summary>
    /// <param name="initialLearningRate">The learning rate at step 0 (Keras's <c>initial_learning_rate</c>).</param>
    /// <param name="decaySteps">Steps to decay over, positive (Keras's <c>decay_steps</c>).</param>
    /// <param name="endLearningRate">The rate reached at <paramref name="decaySteps"/> (Keras's default
    /// 0.0001).</param>
    /// <param name="power">The polynomial's power (Keras's default 1.0, linear).</param>
    /// <param name="cycle">Whether to restart beyond <paramref name="decaySteps"/> with a longer period (Keras's
    /// default false).</param>
    public PolynomialDecay(double initialLearningRate, double decaySteps, double endLearningRate = 0.0001, double power = 1.0, bool cycle = false)
    {
        RequirePositive(decaySteps, "decay_steps", nameof(PolynomialDecay));
        InitialLearningRate = initialLearningRate; DecaySteps = decaySteps; EndLearningRate = endLearningRate; Power = power; Cycle = cycle;
    }

    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; }
    /// <summary>Steps to reach the end rate.</summary>
    public double DecaySteps { get; }
    /// <summary>The final rate.</summary>
    public double EndLearningRate { get; }
    /// <summary>The polynomial's power.</summary>
    public double Power { get; }
    /// <summary>Whether the decay restarts past decay_steps.</summary>
    public bool Cycle { get; }

    internal override float Evaluate(float step)
    {
        float decaySteps = (float)DecaySteps;
        if (Cycle)
        {
            float multiplier = step == 0 ? 1f : MathF.Ceiling(step / decaySteps);
            decaySteps *= multiplier;
        }
        else step = MathF.Min(step, decaySteps);
        float p = step / decaySteps;
        float initial = (float)InitialLearningRate, end = (float)EndLearningRate;
        return (initial - end) * MathF.Pow(1 - p, (float)Power) + end;
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => Config(("initial_learning_rate", InitialLearningRate), ("decay_steps", Schedule.Steps(DecaySteps)),
        ("end_learning_rate", EndLearningRate), ("power", Power), ("cycle", Cycle));
}
