#nullable enable
namespace KerasNet.Callbacks;

/// <summary>Stops training when a batch's loss is NaN or infinite, printing <c>Batch N: Invalid loss, terminating training</c>.</summary>
public sealed class TerminateOnNaN : Callback
{
    /// <inheritdoc/>
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (!logs.TryGetValue("loss", out var loss) || double.IsFinite(loss)) return;
        (Model?.ProgressOutput ?? Console.Out).WriteLine($"Batch {batch}: Invalid loss, terminating training");
        Model!.StopTraining = true;
    }
}
