#nullable enable
using KerasNet.Callbacks;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;
using NumSharp;

namespace KerasNet.Models;

public sealed partial class Sequential
{
    private Tensor? _lossGrad;

    /// <summary>Where Fit and Evaluate write their progress text (Console.Out by default).</summary>
    public TextWriter? Output { get; set; }

    /// <summary>
    /// Trains on a batch source for <paramref name="epochs"/> epochs, printing Keras's epoch lines, and returns the History.
    /// </summary>
    public History Fit(IDataSequence x, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
        IDataSequence? validationData = null, int initialEpoch = 0, int? stepsPerEpoch = null)
    {
        EnsureCompiled("Fit");
        if (epochs < 0) throw new KerasNetException($"epochs must be non-negative, got {epochs}.");
        if (x.Count == 0) throw new KerasNetException("Fit: the training data has no samples.");
        var history = new History();
        // Keras's CallbackList order: the user's callbacks, then History (the progress bar is drawn by Fit itself,
        // first in each hook, as Keras's ProgbarLogger is).
        var all = new List<Callback>(callbacks ?? []) { history };
        foreach (var cb in all) cb.Model = this;
        var output = Output ?? Console.Out;
        int steps = Math.Min(stepsPerEpoch ?? x.Count, x.Count);
        bool batchLogsWanted = all.Count > 1;
        StopTraining = false;
        foreach (var cb in all) cb.OnTrainBegin(new Dictionary<string, double>());
        for (int epoch = initialEpoch; epoch < epochs && !StopTraining; epoch++)
        {
            if (verbose > 0 && epochs > 1) output.WriteLine($"Epoch {epoch + 1}/{epochs}");
            foreach (var cb in all) cb.OnEpochBegin(epoch, new Dictionary<string, double>());
            var bar = new Progbar(steps, verbose, Output);
            var running = new RunningLogs(this);
            int seen = 0;
            for (int step = 0; step < steps; step++)
            {
                if (batchLogsWanted) foreach (var cb in all) cb.OnTrainBatchBegin(step, new Dictionary<string, double>());
                var batch = x.GetBatch(step);
                double loss = TrainStep(batch);
                running.Add(loss, batch.X.BatchSize);
                seen = step + 1;
                if (batchLogsWanted)
                {
                    var batchLogs = running.ToDictionary();
                    foreach (var cb in all) cb.OnTrainBatchEnd(step, batchLogs);
                }
                if (StopTraining) break; // TerminateOnNaN (or a user callback) ends the epoch here, as Keras does.
                if (!double.IsFinite(loss))
                    throw new NonFiniteLossException($"Training stopped: the loss became {loss} at epoch {epoch + 1}, batch {step + 1}. Lower the learning rate or check the data for NaN or infinite values (or pass a TerminateOnNaN callback to stop quietly).");
                if (seen < steps) bar.Update(seen, running.Values());
            }
            x.OnEpochEnd();
            var epochLogs = running.ToDictionary();
            if (validationData != null)
            {
                var val = Evaluate(validationData, verbose: 0);
                epochLogs["val_loss"] = val[0];
                for (int i = 0; i < Metrics.Count; i++) epochLogs["val_" + Metrics[i].Name] = val[i + 1];
            }
            // Keras finalises the bar at the steps actually run, with the validation values appended.
            bar.Update(seen, epochLogs.ToList(), finalize: true);
            foreach (var cb in all) cb.OnEpochEnd(epoch, epochLogs);
        }
        foreach (var cb in all) cb.OnTrainEnd(new Dictionary<string, double>());
        return history;
    }

    /// <summary>Trains on in-memory arrays, as <c>fit(x, y, batch_size, epochs, validation_split, shuffle)</c>.</summary>
    public History Fit(NDArray x, NDArray y, int batchSize = 32, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0, (NDArray x, NDArray y)? validationData = null,
        bool shuffle = true, int initialEpoch = 0) =>
        Fit(NDArrays.ToTensor(x), NDArrays.ToTensor(y), batchSize, epochs, verbose, callbacks, validationSplit,
            validationData is { } v ? (NDArrays.ToTensor(v.x), NDArrays.ToTensor(v.y)) : null, shuffle, initialEpoch);

