#nullable enable
using System.Collections;
using KerasNet.Utils;

namespace KerasNet.Models;

/// <summary>
/// What <c>TrainOnBatch</c>/<c>TestOnBatch</c> return, read as Keras's value: tf.keras 2.4 returns the loss as a scalar
/// when the model logs the loss alone (one output, no metrics) and the list of values in
/// <see cref="Model.MetricsNames"/> order otherwise. So <c>double loss = model.TrainOnBatch(x, y);</c> reads a
/// scalar result and <c>double[] logs = model.TrainOnBatch(x, y);</c> (or an index, <c>[0]</c>) reads any.
/// </summary>
public sealed class BatchValues : IReadOnlyList<double>, IEquatable<BatchValues>
{
    private readonly double[] _values;

    internal BatchValues(double[] values) => _values = values;

    /// <summary>Whether Keras returns a scalar here (exactly one value: the loss).</summary>
    public bool IsScalar => _values.Length == 1;

    /// <summary>The loss (Keras's scalar); refused when Keras returns a list, naming the values.</summary>
    public double Scalar => IsScalar ? _values[0]
        : throw new KerasNetException($"train_on_batch/test_on_batch returned {_values.Length} values (Keras returns a list here, in MetricsNames order): index them or convert to double[].");

    /// <summary>The value at <paramref name="index"/> (in <see cref="Model.MetricsNames"/> order).</summary>
    /// <param name="index">The 0-based position in <see cref="KerasNet.Models.Model.MetricsNames"/> order (0 is the
    /// loss).</param>
    public double this[int index] => _values[index];

    /// <summary>The number of values.</summary>
    public int Count => _values.Length;

    /// <summary>The number of values (as an array's).</summary>
    public int Length => _values.Length;

    /// <summary>A copy of the values.</summary>
    /// <returns>A new array of the values, loss first.</returns>
    public double[] ToArray() => (double[])_values.Clone();

    /// <summary>The values as an array (a copy).</summary>
    /// <param name="v">The values.</param>
    /// <returns>A new array of the values, loss first.</returns>
    public static implicit operator double[](BatchValues v) => v?.ToArray() ?? throw new ArgumentNullException(nameof(v));

    /// <summary>The scalar loss Keras returns when the model logs the loss alone (see <see cref="Scalar"/>).</summary>
    /// <param name="v">The values (one only).</param>
    /// <returns>The loss.</returns>
    public static implicit operator double(BatchValues v) => (v ?? throw new ArgumentNullException(nameof(v))).Scalar;

    /// <inheritdoc/>
    public IEnumerator<double> GetEnumerator() => ((IEnumerable<double>)_values).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => _values.GetEnumerator();

    /// <summary>Equal values, element by element.</summary>
    /// <param name="other">The values to compare with; null is never equal.</param>
    /// <returns>Whether the two are equal.</returns>
    public bool Equals(BatchValues? other) => other is not null && _values.AsSpan().SequenceEqual(other._values);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as BatchValues);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var v in _values) h.Add(v);
        return h.ToHashCode();
    }

    /// <summary>Python's text of Keras's value: <c>0.6931471824645996</c>, or <c>[0.69..., 0.5]</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => IsScalar ? PyText.Repr(_values[0]) : "[" + string.Join(", ", _values.Select(x => PyText.Repr(x))) + "]";
}
