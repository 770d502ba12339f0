#nullable enable
using KerasNet.Models;

namespace KerasNet.Callbacks;

/// <summary>
/// Prints the epoch lines and the progress bar, like tf.keras 2.4's <c>ProgbarLogger(count_mode='samples',
/// stateful_metrics=None)</c> (Keras 3's <c>ProgbarLogger()</c> is <c>countMode: "steps"</c>). Fit adds one counting
/// steps, first in the callback list, when <c>verbose</c> is not 0 and no ProgbarLogger was passed; a passed one is used
/// instead (in its place in the list), with Fit's <c>verbose</c>.
/// </summary>
/// <remarks>
/// In <c>"samples"</c> mode the count is the batch logs' <c>size</c> (times <c>num_steps</c>), as in Keras. Fit's batch
/// logs carry no size (neither do tf.keras 2.4's in TF 2), so while the first epoch runs the bar reads
/// <c>      0/Unknown - 0s 0s/sample</c>, and at its end the target becomes the number of steps trained so far and
/// every epoch's final line reads <c>3/3 [==============================] - 0s 4ms/sample - loss: ...</c>: tf.keras 2.4's
/// text. Values named in <c>statefulMetrics</c> (by default the model's loss and compiled metrics, which
/// Fit's logs already average over the epoch) are shown as they are; the bar shows any other value as its mean over
/// the epoch's updates, weighted by the units each update advanced (Keras's Progbar).
/// </remarks>
public sealed class ProgbarLogger : Callback
{
    private readonly HashSet<string>? _statefulMetrics;
    private readonly bool _useSteps;
    private int _verbose = 1, _epochs = 1, _trainSteps, _seen, _seenSoFar;
    private int? _target;
    private Progbar? _bar;
    private readonly Dictionary<string, (double Sum, double Count)> _averages = new();

    /// <summary>Creates the logger.</summary>
    /// <param name="countMode"><c>"samples"</c> (tf.keras 2.4's default) or <c>"steps"</c> (Keras 3's only mode, and what Fit
    /// adds itself): whether the bar counts samples seen or batches seen.</param>
    /// <param name="statefulMetrics">Log names shown as they are rather than averaged by the bar; default (null): the
    /// model's <see cref="Model.MetricsNames"/>.</param>
    public ProgbarLogger(string countMode = "samples", IEnumerable<string>? statefulMetrics = null)
    {
        _useSteps = countMode switch
        {
            "samples" => false,
            "steps" => true,
            _ => throw new KerasNetException($"ProgbarLogger: unknown count_mode '{countMode}'; expected 'samples' or 'steps'."),
        };
        CountMode = countMode;
        // Keras: an empty list is the default (set(stateful_metrics) if stateful_metrics else None).
        if (statefulMetrics?.Any() == true) _statefulMetrics = new HashSet<string>(statefulMetrics, StringComparer.Ordinal);
    }

    /// <summary><c>"samples"</c> or <c>"steps"</c>.</summary>
    public string CountMode { get; }

    /// <summary>The names shown as they are, or null for the model's metric names.</summary>
    public IReadOnlyCollection<string>? StatefulMetrics => _statefulMetrics;

    /// <summary>Keras's set_params: Fit's verbose, its epochs and the steps per epoch (the target in steps mode).</summary>
    internal void SetParams(int verbose, int epochs, int steps)
    {
        _verbose = verbose; _epochs = epochs;
        _target = _useSteps ? steps : null; // Fit's params have no 'samples': inferred after the first epoch
    }

    private Progbar NewBar() => new(_target, _verbose, Model?.ProgressOutput, unitName: _useSteps ? "step" : "sample");

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs) => _trainSteps = 0;

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs)
    {
        _seen = 0; _seenSoFar = 0; _averages.Clear();
        _bar = NewBar();
        if (_verbose > 0 && _epochs > 1) (Model?.ProgressOutput ?? Console.Out).WriteLine($"Epoch {epoch + 1}/{_epochs}");
    }

    /// <inheritdoc/>
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var shown = new List<KeyValuePair<string, double>>(logs.Count);
        double size = 0, steps = 1;
        foreach (var (k, v) in logs)
        {
            // Keras pops these in samples mode (the v1 loops' bookkeeping), and shows them in steps mode.
            if (!_useSteps && k == "size") size = v;
            else if (!_useSteps && k == "num_steps") steps = v;
            else if (_useSteps || k != "batch") shown.Add(new(k, v));
        }
        Advance(batch, (int)(size * steps));
        Draw(() => shown);
    }

    /// <summary>Fit's batch hook: the running logs asked for only when the bar draws (no allocation per step).</summary>
    internal void OnTrainBatchEnd(int batch, Func<IReadOnlyList<KeyValuePair<string, double>>> logs)
    {
        Advance(batch, 0); // Fit's logs carry no size (see the remarks)
        Draw(logs);
    }

    private void Advance(int batch, int samples)
    {
        _trainSteps++;
        if (_useSteps) _seen = batch + 1;
        else _seen += samples;
    }

    private void Draw(Func<IReadOnlyList<KeyValuePair<string, double>>> logs)
    {
        if (_verbose != 1) return; // Keras calls the batch hooks only when verbose == 1
        var bar = _bar ??= NewBar();
        bar.UpdateRunning(_seen, _statefulMetrics is null ? logs : Averaged(logs));
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var bar = _bar ??= NewBar();
        int current = _seen;
        if (_target is null)
        {
            // tf.keras 2.4: the target becomes the model's train counter (steps so far in this fit), else the count seen.
            _target = _trainSteps > 0 ? _trainSteps : _seen;
            bar.Target = _target;
            current = _target.Value;
        }
        else if (!_useSteps) current = _target.Value;
        IReadOnlyList<KeyValuePair<string, double>> values = logs.ToList();
        if (_statefulMetrics != null) values = Averaged(() => logs.ToList(), current)();
        bar.Update(current, values, finalize: true);
    }

    // Keras's Progbar: a value not named stateful is shown as its mean over the updates, each weighted by the units it
    // advanced (at least 1). Every update must be folded in, so the logs are read at each batch on this path.
    private Func<IReadOnlyList<KeyValuePair<string, double>>> Averaged(Func<IReadOnlyList<KeyValuePair<string, double>>> logs, int? current = null)
    {
        int now = current ?? _seen;
        int weight = Math.Max(now - _seenSoFar, 1);
        _seenSoFar = now;
        var folded = new List<KeyValuePair<string, double>>();
        foreach (var (k, v) in logs())
        {
            if (_statefulMetrics!.Contains(k)) { folded.Add(new(k, v)); continue; }
            var (sum, count) = _averages.TryGetValue(k, out var a) ? a : (0, 0);
            _averages[k] = (sum + v * weight, count + weight);
            folded.Add(new(k, (sum + v * weight) / (count + weight)));
        }
        return () => folded;
    }
}
