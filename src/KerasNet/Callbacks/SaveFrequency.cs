#nullable enable
using System.Globalization;

namespace KerasNet.Callbacks;

/// <summary>
/// Keras's <c>save_freq</c>: the string "epoch" (save at the end of every epoch) or a positive number of training
/// batches between saves. Converts implicitly from a string or an int, so <c>saveFreq: "epoch"</c> and
/// <c>saveFreq: 100</c> read as in Python.
/// </summary>
public readonly struct SaveFrequency : IEquatable<SaveFrequency>
{
    private readonly int _batches; // 0 = "epoch"

    private SaveFrequency(int batches) => _batches = batches;

    /// <summary>Save at the end of every epoch (Keras's default, <c>save_freq="epoch"</c>).</summary>
    public static SaveFrequency Epoch => default;

    /// <summary>Save after every <paramref name="batches"/> training batches (counted across epochs, as Keras).</summary>
    /// <param name="batches">The number of training batches between saves, at least 1.</param>
    /// <returns>The frequency.</returns>
    public static SaveFrequency EveryBatches(int batches) =>
        batches > 0 ? new SaveFrequency(batches) : throw new KerasNetException($"save_freq must be 'epoch' or a positive integer, got {batches}.");

    /// <summary>Parses Keras's string form: only "epoch" (an integer is given as an int).</summary>
    /// <param name="value">Keras's string form: only <c>"epoch"</c> (Keras's default <c>save_freq="epoch"</c>); an
    /// integer is given as an int.</param>
    /// <returns>The per-epoch frequency, <see cref="SaveFrequency.Epoch"/>.</returns>
    public static SaveFrequency Parse(string value) => value == "epoch"
        ? Epoch
        : throw new KerasNetException($"Unrecognized save_freq: '{value}' (expected 'epoch' or a positive integer number of batches).");

    /// <summary>True for "epoch".</summary>
    public bool IsEpoch => _batches == 0;

    /// <summary>The number of batches between saves, or null for "epoch".</summary>
    public int? Batches => _batches == 0 ? null : _batches;

    /// <summary>"epoch" as a string.</summary>
    /// <param name="value">Keras's string form: only <c>"epoch"</c> (Keras's default <c>save_freq="epoch"</c>).</param>
    /// <returns>The value as a <see cref="SaveFrequency"/>.</returns>
    public static implicit operator SaveFrequency(string value) => Parse(value);

    /// <summary>A number of batches.</summary>
    /// <param name="batches">The number of training batches between saves, at least 1.</param>
    /// <returns>The value as a <see cref="SaveFrequency"/>.</returns>
    public static implicit operator SaveFrequency(int batches) => EveryBatches(batches);

    /// <inheritdoc/>
    public bool Equals(SaveFrequency other) => _batches == other._batches;
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SaveFrequency f && Equals(f);
    /// <inheritdoc/>
    public override int GetHashCode() => _batches;
    /// <summary>Equality.</summary>
    /// <param name="a">The first value.</param>
    /// <param name="b">The second value.</param>
    /// <returns>Whether the two are equal.</returns>
    public static bool operator ==(SaveFrequency a, SaveFrequency b) => a.Equals(b);
    /// <summary>Inequality.</summary>
    /// <param name="a">The first value.</param>
    /// <param name="b">The second value.</param>
    /// <returns>Whether the two differ.</returns>
    public static bool operator !=(SaveFrequency a, SaveFrequency b) => !a.Equals(b);
    /// <summary>"epoch" or the number of batches, as Python prints the value.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => IsEpoch ? "epoch" : _batches.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// tf.keras 2.4's <c>_should_save_on_batch</c> counting: a batch index not above the last one seen starts a new
    /// epoch (it adds batch + 1), otherwise the distance from the last one is added; a save is due once the count
    /// reaches the frequency, which then restarts from zero.
    /// </summary>
    internal sealed class BatchCounter
    {
        private int _lastBatchSeen, _sinceLastSave;

        public bool Due(SaveFrequency freq, int batch)
        {
            if (freq.IsEpoch) return false;
            _sinceLastSave += batch <= _lastBatchSeen ? batch + 1 : batch - _lastBatchSeen;
            _lastBatchSeen = batch;
            if (_sinceLastSave < freq._batches) return false;
            _sinceLastSave = 0;
            return true;
        }
    }
}