    /// <summary>Trains on tensors (samples first).</summary>
    public History Fit(Tensor x, Tensor y, int batchSize = 32, int epochs = 1, int verbose = 1,
        IEnumerable<Callback>? callbacks = null, double validationSplit = 0, (Tensor x, Tensor y)? validationData = null,
        bool shuffle = true, int initialEpoch = 0)
    {
        if (validationSplit < 0 || validationSplit >= 1) throw new KerasNetException($"validation_split must be in [0, 1), got {validationSplit}.");
        if (x.BatchSize != y.BatchSize) throw new ShapeMismatchException($"x has {x.BatchSize} samples but y has {y.BatchSize}.");
        IDataSequence? val = null;
        if (validationData is { } v) val = new ArraySequence(v.x, v.y, batchSize);
        else if (validationSplit > 0)
        {
            // Keras takes the last fraction of the arrays, before any shuffling.
            int split = (int)(x.BatchSize * (1 - validationSplit));
            val = new ArraySequence(Slice(x, split, x.BatchSize), Slice(y, split, y.BatchSize), batchSize);
            (x, y) = (Slice(x, 0, split), Slice(y, 0, split));
        }
        return Fit(new ArraySequence(x, y, batchSize, shuffle), epochs, verbose, callbacks, val, initialEpoch);
    }

    private static Tensor Slice(Tensor t, int start, int end)
    {
        var shape = (int[])t.Shape.Clone();
        shape[0] = end - start;
        var r = new Tensor(shape);
        t.Buffer.AsSpan(start * t.SampleSize, r.Length).CopyTo(r.Span);
        return r;
    }

    /// <summary>One optimisation step on a batch; returns the batch loss.</summary>
    public double TrainStep(Batch batch)
    {
        EnsureCompiled("training");
        if (batch.Y is null) throw new KerasNetException("Training needs targets, but the batch has none (class_mode=None?).");
        EnsureBuiltFor(batch.X);
        ResolveMetrics(batch.Y); // before the forward pass, so a fused output layer records its logits on step one
        var yPred = Call(batch.X, training: true);
        _lossGrad = Tensor.Ensure(_lossGrad, yPred.Shape);
        var logits = (_layers[^1] as IActivatedLayer)?.Stage.Logits;
        double loss = Loss!.Compute(yPred, batch.Y, _lossGrad, logits);
        for (int i = 0; i < Metrics.Count; i++) Metrics[i].Update(yPred, batch.Y);
        var trainable = RefreshTrainable();
        var optimizer = Optimizer!;
        optimizer.BeginApply(trainable);
        // Element-wise optimizers let dense layers update their kernels during backward (never storing the gradient).
        var fused = optimizer.IsElementWise ? optimizer : null;
        _fusedDone.Clear();
        try
        {
            Tensor? g = _lossGrad;
            for (int i = _layers.Count - 1; i >= 0 && i >= _firstTrainable && g != null; i--)
            {
                var layer = _layers[i];
                if (layer is Dense d) d.FusedOptimizer = fused;
                g = layer.Backward(g, needInputGrad: i > _firstTrainable);
                if (layer is Dense { KernelUpdatedInBackward: true } done) _fusedDone.Add(done.Kernel!);
            }
        }
        finally
        {
            foreach (var layer in _layers) if (layer is Dense d) d.FusedOptimizer = null;
        }
        optimizer.UpdateVariables(trainable, _fusedDone);
        return loss;
    }

    private readonly List<Variable> _trainable = new();
    private readonly HashSet<Variable> _fusedDone = new();
    private int _firstTrainable;

    /// <summary>The trainable weights in Keras order, rebuilt only when trainability changed (no per-step allocation).</summary>
    private List<Variable> RefreshTrainable()
    {
        int n = 0, first = -1;
        bool same = true;
        for (int i = 0; i < _layers.Count; i++)
        {
            var layer = _layers[i];
            if (!layer.Trainable) continue;
            var weights = layer.Weights;
            for (int j = 0; j < weights.Count; j++)
            {
                if (!weights[j].Trainable) continue;
                if (first < 0) first = i;
                same &= n < _trainable.Count && ReferenceEquals(_trainable[n], weights[j]);
                n++;
            }
        }
        _firstTrainable = first < 0 ? _layers.Count : first;
        if (!same || n != _trainable.Count)
        {
            _trainable.Clear();
            _trainable.AddRange(TrainableWeights);
        }
        return _trainable;
    }

