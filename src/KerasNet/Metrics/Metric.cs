#nullable enable
using KerasNet.Engine;

namespace KerasNet.Metrics;

/// <summary>A Keras metric averaged over the samples seen since the last <see cref="Reset"/>.</summary>
public abstract class Metric
{
    private double _sum;
    private long _count;

    /// <summary>Creates the metric with the name used in logs and History ("accuracy").</summary>
    protected Metric(string name) => Name = name;

    /// <summary>The log key.</summary>
    public string Name { get; }

    /// <summary>Adds a batch.</summary>
    public void Update(Tensor yPred, Tensor yTrue)
    {
        int c = yPred.Shape[^1], rows = yPred.Length / c;
        for (int r = 0; r < rows; r++) _sum += Sample(yPred.Span.Slice(r * c, c), yTrue, r, c);
        _count += rows;
    }

    /// <summary>The metric's value for one sample.</summary>
    protected abstract double Sample(ReadOnlySpan<float> pred, Tensor yTrue, int row, int cols);

    /// <summary>The mean so far.</summary>
    public double Result() => _count == 0 ? 0 : _sum / _count;

    /// <summary>Starts a new average.</summary>
    public void Reset() { _sum = 0; _count = 0; }

    /// <summary>
    /// Resolves a metric name as tf.keras 2.4's compile does on the first batch: "accuracy"/"acc" is binary accuracy
    /// when the output's last dimension is 1, sparse categorical accuracy when the targets have a lower rank than the
    /// outputs or a last dimension of 1 against wider outputs, and categorical accuracy otherwise. The loss plays no
    /// part (so binary_crossentropy on two softmax units reports categorical accuracy, as in Keras).
    /// </summary>
    /// <param name="name">The name given to Compile; it stays the log key ("acc" logs as "acc").</param>
    /// <param name="yTrueShape">Shape of a target batch, batch first.</param>
    /// <param name="yPredShape">Shape of an output batch, batch first.</param>
    public static Metric Get(string name, int[] yTrueShape, int[] yPredShape)
    {
        switch (name)
        {
            case "accuracy" or "acc":
                int predLast = yPredShape[^1], trueLast = yTrueShape.Length == 0 ? 1 : yTrueShape[^1];
                if (predLast == 1) return new BinaryAccuracy(name);
                if (yTrueShape.Length < yPredShape.Length || (trueLast == 1 && predLast > 1)) return new SparseCategoricalAccuracy(name);
                return new CategoricalAccuracy(name);
            case "categorical_accuracy": return new CategoricalAccuracy(name);
            case "binary_accuracy": return new BinaryAccuracy(name);
            case "sparse_categorical_accuracy": return new SparseCategoricalAccuracy(name);
            default: throw new KerasNetException($"Unknown metric '{name}': supported are accuracy, acc, categorical_accuracy, binary_accuracy, sparse_categorical_accuracy.");
        }
    }

    /// <summary>Index of the first maximum, as argmax.</summary>
    internal static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}

/// <summary>argmax(prediction) == argmax(target).</summary>
public sealed class CategoricalAccuracy(string name = "categorical_accuracy") : Metric(name)
{
    /// <inheritdoc/>
    protected override double Sample(ReadOnlySpan<float> pred, Tensor yTrue, int row, int cols) =>
        ArgMax(pred) == ArgMax(yTrue.Span.Slice(row * cols, cols)) ? 1 : 0;
}

/// <summary>argmax(prediction) == integer target.</summary>
public sealed class SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy") : Metric(name)
{
    /// <inheritdoc/>
    protected override double Sample(ReadOnlySpan<float> pred, Tensor yTrue, int row, int cols) =>
        ArgMax(pred) == (int)yTrue[row] ? 1 : 0;
}

/// <summary>Mean over the last axis of (prediction &gt; 0.5) == target.</summary>
public sealed class BinaryAccuracy(string name = "binary_accuracy") : Metric(name)
{
    /// <inheritdoc/>
    protected override double Sample(ReadOnlySpan<float> pred, Tensor yTrue, int row, int cols)
    {
        int hits = 0;
        for (int j = 0; j < cols; j++) if ((pred[j] > 0.5f ? 1f : 0f) == yTrue[row * cols + j]) hits++;
        return (double)hits / cols;
    }
}
