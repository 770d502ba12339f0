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
    /// Resolves a metric name. "accuracy"/"acc" becomes binary, sparse categorical or categorical accuracy from
    /// the loss and the output width, as tf.keras 2.4's compile does.
    /// </summary>
    public static Metric Get(string name, string lossName, int outputWidth)
    {
        switch (name)
        {
            case "accuracy" or "acc":
                if (outputWidth == 1 || lossName == "binary_crossentropy") return new BinaryAccuracy(name);
                if (lossName == "sparse_categorical_crossentropy") return new SparseCategoricalAccuracy(name);
                return new CategoricalAccuracy(name);
            case "categorical_accuracy": return new CategoricalAccuracy(name);
            case "binary_accuracy": return new BinaryAccuracy(name);
            case "sparse_categorical_accuracy": return new SparseCategoricalAccuracy(name);
            default: throw new KerasNetException($"Unknown metric '{name}': supported are accuracy, categorical_accuracy, binary_accuracy, sparse_categorical_accuracy.");
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
