#nullable enable
using System.Text.Json.Nodes;
using KerasNet.Engine;

namespace KerasNet.Metrics;

/// <summary>
/// The mean intersection over union of the classes (Keras's <c>MeanIoU</c>): targets and predictions are class
/// indices (truncated to integers, as tf.math.confusion_matrix casts them), flattened into a weighted confusion
/// matrix; IoU = tp / (tp + fp + fn) per class, averaged over the classes that occur in either.
/// </summary>
public sealed class MeanIoU : Metric
{
    private readonly double[] _cm; // [true class * numClasses + predicted class]

    /// <summary>Creates the metric.</summary>
    /// <param name="numClasses">The number of classes (at least 1).</param>
    /// <param name="name">The log key.</param>
    public MeanIoU(int numClasses, string name = "mean_io_u") : base(name)
    {
        if (numClasses < 1) throw new KerasNetException($"MeanIoU: num_classes must be at least 1, got {numClasses}.");
        NumClasses = numClasses;
        _cm = new double[numClasses * numClasses];
    }

    /// <summary>The number of classes.</summary>
    public int NumClasses { get; }

    /// <summary>The accumulated confusion matrix, rows the true classes.</summary>
    public double[,] ConfusionMatrix
    {
        get
        {
            var m = new double[NumClasses, NumClasses];
            for (int i = 0; i < _cm.Length; i++) m[i / NumClasses, i % NumClasses] = _cm[i];
            return m;
        }
    }

    /// <inheritdoc/>
    public override void UpdateState(Tensor yTrue, Tensor yPred, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(yTrue);
        ArgumentNullException.ThrowIfNull(yPred);
        if (yTrue.Length != yPred.Length)
            throw new ShapeMismatchException($"Metric '{Name}': targets of shape {ShapeUtil.Format(yTrue.Shape)} and predictions of shape {ShapeUtil.Format(yPred.Shape)} must hold one class index each per element.");
        var w = MetricWeights.OfElements(sampleWeight, yPred, Name);
        var p = yPred.Span; var y = yTrue.Span;
        for (int i = 0; i < p.Length; i++) _cm[Class(y[i]) * NumClasses + Class(p[i])] += w.Row(i);
    }

    private int Class(float v)
    {
        long k = (long)v;
        if (!float.IsFinite(v) || k < 0 || k >= NumClasses)
            throw new KerasNetException($"Metric '{Name}': {v} is not a class index in [0, {NumClasses}) (MeanIoU takes class indices, not scores).");
        return (int)k;
    }

    /// <inheritdoc/>
    public override double Result()
    {
        int n = NumClasses, valid = 0;
        double sum = 0;
        for (int c = 0; c < n; c++)
        {
            double row = 0, col = 0;
            for (int j = 0; j < n; j++) { row += _cm[c * n + j]; col += _cm[j * n + c]; }
            double tp = _cm[c * n + c], denominator = row + col - tp;
            if (denominator != 0) { valid++; sum += tp / denominator; }
        }
        return valid == 0 ? 0 : sum / valid;
    }

    /// <inheritdoc/>
    public override void ResetState() => Array.Clear(_cm);

    /// <inheritdoc/>
    public override JsonObject GetConfig()
    {
        var c = base.GetConfig();
        c["num_classes"] = NumClasses;
        return c;
    }
}
