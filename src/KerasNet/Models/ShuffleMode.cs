#nullable enable
namespace KerasNet.Models;

/// <summary>
/// Keras's <c>shuffle</c> argument of <c>fit</c> on arrays: <c>true</c> (a new order of all samples every epoch),
/// <c>false</c> (the arrays' order), or <c>"batch"</c> (tf.keras 2.4's batch-wise shuffle: the batches keep their
/// samples, their order is shuffled every epoch, and the rows inside each batch are shuffled).
/// Converts implicitly from <see cref="bool"/> and from the string <c>"batch"</c> (any case, as Keras lowercases it).
/// </summary>
public readonly struct ShuffleMode : IEquatable<ShuffleMode>
{
    private readonly int _mode; // 0: true (Keras's default), 1: false, 2: "batch"

    private ShuffleMode(int mode) => _mode = mode;

    /// <summary>Every epoch draws a new order of all the samples (Keras's <c>shuffle=True</c>, the default).</summary>
    public static ShuffleMode Samples => new(0);

    /// <summary>The arrays' own order (Keras's <c>shuffle=False</c>).</summary>
    public static ShuffleMode None => new(1);

    /// <summary>Keras's <c>shuffle="batch"</c>: batches of consecutive samples, in a shuffled order, each shuffled inside.</summary>
    public static ShuffleMode Batch => new(2);

    /// <summary>True unless the order is the arrays' own.</summary>
    public bool Shuffles => _mode != 1;

    /// <summary>True for <c>"batch"</c>.</summary>
    public bool BatchWise => _mode == 2;

    /// <summary><c>true</c> shuffles all the samples; <c>false</c> keeps their order.</summary>
    /// <param name="shuffle">True (Keras's default) shuffles every sample; false keeps the order.</param>
    /// <returns>The value as a <see cref="ShuffleMode"/>.</returns>
    public static implicit operator ShuffleMode(bool shuffle) => shuffle ? Samples : None;

    /// <summary>Keras's string value: only <c>"batch"</c> (any case) is accepted.</summary>
    /// <param name="shuffle">Keras's string value: only <c>"batch"</c> (any case; Keras's other values are the booleans
    /// <c>True</c>, its default, and <c>False</c>).</param>
    /// <returns>The value as a <see cref="ShuffleMode"/>.</returns>
    public static implicit operator ShuffleMode(string shuffle) => Parse(shuffle);

    /// <summary>Reads Keras's string value; refuses anything but <c>"batch"</c>.</summary>
    /// <param name="shuffle">Keras's string value: only <c>"batch"</c> (any case; Keras's other values are the booleans
    /// <c>True</c>, its default, and <c>False</c>).</param>
    /// <returns><see cref="ShuffleMode.Batch"/>; anything else throws.</returns>
    public static ShuffleMode Parse(string shuffle)
    {
        ArgumentNullException.ThrowIfNull(shuffle);
        if (string.Equals(shuffle, "batch", StringComparison.OrdinalIgnoreCase)) return Batch;
        throw new KerasNetException($"shuffle must be true, false or \"batch\", got \"{shuffle}\".");
    }

    /// <inheritdoc/>
    public bool Equals(ShuffleMode other) => _mode == other._mode;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ShuffleMode m && Equals(m);

    /// <inheritdoc/>
    public override int GetHashCode() => _mode;

    /// <summary>Equality.</summary>
    /// <param name="a">The first value.</param>
    /// <param name="b">The second value.</param>
    /// <returns>Whether the two are equal.</returns>
    public static bool operator ==(ShuffleMode a, ShuffleMode b) => a.Equals(b);

    /// <summary>Inequality.</summary>
    /// <param name="a">The first value.</param>
    /// <param name="b">The second value.</param>
    /// <returns>Whether the two differ.</returns>
    public static bool operator !=(ShuffleMode a, ShuffleMode b) => !a.Equals(b);

    /// <summary>Keras's spelling: <c>True</c>, <c>False</c> or <c>batch</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => _mode switch { 1 => "False", 2 => "batch", _ => "True" };
}
