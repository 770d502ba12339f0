#nullable enable
namespace KerasNet.Callbacks;

/// <summary>How a monitored value improves, from Keras's <c>mode</c> argument ("auto", "min", "max").</summary>
internal static class MonitorMode
{
    /// <summary>
    /// True when larger is better. "auto" picks max for accuracy-like monitors (the name contains "acc", or starts
    /// with "fmeasure" as ModelCheckpoint also accepts) and min otherwise, as Keras does.
    /// Keras warns and falls back to "auto" on an unknown mode; KerasNet rejects it so the typo is seen.
    /// </summary>
    public static bool IsMax(string mode, string monitor, string callback) => mode switch
    {
        "min" => false,
        "max" => true,
        "auto" => monitor.Contains("acc", StringComparison.Ordinal) || monitor.StartsWith("fmeasure", StringComparison.Ordinal),
        _ => throw new KerasNetException($"{callback}: mode must be 'auto', 'min' or 'max', got '{mode}'."),
    };

    /// <summary>The monitored value from epoch logs, or null with a warning naming the available keys.</summary>
    public static double? Read(IDictionary<string, double> logs, string monitor, string callback, string consequence)
    {
        if (logs.TryGetValue(monitor, out var v)) return v;
        Keras.Warn($"{callback} is conditioned on metric `{monitor}` which is not available ({consequence}). Available metrics are: {string.Join(",", logs.Keys)}");
        return null;
    }
}
