#nullable enable
using KerasNet.Utils;

namespace KerasNet.Callbacks;

/// <summary>
/// Reduces the learning rate when a monitored value has stopped improving, like tf.keras 2.4's
/// <c>ReduceLROnPlateau</c>: after <see cref="Patience"/> epochs without improvement (outside a cooldown) the
/// optimizer's learning rate becomes <c>max(lr * factor, minLr)</c>, as long as it is above <see cref="MinLr"/>.
/// The learning rate is a float32 variable in Keras; it is read and stored as float32 here too, so the sequence
/// and the printed value (<c>'%s' % new_lr</c>, the double product) match Keras's. Every epoch adds the current
/// learning rate to the logs as "lr", so History and CSVLogger see it, as in Keras.
/// </summary>
public sealed class ReduceLROnPlateau : Callback
{
    private readonly bool _max;

    /// <summary>Creates the callback with Keras's defaults.</summary>
    /// <param name="monitor">Log key to watch ("val_loss", "loss", "val_accuracy", ...).</param>
    /// <param name="factor">Multiplier of the learning rate, below 1.</param>
    /// <param name="patience">Epochs without improvement before the learning rate is reduced.</param>
    /// <param name="verbose">1 prints <c>Epoch 00005: ReduceLROnPlateau reducing learning rate to 0.0001.</c></param>
    /// <param name="mode">"auto" (max when the monitor's name contains "acc", else min), "min" or "max". Keras's
    /// default: <c>"auto"</c>.</param>
    /// <param name="minDelta">Threshold of a significant change: an improvement beats the best by more than this.</param>
    /// <param name="cooldown">Epochs to wait after a reduction before counting epochs without improvement again.</param>
    /// <param name="minLr">Lower bound of the learning rate.</param>
    public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, int verbose = 0,
        string mode = "auto", double minDelta = 1e-4, int cooldown = 0, double minLr = 0)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        if (factor >= 1.0) throw new KerasNetException($"ReduceLROnPlateau does not support a factor >= 1.0 (factor={PyText.Repr(factor)}).");
        if (patience < 0) throw new KerasNetException($"ReduceLROnPlateau: patience must be non-negative, got {patience}.");
        if (cooldown < 0) throw new KerasNetException($"ReduceLROnPlateau: cooldown must be non-negative, got {cooldown}.");
        Monitor = monitor; Factor = factor; Patience = patience; Verbose = verbose; Mode = mode;
        MinDelta = minDelta; Cooldown = cooldown; MinLr = minLr;
        // tf.keras 2.4's ReduceLROnPlateau chooses "max" in auto mode only for names containing "acc".
        if (mode is not ("auto" or "min" or "max")) throw new KerasNetException($"ReduceLROnPlateau: mode must be 'auto', 'min' or 'max', got '{mode}'.");
        _max = mode == "max" || (mode == "auto" && monitor.Contains("acc", StringComparison.Ordinal));
        Reset();
    }

    /// <summary>The watched log key.</summary>
    public string Monitor { get; }
    /// <summary>The learning rate multiplier.</summary>
    public double Factor { get; }
    /// <summary>Epochs without improvement before a reduction.</summary>
    public int Patience { get; }
    /// <summary>Verbosity.</summary>
    public int Verbose { get; }
    /// <summary>The mode given.</summary>
    public string Mode { get; }
    /// <summary>The significance threshold.</summary>
    public double MinDelta { get; }
    /// <summary>Epochs of cooldown after a reduction.</summary>
    public int Cooldown { get; }
    /// <summary>The lower bound of the learning rate.</summary>
    public double MinLr { get; }
    /// <summary>Epochs since the last improvement.</summary>
    public int Wait { get; private set; }
    /// <summary>Cooldown epochs left.</summary>
    public int CooldownCounter { get; private set; }
    /// <summary>The best monitored value so far.</summary>
    public double Best { get; private set; }

    private void Reset()
    {
        Best = _max ? double.NegativeInfinity : double.PositiveInfinity;
        CooldownCounter = 0;
        Wait = 0;
    }

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs) => Reset();

    private bool Improves(double current) => _max ? current > Best + MinDelta : current < Best - MinDelta;

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        var optimizer = LearningRateText.OptimizerOf(Model, nameof(ReduceLROnPlateau));
        logs["lr"] = (float)optimizer.LearningRate;
        if (!logs.TryGetValue(Monitor, out double current))
        {
            Keras.Warn($"Learning rate reduction is conditioned on metric `{Monitor}` which is not available. Available metrics are: {string.Join(",", logs.Keys)}");
            return;
        }
        if (CooldownCounter > 0)
        {
            CooldownCounter--;
            Wait = 0;
        }
        if (Improves(current))
        {
            Best = current;
            Wait = 0;
            return;
        }
        if (CooldownCounter > 0) return;
        Wait++;
        if (Wait < Patience) return;
        double oldLr = (float)optimizer.LearningRate;
        if (!(oldLr > MinLr)) return;
        double newLr = Math.Max(oldLr * Factor, MinLr);
        optimizer.LearningRate = (float)newLr; // K.set_value on a float32 variable
        if (Verbose > 0) LearningRateText.Print(Model!, $"\nEpoch {epoch + 1:00000}: ReduceLROnPlateau reducing learning rate to {PyText.Repr(newLr)}.");
        CooldownCounter = Cooldown;
        Wait = 0;
    }
}
