#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers.Schedules;

/// <summary>
/// CosineDecay: <c>lr * ((1 - alpha) * 0.5 * (1 + cos(pi * step / decay_steps)) + alpha)</c> with the step capped at
/// decay_steps (tf.keras 2.4), and Keras 3's linear warmup from initial_learning_rate to <see cref="WarmupTarget"/>
/// over <see cref="WarmupSteps"/> before the decay (the decay then starts from the target); float32 throughout.
/// </summary>
public sealed class CosineDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule with Keras's defaults (no warmup).</summary>
    /// <param name="initialLearningRate">The learning rate at step 0 (Keras's <c>initial_learning_rate</c>). With
    /// warmup, the rate warmup starts from.</param>
    /// <param name="decaySteps">Steps to decay over, positive (Keras's <c>decay_steps</c>).</param>
    /// <param name="alpha">The floor, as a fraction of the initial rate (Keras's default 0.0).</param>
    /// <param name="warmupTarget">The rate reached after warmup; null (Keras's default) means no warmup.</param>
    /// <param name="warmupSteps">Steps of linear warmup before the decay (Keras's default 0).</param>
    public CosineDecay(double initialLearningRate, double decaySteps, double alpha = 0.0, double? warmupTarget = null, double warmupSteps = 0)
    {
        RequirePositive(decaySteps, "decay_steps", nameof(CosineDecay));
        if (warmupTarget != null) RequirePositive(warmupSteps, "warmup_steps (with warmup_target)", nameof(CosineDecay));
        InitialLearningRate = initialLearningRate; DecaySteps = decaySteps; Alpha = alpha; WarmupTarget = warmupTarget; WarmupSteps = warmupSteps;
    }

    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; }
    /// <summary>Steps of the cosine decay.</summary>
    public double DecaySteps { get; }
    /// <summary>The floor, as a fraction of the starting rate.</summary>
    public double Alpha { get; }
    /// <summary>Keras 3: the rate reached by the warmup (null: no warmup).</summary>
    public double? WarmupTarget { get; }
    /// <summary>Keras 3: the warmup's length in steps.</summary>
    public double WarmupSteps { get; }

    internal override float Evaluate(float step)
    {
        float decaySteps = (float)DecaySteps;
        if (WarmupTarget is not double target) return Decayed(MathF.Min(step, decaySteps), decaySteps, (float)InitialLearningRate);
        float warmupSteps = (float)WarmupSteps, initial = (float)InitialLearningRate, t = (float)target;
        step = MathF.Min(step, decaySteps + warmupSteps);
        if (step < warmupSteps) return (t - initial) * (step / warmupSteps) + initial;
        return Decayed(step - warmupSteps, decaySteps, t);
    }

    // (1 - alpha) is a Python float product, cast to float32 only when it meets the float32 cosine.
    private float Decayed(float step, float decaySteps, float from)
    {
        float fraction = step / decaySteps;
        float cosine = 0.5f * (1f + MathF.Cos(MathF.PI * fraction));
        return from * ((float)(1 - Alpha) * cosine + (float)Alpha);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = Config(("initial_learning_rate", InitialLearningRate), ("decay_steps", Schedule.Steps(DecaySteps)), ("alpha", Alpha));
        if (WarmupTarget != null)
        {
            c["warmup_target"] = WarmupTarget;
            c["warmup_steps"] = Schedule.Steps(WarmupSteps);
        }
        return c;
    }
}
