#nullable enable
using KerasNet.Callbacks;
using KerasNet.Data;
using KerasNet.Engine;
using NumSharp;

namespace KerasNet.Models;

public partial class Model
{
    /// <summary>
    /// Trains on in-memory arrays, as <c>fit(x, y, batch_size, epochs, validation_split, shuffle, class_weight,
    /// sample_weight)</c>. <paramref name="sampleWeight"/> has one weight per sample, or per sample and timestep
    /// (samples, timesteps) for sequence outputs; <paramref name="classWeight"/> maps class indices 0..C-1 to weights
    /// (see <see cref="Fit(IDataSequence, int, int, IEnumerable{Callback}?, IDataSequence?, int, int?, IDictionary{int, double}?)"/>);
    /// <paramref name="validationSampleWeight"/> weighs <paramref name="validationData"/> (Keras's third element).
    /// </summary>
    public History Fit(NDArray x, NDArray y, int batchSize = 32, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0, (NDArray x, NDArray y)? validationData = null,
        bool shuffle = true, int initialEpoch = 0, IDictionary<int, double>? classWeight = null, NDArray? sampleWeight = null,
        NDArray? validationSampleWeight = null) =>
        Fit([NDArrays.ToTensor(x)], [NDArrays.ToTensor(y)], batchSize, epochs, verbose, callbacks, validationSplit,
            validationData is { } v ? ([NDArrays.ToTensor(v.x)], [NDArrays.ToTensor(v.y)]) : null, shuffle, initialEpoch,
            classWeight, OptionalTensor(sampleWeight), OptionalTensor(validationSampleWeight));

    /// <summary>Trains a model with several inputs or outputs on arrays in <see cref="Inputs"/>/<see cref="Outputs"/> order (one sample weight array weighs every output's loss).</summary>
    public History Fit(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, int batchSize = 32, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0,
        (IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y)? validationData = null, bool shuffle = true, int initialEpoch = 0,
        IDictionary<int, double>? classWeight = null, NDArray? sampleWeight = null, NDArray? validationSampleWeight = null) =>
        Fit(x.Select(NDArrays.ToTensor).ToArray(), y.Select(NDArrays.ToTensor).ToArray(), batchSize, epochs, verbose, callbacks, validationSplit,
            validationData is { } v ? (v.x.Select(NDArrays.ToTensor).ToArray(), v.y.Select(NDArrays.ToTensor).ToArray()) : null, shuffle, initialEpoch,
            classWeight, OptionalTensor(sampleWeight), OptionalTensor(validationSampleWeight));

    /// <summary>Trains on arrays given by input and output name, as Keras's dictionaries.</summary>
    public History Fit(IDictionary<string, NDArray> x, IDictionary<string, NDArray> y, int batchSize = 32, int epochs = 1,
        int verbose = 1, IEnumerable<Callback>? callbacks = null, double validationSplit = 0, bool shuffle = true, int initialEpoch = 0,
        IDictionary<int, double>? classWeight = null, NDArray? sampleWeight = null) =>
        Fit(ByName(x, InputNames, "input"), ByName(y, OutputNames, "output"), batchSize, epochs, verbose, callbacks,
            validationSplit, null, shuffle, initialEpoch, classWeight, sampleWeight);

    /// <summary>Trains on tensors (samples first).</summary>
    public History Fit(Tensor x, Tensor y, int batchSize = 32, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0, (Tensor x, Tensor y)? validationData = null,
        bool shuffle = true, int initialEpoch = 0, IDictionary<int, double>? classWeight = null, Tensor? sampleWeight = null,
        Tensor? validationSampleWeight = null) =>
        Fit([x], [y], batchSize, epochs, verbose, callbacks, validationSplit,
            validationData is { } v ? ([v.x], [v.y]) : null, shuffle, initialEpoch, classWeight, sampleWeight, validationSampleWeight);

    /// <summary>Trains on tensors of every input and output (samples first).</summary>
    public History Fit(Tensor[] x, Tensor[] y, int batchSize = 32, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0, (Tensor[] x, Tensor[] y)? validationData = null,
        bool shuffle = true, int initialEpoch = 0, IDictionary<int, double>? classWeight = null, Tensor? sampleWeight = null,
        Tensor? validationSampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (validationSplit < 0 || validationSplit >= 1) throw new KerasNetException($"validation_split must be in [0, 1), got {validationSplit}.");
        if (x.Length == 0 || y.Length == 0) throw new KerasNetException("Fit needs at least one input array and one target array.");
        int samples = x[0].BatchSize;
        foreach (var t in x.Concat(y))
            if (t.BatchSize != samples) throw new ShapeMismatchException($"x has {samples} samples but an array has {t.BatchSize}.");
        if (sampleWeight != null && sampleWeight.BatchSize != samples)
            throw new ShapeMismatchException($"sample_weight has {sampleWeight.BatchSize} samples but x has {samples}.");
        if (validationSampleWeight != null && validationData is null)
            throw new KerasNetException("validationSampleWeight weighs validationData, but no validationData was given.");
        IDataSequence? val = null;
        if (validationData is { } v) val = new ArraySequence(v.x, v.y, batchSize, sampleWeight: validationSampleWeight);
        else if (validationSplit > 0)
        {
            // Keras takes the last fraction of the arrays (the sample weights too), before any shuffling.
            int split = (int)(samples * (1 - validationSplit));
            val = new ArraySequence(x.Select(t => Slice(t, split, samples)).ToArray(), y.Select(t => Slice(t, split, samples)).ToArray(), batchSize,
                sampleWeight: sampleWeight is null ? null : Slice(sampleWeight, split, samples));
            x = x.Select(t => Slice(t, 0, split)).ToArray();
            y = y.Select(t => Slice(t, 0, split)).ToArray();
            if (sampleWeight != null) sampleWeight = Slice(sampleWeight, 0, split);
        }
        return Fit(new ArraySequence(x, y, batchSize, shuffle, sampleWeight: sampleWeight), epochs, verbose, callbacks, val, initialEpoch,
            classWeight: classWeight);
    }

    /// <summary>One optimisation step (Keras's <c>train_on_batch</c>): returns this batch's loss and metrics in <see cref="MetricsNames"/> order.</summary>
    public double[] TrainOnBatch(Batch batch)
    {
        foreach (var ms in _outputMetrics) foreach (var m in ms) m.Reset();
        TrainStep(batch);
        return TrainOnBatchLogs();
    }

    private double[] TrainOnBatchLogs()
    {
        // The metrics hold sums since their last reset; train_on_batch reports this batch alone (reset_metrics=True).
        var values = new List<double>();
        double total = 0;
        for (int i = 0; i < _lastOutputLosses.Length; i++) total += _lossWeights[i] * _lastOutputLosses[i];
        values.Add(total + _lastPenalty); // Keras's loss includes the regularization losses
        if (_lastOutputLosses.Length > 1) values.AddRange(_lastOutputLosses);
        foreach (var ms in _outputMetrics) foreach (var m in ms) { values.Add(m.Result()); m.Reset(); }
        return values.ToArray();
    }

    private static Tensor Slice(Tensor t, int start, int end)
    {
        var shape = (int[])t.Shape.Clone();
        shape[0] = end - start;
        var r = new Tensor(shape);
        t.Buffer.AsSpan(start * t.SampleSize, r.Length).CopyTo(r.Span);
        return r;
    }
}
