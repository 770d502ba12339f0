#nullable enable
using KerasNet.Utils;

namespace KerasNet.Callbacks;

/// <summary>
/// Sets the learning rate at the start of every epoch from a schedule, like tf.keras 2.4's
/// <c>LearningRateScheduler(schedule, verbose)</c>: <c>schedule(epoch, lr)</c> gets the 0-based epoch and the current
/// learning rate (the float32 value Keras holds) and returns the new one, which is stored as float32. At the end of
/// every epoch the learning rate is added to the logs as "lr", as in Keras.
/// </summary>
public sealed class LearningRateScheduler : Callback
{
    private readonly Func<int, double, double> _schedule;

    /// <summary>Creates the callback from <c>schedule(epoch, lr)</c>.</summary>
    /// <param name="schedule">The new learning rate from the 0-based epoch and the current learning rate.</param>
    /// <param name="verbose">1 prints <c>Epoch 00001: LearningRateScheduler reducing learning rate to 0.01.</c> every epoch.</param>
    public LearningRateScheduler(Func<int, double, double> schedule, int verbose = 0)
    {
        _schedule = schedule ?? throw new KerasNetException("LearningRateScheduler: schedule must not be null.");
        Verbose = verbose;
    }

    /// <summary>Creates the callback from the older one-argument <c>schedule(epoch)</c>, which Keras also accepts.</summary>
    /// <param name="schedule">Keras's one-argument <c>schedule(epoch)</c>: the learning rate for a 0-based epoch.</param>
    /// <param name="verbose">0 (Keras's default) silent, 1 prints the rate it sets at each epoch.</param>
    public LearningRateScheduler(Func<int, double> schedule, int verbose = 0)
        : this(schedule is null ? null! : (epoch, _) => schedule(epoch), verbose) { }

    /// <summary>Verbosity.</summary>
    public int Verbose { get; }

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs)
    {
        var optimizer = LearningRateText.OptimizerOf(Model, nameof(LearningRateScheduler));
        double lr = _schedule(epoch, (float)optimizer.LearningRate);
        if (!double.IsFinite(lr)) throw new KerasNetException($"LearningRateScheduler: the schedule returned {PyText.Repr(lr)} for epoch {epoch}; the learning rate must be a finite float.");
        optimizer.LearningRate = (float)lr;
        // Keras 2.4's text says "reducing" whatever the direction of the change.
        if (Verbose > 0) LearningRateText.Print(Model!, $"\nEpoch {epoch + 1:00000}: LearningRateScheduler reducing learning rate to {PyText.Repr(lr)}.");
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) =>
        logs["lr"] = (float)LearningRateText.OptimizerOf(Model, nameof(LearningRateScheduler)).LearningRate;
}
