#nullable enable
using KerasNet.Optimizers.Schedules;

namespace KerasNet.Optimizers;

/// <summary>
/// An optimizer's <c>learning_rate</c> argument: a number or a <see cref="LearningRateSchedule"/>, as Keras accepts
/// either. Converts implicitly from both, so <c>new SGD(0.1)</c> and <c>new SGD(new ExponentialDecay(0.1, 100, 0.9))</c>
/// both compile; <c>default</c> means the optimizer's own Keras default.
/// </summary>
public readonly struct LearningRateSetting
{
    private readonly double _value;
    private readonly bool _given;

    private LearningRateSetting(double value, LearningRateSchedule? schedule)
    {
        _value = value; Schedule = schedule; _given = true;
    }

    /// <summary>The schedule, or null for a constant learning rate.</summary>
    public LearningRateSchedule? Schedule { get; }

    /// <summary>The constant value, or <paramref name="fallback"/> when none was given.</summary>
    internal double ValueOr(double fallback) => _given && Schedule == null ? _value : fallback;

    /// <summary>A constant learning rate.</summary>
    /// <param name="value">The learning rate, positive.</param>
    /// <returns>The value as a <see cref="LearningRateSetting"/>.</returns>
    public static implicit operator LearningRateSetting(double value) => new(value, null);

    /// <summary>A learning rate evaluated at the optimizer's <c>iterations</c> on every step.</summary>
    /// <param name="schedule">The schedule (<see cref="KerasNet.Optimizers.Schedules.ExponentialDecay"/>, ...).</param>
    /// <returns>The value as a <see cref="LearningRateSetting"/>.</returns>
    public static implicit operator LearningRateSetting(LearningRateSchedule schedule) =>
        new(0, schedule ?? throw new ArgumentNullException(nameof(schedule)));
}
