#nullable enable
using System.Text.Json.Nodes;

namespace KerasNet.Optimizers.Schedules;

/// <summary>
/// tf.keras 2.4's CosineDecayRestarts (SGDR): cosine decay over periods that grow by <see cref="TMul"/>, each restart's
/// peak scaled by <see cref="MMul"/>; float32 throughout.
/// </summary>
public sealed class CosineDecayRestarts : LearningRateSchedule
{
    /// <summary>Creates the schedule with Keras's defaults.</summary>
    /// <param name="initialLearningRate">The learning rate at step 0 (Keras's <c>initial_learning_rate</c>).</param>
    /// <param name="firstDecaySteps">Steps of the first period, positive (Keras's <c>first_decay_steps</c>).</param>
    /// <param name="tMul">Factor on the length of each next period (Keras's <c>t_mul</c>, default 2.0).</param>
    /// <param name="mMul">Factor on the initial rate of each next period (Keras's <c>m_mul</c>, default 1.0).</param>
    /// <param name="alpha">The floor, as a fraction of the initial rate (Keras's default 0.0).</param>
    public CosineDecayRestarts(double initialLearningRate, double firstDecaySteps, double tMul = 2.0, double mMul = 1.0, double alpha = 0.0)
    {
        RequirePositive(firstDecaySteps, "first_decay_steps", nameof(CosineDecayRestarts));
        InitialLearningRate = initialLearningRate; FirstDecaySteps = firstDecaySteps; TMul = tMul; MMul = mMul; Alpha = alpha;
    }

    /// <summary>The rate at step 0.</summary>
    public double InitialLearningRate { get; }
    /// <summary>Steps of the first period.</summary>
    public double FirstDecaySteps { get; }
    /// <summary>Growth of each period.</summary>
    public double TMul { get; }
    /// <summary>Scale of each restart's peak.</summary>
    public double MMul { get; }
    /// <summary>The floor, as a fraction of the starting rate.</summary>
    public double Alpha { get; }

    internal override float Evaluate(float step)
    {
        float first = (float)FirstDecaySteps, alpha = (float)Alpha, tMul = (float)TMul, mMul = (float)MMul;
        float fraction = step / first;
        float restart;
        if (tMul == 1f)
        {
            restart = MathF.Floor(fraction);
            fraction -= restart;
        }
        else
        {
            restart = MathF.Floor(MathF.Log(1f - fraction * (1f - tMul)) / MathF.Log(tMul));
            float sum = (1f - MathF.Pow(tMul, restart)) / (1f - tMul);
            fraction = (fraction - sum) / MathF.Pow(tMul, restart);
        }
        float mFac = MathF.Pow(mMul, restart);
        float cosine = 0.5f * mFac * (1f + MathF.Cos(MathF.PI * fraction));
        return (float)InitialLearningRate * ((1f - alpha) * cosine + alpha);
    }

    /// <inheritdoc/>
    public override JsonObject GetConfig() => Config(("initial_learning_rate", InitialLearningRate), ("first_decay_steps", Schedule.Steps(FirstDecaySteps)),
        ("t_mul", TMul), ("m_mul", MMul), ("alpha", Alpha));
}
