#nullable enable
namespace KerasNet.Callbacks;

/// <summary>
/// Stops training when a monitored value has stopped improving, like tf.keras 2.4's <c>EarlyStopping</c>:
/// an epoch improves when <c>current - minDelta</c> beats the best (for "max"; <c>current + minDelta</c> below it
/// for "min"); after <see cref="Patience"/> epochs without improvement it sets <c>StopTraining</c>, and with
/// <see cref="RestoreBestWeights"/> puts back the weights of the best epoch at that moment.
/// </summary>
public sealed class EarlyStopping : Callback
{
    private readonly bool _max;
    private List<float[]>? _bestWeights;

    /// <summary>Creates the callback with Keras's defaults.</summary>
    /// <param name="monitor">Log key to watch ("val_loss", "val_accuracy", ...).</param>
    /// <param name="minDelta">Smallest change that counts as an improvement (its absolute value is used).</param>
    /// <param name="patience">Epochs without improvement before stopping.</param>
    /// <param name="verbose">1 prints the restore and stop messages.</param>
    /// <param name="mode">"auto", "min" or "max". Keras's default: <c>"auto"</c>.</param>
    /// <param name="baseline">A value the monitor must beat; training stops after <paramref name="patience"/> epochs that do not.</param>
    /// <param name="restoreBestWeights">Whether to restore the best epoch's weights when stopping.</param>
    /// <param name="startFromEpoch">Warm-up epochs (Keras 2.11+'s <c>start_from_epoch</c>): epochs before this 0-based
    /// index are not monitored, so they neither improve nor count towards the patience.</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, int verbose = 0,
        string mode = "auto", double? baseline = null, bool restoreBestWeights = false, int startFromEpoch = 0)
    {
        if (patience < 0) throw new KerasNetException($"EarlyStopping: patience must be non-negative, got {patience}.");
        if (startFromEpoch < 0) throw new KerasNetException($"EarlyStopping: startFromEpoch must be non-negative, got {startFromEpoch}.");
        StartFromEpoch = startFromEpoch;
        Monitor = monitor; Patience = patience; Verbose = verbose; Mode = mode; Baseline = baseline;
        RestoreBestWeights = restoreBestWeights;
        _max = MonitorMode.IsMax(mode, monitor, nameof(EarlyStopping));
        MinDelta = _max ? Math.Abs(minDelta) : -Math.Abs(minDelta);
    }

    /// <summary>The watched log key.</summary>
    public string Monitor { get; }
    /// <summary>The signed minimum change (negative for "min" monitors, as Keras stores it).</summary>
    public double MinDelta { get; }
    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; }
    /// <summary>Verbosity.</summary>
    public int Verbose { get; }
    /// <summary>The mode given.</summary>
    public string Mode { get; }
    /// <summary>The baseline, if any.</summary>
    public double? Baseline { get; }
    /// <summary>Whether the best weights are restored on stopping.</summary>
    public bool RestoreBestWeights { get; }
    /// <summary>The first 0-based epoch that is monitored.</summary>
    public int StartFromEpoch { get; }
    /// <summary>Epochs since the last improvement.</summary>
    public int Wait { get; private set; }
    /// <summary>The 0-based epoch at which training was stopped (0 when it was not).</summary>
    public int StoppedEpoch { get; private set; }
    /// <summary>The best value so far.</summary>
    public double Best { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        Wait = 0;
        StoppedEpoch = 0;
        Best = Baseline ?? (_max ? double.NegativeInfinity : double.PositiveInfinity);
        _bestWeights = null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        // Keras 2.11+: a warm-up epoch is skipped before the monitored value is read.
        if (epoch < StartFromEpoch) return;
        if (MonitorMode.Read(logs, Monitor, "Early stopping", "not stopping") is not double current) return;
        double shifted = current - MinDelta;
        if (_max ? shifted > Best : shifted < Best)
        {
            Best = current;
            Wait = 0;
            if (RestoreBestWeights) _bestWeights = Model!.Weights.Select(w => w.Value.ToArray()).ToList();
            return;
        }
        Wait++;
        if (Wait < Patience) return;
        StoppedEpoch = epoch;
        Model!.StopTraining = true;
        // Keras 2.4 restores only when it stops, and only weights it has seen improve (not when the baseline was never beaten).
        if (RestoreBestWeights && _bestWeights != null)
        {
            if (Verbose > 0) Out.WriteLine("Restoring model weights from the end of the best epoch.");
            int i = 0;
            foreach (var w in Model.Weights) w.Assign(_bestWeights[i++]);
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        if (StoppedEpoch > 0 && Verbose > 0) Out.WriteLine($"Epoch {StoppedEpoch + 1:00000}: early stopping");
    }

    private TextWriter Out => Model?.ProgressOutput ?? Console.Out;
}
