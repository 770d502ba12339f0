#nullable enable
namespace KerasNet.Callbacks;

/// <summary>
/// A callback made of delegates, like Keras's <c>LambdaCallback(on_epoch_end=lambda epoch, logs: ...)</c>.
/// Epoch and batch numbers are 0-based; any delegate may be null.
/// </summary>
/// <param name="onEpochBegin">Called at the start of each epoch with its 0-based index and the logs (Keras's
/// <c>on_epoch_begin</c>); null for none.</param>
/// <param name="onEpochEnd">Called at the end of each epoch with its 0-based index and its logs (loss, metrics,
/// <c>val_*</c>) (Keras's <c>on_epoch_end</c>); null for none.</param>
/// <param name="onBatchBegin">Called before each training batch with its 0-based index in the epoch and the logs
/// (Keras's <c>on_batch_begin</c>); null for none.</param>
/// <param name="onBatchEnd">Called after each training batch with its index and the running logs (Keras's
/// <c>on_batch_end</c>); null for none.</param>
/// <param name="onTrainBegin">Called once before training with the logs (Keras's <c>on_train_begin</c>); null for
/// none.</param>
/// <param name="onTrainEnd">Called once after training with the last logs (Keras's <c>on_train_end</c>); null for
/// none.</param>
public sealed class LambdaCallback(
    Action<int, IDictionary<string, double>>? onEpochBegin = null,
    Action<int, IDictionary<string, double>>? onEpochEnd = null,
    Action<int, IDictionary<string, double>>? onBatchBegin = null,
    Action<int, IDictionary<string, double>>? onBatchEnd = null,
    Action<IDictionary<string, double>>? onTrainBegin = null,
    Action<IDictionary<string, double>>? onTrainEnd = null) : Callback
{
    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch, IDictionary<string, double> logs) => onEpochBegin?.Invoke(epoch, logs);
    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => onEpochEnd?.Invoke(epoch, logs);
    /// <inheritdoc/>
    public override void OnTrainBatchBegin(int batch, IDictionary<string, double> logs) => onBatchBegin?.Invoke(batch, logs);
    /// <inheritdoc/>
    public override void OnTrainBatchEnd(int batch, IDictionary<string, double> logs) => onBatchEnd?.Invoke(batch, logs);
    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs) => onTrainBegin?.Invoke(logs);
    /// <inheritdoc/>
    public override void OnTrainEnd(IDictionary<string, double> logs) => onTrainEnd?.Invoke(logs);
}
