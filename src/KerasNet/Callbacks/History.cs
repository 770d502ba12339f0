#nullable enable
namespace KerasNet.Callbacks;

/// <summary>What Fit returns: one value per epoch for each log key, as Keras's <c>History.history</c>.</summary>
public sealed class History : Callback
{
    /// <summary>Epoch numbers (0-based) that were run.</summary>
    public List<int> Epoch { get; } = new();

    /// <summary>Per-key values, e.g. <c>history.history["val_accuracy"]</c>.</summary>
#pragma warning disable IDE1006 // Keras's name, so ported code reads the same.
    public Dictionary<string, List<double>> history { get; } = new();
#pragma warning restore IDE1006

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        Epoch.Add(epoch);
        foreach (var (k, v) in logs)
        {
            if (!history.TryGetValue(k, out var list)) history[k] = list = new List<double>();
            list.Add(v);
        }
    }
}