    /// <summary>Loss and metrics over a batch source: [loss, metric1, ...].</summary>
    public double[] Evaluate(IDataSequence x, int verbose = 1)
    {
        EnsureCompiled("Evaluate");
        var running = new RunningLogs(this);
        var bar = new Progbar(x.Count, verbose, Output);
        for (int i = 0; i < x.Count; i++)
        {
            var b = x.GetBatch(i);
            if (b.Y is null) throw new KerasNetException("Evaluate needs targets, but the data has none.");
            EnsureBuiltFor(b.X);
            ResolveMetrics(b.Y);
            var yPred = Call(b.X, training: false);
            var logits = (_layers[^1] as IActivatedLayer)?.Stage.Logits;
            running.Add(Loss!.Compute(yPred, b.Y, null, logits), b.X.BatchSize);
            foreach (var m in Metrics) m.Update(yPred, b.Y);
            bar.Update(i + 1, running.Values());
        }
        return [running.Loss, .. Metrics.Select(m => m.Result())];
    }

    /// <summary>Loss and metrics over arrays.</summary>
    public double[] Evaluate(NDArray x, NDArray y, int batchSize = 32, int verbose = 1) =>
        Evaluate(new ArraySequence(NDArrays.ToTensor(x), NDArrays.ToTensor(y), batchSize), verbose);

    /// <summary>Model outputs for every sample of a batch source, in its order.</summary>
    public NDArray Predict(IDataSequence x, int verbose = 0) => NDArrays.FromTensor(PredictTensor(x, verbose));

    /// <summary>Model outputs for arrays, batch by batch.</summary>
    public NDArray Predict(NDArray x, int batchSize = 32, int verbose = 0) =>
        NDArrays.FromTensor(PredictTensor(new ArraySequence(NDArrays.ToTensor(x), null, batchSize), verbose));

    /// <summary>Model outputs as a plain [samples, outputs] array.</summary>
    public float[,] PredictArray(IDataSequence x) => NDArrays.ToArray2D(PredictTensor(x, 0));

    /// <summary>Model outputs as a tensor (samples first).</summary>
    public Tensor PredictTensor(IDataSequence x, int verbose = 0)
    {
        if (x.Samples == 0) throw new KerasNetException("Predict: the data has no samples.");
        Tensor? result = null;
        int row = 0;
        var bar = new Progbar(x.Count, verbose, Output);
        for (int i = 0; i < x.Count; i++)
        {
            var b = x.GetBatch(i);
            var y = Call(b.X, training: false);
            result ??= new Tensor(ShapeUtil.WithBatch(x.Samples, y.Shape[1..]));
            int n = y.BatchSize;
            if (row + n > x.Samples) throw new KerasNetException($"Predict: the data yielded more than its {x.Samples} samples.");
            y.Span.CopyTo(result.Buffer.AsSpan(row * y.SampleSize, y.Length));
            row += n;
            bar.Update(i + 1, []);
        }
        return result!;
    }

    /// <summary>Model outputs for a batch tensor.</summary>
    public Tensor Predict(Tensor x) => Call(x, training: false).Clone();

    /// <summary>Sample-weighted running means of the loss and the compiled metrics over an epoch.</summary>
    private sealed class RunningLogs
    {
        private readonly Sequential _model;
        private double _lossSum;
        private long _count;

        public RunningLogs(Sequential model)
        {
            _model = model;
            foreach (var m in model.Metrics) m.Reset();
        }

        public double Loss => _count == 0 ? 0 : _lossSum / _count;

        public void Add(double loss, int samples) { _lossSum += loss * samples; _count += samples; }

        public List<KeyValuePair<string, double>> Values()
        {
            var v = new List<KeyValuePair<string, double>> { new("loss", Loss) };
            foreach (var m in _model.Metrics) v.Add(new(m.Name, m.Result()));
            return v;
        }

        public Dictionary<string, double> ToDictionary() => Values().ToDictionary(p => p.Key, p => p.Value);
    }
}
