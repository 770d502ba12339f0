#nullable enable
using System.Globalization;

namespace KerasNet.Callbacks;

/// <summary>
/// Saves the model (or only its weights) after every epoch, or only when the monitored value improves, like
/// tf.keras 2.4's <c>ModelCheckpoint</c>; with <c>saveFreq</c> a number of batches it saves after every that many
/// training batches (counted across epochs) instead, from the batch's running logs. The file path may hold Python
/// format fields filled from the 1-based epoch, the 1-based batch (<c>{batch}</c>, Keras 3's field, only for batch
/// saves) and the logs: <c>weights.{epoch:02d}-{val_loss:.2f}.hdf5</c>. With <c>saveWeightsOnly</c> the file is
/// written by SaveWeights (<c>.weights.h5</c>: Keras 3's layout; <c>.h5</c>: tf.keras 2.4's), which LoadWeights reads.
/// <para>
/// The one deviation from tf.keras 2.4: a model whose weights hold a NaN or an infinity, or whose monitored value
/// (when the logs have it) is NaN or infinite, is never saved, so a diverged model (with <see cref="TerminateOnNaN"/>,
/// the epoch it stopped in) cannot replace the last good checkpoint; a warning names the epoch and the reason.
/// tf.keras 2.4 saves it and overwrites the checkpoint.
/// </para>
/// </summary>
public sealed class ModelCheckpoint : Callback
{
    private readonly bool _max;
    private readonly SaveFrequency.BatchCounter _batches = new();
    private int _currentEpoch;

    /// <summary>Creates the callback with Keras's defaults.</summary>
    /// <param name="filepath">Where to save; may contain <c>{epoch}</c> and log-key fields with Python format specs.</param>
    /// <param name="monitor">Log key compared when <paramref name="saveBestOnly"/>.</param>
    /// <param name="verbose">1 prints a line for each decision.</param>
    /// <param name="saveBestOnly">Save only when the monitored value improves on the best so far.</param>
    /// <param name="saveWeightsOnly">Call SaveWeights instead of Save.</param>
    /// <param name="mode">"auto", "min" or "max" ("auto": max for accuracy-like monitors). Keras's default:
    /// <c>"auto"</c>.</param>
    /// <param name="saveFreq">"epoch" (the default) or a positive number of training batches between saves.</param>
    public ModelCheckpoint(string filepath, string monitor = "val_loss", int verbose = 0, bool saveBestOnly = false,
        bool saveWeightsOnly = false, string mode = "auto", SaveFrequency saveFreq = default)
    {
        if (string.IsNullOrEmpty(filepath)) throw new KerasNetException("ModelCheckpoint: filepath must not be empty.");
        Filepath = filepath; Monitor = monitor; Verbose = verbose; SaveBestOnly = saveBestOnly;
        SaveWeightsOnly = saveWeightsOnly; Mode = mode; SaveFreq = saveFreq;
        _max = MonitorMode.IsMax(mode, monitor, nameof(ModelCheckpoint));
        Best = _max ? double.NegativeInfinity : double.PositiveInfinity;
    }

    /// <summary>The path template.</summary>
    public string Filepath { get; }
    /// <summary>The monitored log key.</summary>
    public string Monitor { get; }
    /// <summary>Verbosity.</summary>
    public int Verbose { get; }
    /// <summary>Whether only improvements are saved.</summary>
    public bool SaveBestOnly { get; }
    /// <summary>Whether only weights are saved.</summary>
    public bool SaveWeightsOnly { get; }
    /// <summary>The mode given.</summary>
    public string Mode { get; }
    /// <summary>"epoch" or the number of batches between saves.</summary>
    public SaveFrequency SaveFreq { get; }
    /// <summary>The best monitored value so far (kept across Fit calls, as in Keras).</summary>
    public double Best { get; private set; }
    /// <summary>The paths saved, in order.</summary>
    public List<string> SavedPaths { get; } = new();

    /// <summary>The file path for a 0-based epoch and its logs.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='epoch']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='logs']"/>
    /// <returns>The path, <see cref="ModelCheckpoint.Filepath"/> with its <c>{epoch}</c> (1-based, as Keras) and
    /// <c>{name:format}</c> log fields filled in.</returns>
    public string FilePathFor(int epoch, IDictionary<string, double> logs) => FilePathFor(epoch, null, logs);

    private string FilePathFor(int epoch, int? batch, IDictionary<string, double> logs)
    {
        var values = new Dictionary<string, object> { ["epoch"] = epoch + 1 };
        if (batch is int b) values["batch"] = b + 1;
        foreach (var (k, v) in logs) values[k] = v;
        return PythonFormat.Format(Filepath, values, nameof(ModelCheckpoint));
    }

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) => _currentEpoch = epoch;

    /// <inheritdoc/>
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (_batches.Due(SaveFreq, batch)) SaveModel(_currentEpoch, FilePathFor(_currentEpoch, batch, logs), logs);
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (SaveFreq.IsEpoch) SaveModel(epoch, FilePathFor(epoch, logs), logs);
    }

    private void SaveModel(int epoch, string path, IDictionary<string, double> logs)
    {
        if (!SaveBestOnly)
        {
            if (NotFinite(epoch, logs, path)) return;
            if (Verbose > 0) Out.WriteLine($"\nEpoch {epoch + 1:00000}: saving model to {path}");
            Save(path);
            return;
        }
        if (MonitorMode.Read(logs, Monitor, "ModelCheckpoint", "skipping the save") is not double current) return;
        if (NotFinite(epoch, logs, path)) return;
        if (_max ? current > Best : current < Best)
        {
            if (Verbose > 0) Out.WriteLine($"\nEpoch {epoch + 1:00000}: {Monitor} improved from {F5(Best)} to {F5(current)}, saving model to {path}");
            Best = current;
            Save(path);
        }
        else if (Verbose > 0) Out.WriteLine($"\nEpoch {epoch + 1:00000}: {Monitor} did not improve from {F5(Best)}");
    }

    /// <summary>The epochs whose model was not saved because it was not finite (0-based).</summary>
    public List<int> SkippedNonFinite { get; } = new();

    // KerasNet's deviation from tf.keras 2.4 (see the class remarks): no checkpoint of a diverged model.
    private bool NotFinite(int epoch, IDictionary<string, double> logs, string path)
    {
        string? reason = null;
        if (logs.TryGetValue(Monitor, out var monitored) && !double.IsFinite(monitored)) reason = $"{Monitor} is {PyTextValue(monitored)}";
        else if (Model!.Weights.FirstOrDefault(w => !AllFinite(w.Value.Span)) is { } bad) reason = $"weight '{bad.FullName}' holds NaN or infinite values";
        if (reason == null) return false;
        SkippedNonFinite.Add(epoch);
        Keras.Warn($"ModelCheckpoint: epoch {epoch + 1}: not saving the model to {path}: {reason} (a diverged model never replaces a checkpoint).");
        return true;
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        // x - x is 0 for every finite x and NaN for NaN and +-infinity, so one sum tells them apart.
        float sum = 0;
        foreach (var v in values) sum += v - v;
        return sum == 0;
    }

    private static string PyTextValue(double v) => double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";

    private void Save(string path)
    {
        if (SaveWeightsOnly) Model!.SaveWeights(path);
        else Model!.Save(path);
        SavedPaths.Add(path);
    }

    // Python's '%0.5f' (inf prints as "inf").
    private static string F5(double v) => double.IsInfinity(v) ? (v > 0 ? "inf" : "-inf") : v.ToString("F5", CultureInfo.InvariantCulture);

    private TextWriter Out => Model?.ProgressOutput ?? Console.Out;
}
