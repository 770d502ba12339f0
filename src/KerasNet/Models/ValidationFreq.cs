#nullable enable
namespace KerasNet.Models;

/// <summary>
/// Keras's <c>validation_freq</c>: an integer n (validate after every n-th epoch: epochs n, 2n, ... counted from 1)
/// or a list of the 1-based epochs after which to validate (<c>[1, 2, 10]</c>). Converts implicitly from
/// <see cref="int"/> and from <c>int[]</c>.
/// </summary>
public readonly struct ValidationFreq
{
    private readonly int _every;
    private readonly int[]? _epochs;

    private ValidationFreq(int every, int[]? epochs) { _every = every; _epochs = epochs; }

    /// <summary>Validate after every <paramref name="every"/>-th epoch (at least 1).</summary>
    /// <param name="every">The epochs between validations, at least 1 (Keras's default 1).</param>
    /// <returns>The frequency.</returns>
    public static ValidationFreq Every(int every) =>
        every >= 1 ? new(every, null) : throw new KerasNetException($"validation_freq must be at least 1, got {every}.");

    /// <summary>Validate after each of these 1-based epochs.</summary>
    /// <param name="epochs">The 1-based epochs to validate after.</param>
    /// <returns>The frequency.</returns>
    public static ValidationFreq AtEpochs(params int[] epochs)
    {
        ArgumentNullException.ThrowIfNull(epochs);
        return new(0, (int[])epochs.Clone());
    }

    /// <summary>An integer frequency.</summary>
    /// <param name="every">The epochs between validations, at least 1.</param>
    /// <returns>The value as a <see cref="ValidationFreq"/>.</returns>
    public static implicit operator ValidationFreq(int every) => Every(every);

    /// <summary>A list of epochs.</summary>
    /// <param name="epochs">The 1-based epochs to validate after.</param>
    /// <returns>The value as a <see cref="ValidationFreq"/>.</returns>
    public static implicit operator ValidationFreq(int[] epochs) => AtEpochs(epochs);

    /// <summary>Whether the epoch with this 0-based index is validated (Keras's <c>_should_eval</c>: epochs counted from 1).</summary>
    /// <param name="epoch">The 0-based epoch index.</param>
    /// <returns>True when validation runs after it.</returns>
    public bool ValidatesAfter(int epoch)
    {
        int oneBased = epoch + 1;
        if (_epochs != null) return Array.IndexOf(_epochs, oneBased) >= 0;
        return oneBased % Math.Max(1, _every) == 0; // default(ValidationFreq) validates every epoch, as 1
    }

    /// <summary>Keras's value: the integer or the list.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => _epochs != null ? "[" + string.Join(", ", _epochs) + "]" : Math.Max(1, _every).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
