#nullable enable
using System.Globalization;
using System.Text.Json.Nodes;
using KerasNet.Saving;

namespace KerasNet.Callbacks;

/// <summary>
/// Backs the training state up at the end of every epoch and restores it when a fit that was interrupted (an
/// exception, a kill) is run again, like Keras's <c>BackupAndRestore(backup_dir)</c>: the new Fit starts at the epoch
/// after the last one backed up, with the weights and the optimizer state (iterations, learning rate, slots) of that
/// moment, so with the same data order it ends with the weights an uninterrupted fit ends with. A fit that ends
/// normally deletes the backup.
/// <para>
/// The backup is Keras 3's layout, <c>latest.weights.h5</c> (the weights and <c>optimizer/vars</c>) plus
/// <c>training_metadata.json</c> (<c>{"epoch": 3, "batch": 0}</c>). Each is written atomically; the epoch is also an
/// attribute of the weights file, which is what a restore trusts, so a kill between the two writes cannot pair new
/// weights with an old epoch.
/// </para>
/// <para>
/// Not restored, as in Keras: the state of other callbacks and of the data source (a shuffled ArraySequence starts
/// its shuffle stream again), and Dropout's random stream.
/// </para>
/// </summary>
public sealed class BackupAndRestore : Callback
{
    /// <summary>Keras 3's weights file name inside the backup folder.</summary>
    public const string WeightsFileName = "latest.weights.h5";
    /// <summary>Keras 3's metadata file name inside the backup folder.</summary>
    public const string MetadataFileName = "training_metadata.json";
    private const string EpochAttribute = "kerasnet_backup_epoch";
    private int _currentEpoch;

    /// <summary>Creates the callback.</summary>
    /// <param name="backupDir">The folder for the backup files; must not be shared with another fit.</param>
    /// <param name="saveFreq">Only "epoch": a mid-epoch backup cannot resume exactly (Keras 3 restarts that epoch).
    /// Keras's default is <c>"epoch"</c>; a batch count is refused.</param>
    /// <param name="deleteCheckpoint">Whether a fit that ends normally deletes the backup (Keras's default: true).</param>
    public BackupAndRestore(string backupDir, SaveFrequency saveFreq = default, bool deleteCheckpoint = true)
    {
        if (string.IsNullOrWhiteSpace(backupDir)) throw new KerasNetException("BackupAndRestore: backup_dir must not be empty.");
        if (!saveFreq.IsEpoch)
            throw new KerasNetException($"BackupAndRestore: save_freq={saveFreq} is not supported (only 'epoch'): resuming from a mid-epoch backup would repeat that epoch's first batches.");
        BackupDir = backupDir; DeleteCheckpoint = deleteCheckpoint;
    }

    /// <summary>The backup folder.</summary>
    public string BackupDir { get; }
    /// <summary>Whether a fit that ends normally deletes the backup.</summary>
    public bool DeleteCheckpoint { get; }
    /// <summary>The weights file of the backup.</summary>
    public string WeightsPath => Path.Combine(BackupDir, WeightsFileName);
    /// <summary>The metadata file of the backup.</summary>
    public string MetadataPath => Path.Combine(BackupDir, MetadataFileName);
    /// <summary>The 0-based epoch the last Fit resumed at (null when it found no backup).</summary>
    public int? RestoredEpoch { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin(IDictionary<string, double> logs)
    {
        var model = Model!;
        RestoredEpoch = null;
        _currentEpoch = 0;
        if (!File.Exists(WeightsPath)) return;
        if (!model.Built)
            throw new KerasNetException($"BackupAndRestore: a backup exists in '{BackupDir}' but model '{model.Name}' is not built yet: give the first layer an inputShape (or call Build) before Fit so the backup can be restored.");
        using (var r = H5Reader.Open(WeightsPath))
        {
            int epoch = EpochOf(r);
            Keras3Weights.Read(r, model, includeOptimizer: true);
            RestoredEpoch = _currentEpoch = epoch;
        }
        model.ResumeEpoch = _currentEpoch;
    }

    private int EpochOf(H5Reader r)
    {
        if (r.StringAttribute(r.Root, EpochAttribute) is { } text && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int e)) return e;
        // A backup written by Keras 3 has the epoch only in its metadata file.
        if (File.Exists(MetadataPath) && JsonNode.Parse(File.ReadAllText(MetadataPath)) is JsonObject meta && meta["epoch"] is JsonValue v && v.TryGetValue(out int m) && m >= 0) return m;
        throw new InvalidModelFileException(WeightsPath, $"the backup has no epoch (no '{EpochAttribute}' attribute and no readable {MetadataFileName}).");
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        _currentEpoch = epoch + 1;
        var model = Model!;
        var file = Keras3Weights.Build(model, includeOptimizer: model.IsCompiled);
        file.Attributes[EpochAttribute] = _currentEpoch.ToString(CultureInfo.InvariantCulture);
        AtomicFile.WriteAllBytes(WeightsPath, ModelFiles.ToBytes(file, WeightsPath));
        AtomicFile.WriteAllText(MetadataPath, $"{{\"epoch\": {_currentEpoch}, \"batch\": 0}}");
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        if (!DeleteCheckpoint) return;
        // Keras removes the whole folder; only the backup's own files are removed here, and the folder when it is then empty.
        foreach (var f in new[] { WeightsPath, MetadataPath }) if (File.Exists(f)) File.Delete(f);
        if (Directory.Exists(BackupDir) && !Directory.EnumerateFileSystemEntries(BackupDir).Any()) Directory.Delete(BackupDir);
    }
}
