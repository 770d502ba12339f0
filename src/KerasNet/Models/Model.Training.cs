#nullable enable
using KerasNet.Callbacks;
using KerasNet.Data;
using KerasNet.Engine;
using KerasNet.Layers;

namespace KerasNet.Models;

public partial class Model
{
    private readonly ReaderWriterLockSlim _stepLock = new(LockRecursionPolicy.SupportsRecursion);
    private GraphContext? _trainContext;
    private Tensor[] _lossGrads = [];
    private readonly List<Variable> _trainableScratch = new();
    private readonly List<Variable> _trainable = new();
    private readonly GradientSink _sink = new();
    private int _trainingThread;

    /// <summary>
    /// Trains on a batch source for <paramref name="epochs"/> epochs, printing Keras's epoch lines, and returns the History.
    /// Batches that carry a <see cref="Batch.SampleWeight"/> weigh the losses with it. <paramref name="classWeight"/> is
    /// Keras's <c>class_weight</c>: a weight per class index (keys 0 to classes - 1) multiplying each sample's loss by
    /// the weight of its class (the argmax of one-hot targets, else the integer target), times the batch's sample
    /// weight when it has one; for training only, on a model with one output.
    /// </summary>
    /// <param name="x">The batches (Keras's Sequence); its own batch size and order apply.</param>
    /// <param name="epochs">The index of the last epoch (epochs <paramref name="initialEpoch"/> .. epochs - 1 run).</param>
    /// <param name="verbose">0: silent; 1: a progress bar; 2: one line per epoch (<c>N/N - 0s - loss: ...</c>).</param>
    /// <param name="callbacks">Called in order, before the History.</param>
    /// <param name="validationData">Evaluated after each validated epoch; its values join the logs as <c>val_*</c>.</param>
    /// <param name="initialEpoch">The epoch to resume at (History numbers epochs from it).</param>
    /// <param name="stepsPerEpoch">Batches per epoch (default: all of them). Each epoch starts again at batch 0; a
    /// source that has fewer batches runs out: the epoch ends early with Keras's warning and training stops.</param>
    /// <param name="validationSteps">Validation batches per validation (default: all of them).</param>
    /// <param name="validationFreq">Validate after every n-th epoch, or after the listed 1-based epochs (default 1).</param>
    /// <param name="classWeight">Keras's class_weight: a weight per class index 0..C-1 (see the summary).</param>
    /// <remarks>The model trains on one thread at a time: Fit holds the model for its whole run, so a Fit or
    /// TrainStep on another thread meanwhile throws a <see cref="KerasNetException"/> (steps of two Fits never interleave).</remarks>
    /// <returns>The <see cref="KerasNet.Callbacks.History"/> of the run: each epoch's loss, metrics and validation
    /// values.</returns>
    public History Fit(IDataSequence x, int epochs = 1, int verbose = 1, IEnumerable<Callback>? callbacks = null,
        IDataSequence? validationData = null, int initialEpoch = 0, int? stepsPerEpoch = null,
        int? validationSteps = null, ValidationFreq? validationFreq = null, IDictionary<int, double>? classWeight = null) =>
        Fit(x, new FitPlan(epochs, verbose, callbacks, validationData, initialEpoch, stepsPerEpoch, validationSteps,
            validationFreq ?? 1, RepeatsData: false, ClassWeight: ClassWeights.From(classWeight)));

    /// <summary>
    /// What one Fit runs, after the array overloads have made their batch sources. RepeatsData (arrays): the data
    /// holds <c>epochs - initialEpoch</c> passes (tf.keras 2.4 repeats the arrays' dataset that often), so an epoch
    /// longer than one pass goes on into a freshly shuffled one. ClassWeight: Keras's class_weight, applied to every
    /// training batch.
    /// </summary>
    private sealed record FitPlan(int Epochs, int Verbose, IEnumerable<Callback>? Callbacks, IDataSequence? Validation,
        int InitialEpoch, int? StepsPerEpoch, int? ValidationSteps, ValidationFreq ValidationFreq, bool RepeatsData,
        ClassWeights? ClassWeight = null);

    private History Fit(IDataSequence x, FitPlan plan)
    {
        bool claimed = ClaimTraining();
        try { return FitHeld(x, plan); }
        finally { ReleaseTraining(claimed); }
    }

    /// <summary>Makes this thread the model's trainer; false when it already is (a callback of its own Fit).</summary>
    private bool ClaimTraining()
    {
        int me = Environment.CurrentManagedThreadId;
        int other = Interlocked.CompareExchange(ref _trainingThread, me, 0);
        if (other == 0) return true;
        if (other == me) return false;
        throw new KerasNetException($"Model '{Name}' is already being trained on another thread; one model trains on one thread at a time.");
    }

    private void ReleaseTraining(bool claimed)
    {
        if (claimed) Volatile.Write(ref _trainingThread, 0);
    }

    private History FitHeld(IDataSequence x, FitPlan plan)
    {
        ArgumentNullException.ThrowIfNull(x);
        EnsureCompiled("Fit");
        int epochs = plan.Epochs, verbose = plan.Verbose;
        if (epochs < 0) throw new KerasNetException($"epochs must be non-negative, got {epochs}.");
        if (plan.InitialEpoch < 0) throw new KerasNetException($"initial_epoch must be non-negative, got {plan.InitialEpoch}.");
        if (verbose is < 0 or > 2) throw new KerasNetException($"verbose must be 0, 1 or 2, got {verbose}.");
        if (plan.StepsPerEpoch is <= 0) throw new KerasNetException($"steps_per_epoch must be positive, got {plan.StepsPerEpoch}.");
        if (plan.ValidationSteps is <= 0) throw new KerasNetException($"validation_steps must be positive, got {plan.ValidationSteps}.");
        if (x.Count == 0) throw new KerasNetException("Fit: the training data has no samples.");
        _onBatchLogs = null; // fit resets the metrics (Keras's reset_metrics at each epoch): train_on_batch starts afresh after it
        var history = new History();
        // Keras's CallbackList order: a ProgbarLogger counting steps first unless one was passed (and verbose is not
        // 0), the user's callbacks, then History.
        var all = new List<Callback>(plan.Callbacks ?? []);
        if (verbose != 0 && !all.Any(cb => cb is ProgbarLogger)) all.Insert(0, new ProgbarLogger("steps"));
        all.Add(history);
        foreach (var cb in all) cb.Model = this;
        int perPass = x.Count;
        int steps = plan.StepsPerEpoch ?? perPass;
        // tf.keras 2.4 makes a new iterator every epoch: a Sequence yields one pass, arrays epochs - initial_epoch passes.
        long available = plan.RepeatsData ? (long)Math.Max(1, epochs - plan.InitialEpoch) * perPass : perPass;
        int runnable = (int)Math.Min(steps, available);
        foreach (var cb in all) if (cb is ProgbarLogger p) p.SetParams(verbose, epochs, steps);
        // The bar asks for the logs only when it draws; the others' batch hooks get a dictionary per step.
        bool batchLogsWanted = all.Any(cb => cb is not (History or ProgbarLogger));
        StopTraining = false;
        ResumeEpoch = null;
        foreach (var cb in all) cb.OnTrainBegin(new Dictionary<string, double>());
        // BackupAndRestore sets the epoch to resume at in OnTrainBegin (Keras 3's model._initial_epoch).
        int initialEpoch = ResumeEpoch ?? plan.InitialEpoch;
        ResumeEpoch = null;
        for (int epoch = initialEpoch; epoch < epochs && !StopTraining; epoch++)
        {
            foreach (var cb in all) cb.OnEpochBegin(epoch, new Dictionary<string, double>());
            // Keras resets the compiled metrics as each epoch begins: the epoch's values cover all of its batches.
            foreach (var ms in _outputMetrics) foreach (var m in ms) m.ResetState();
            RunningLogs? running = null;
            int seen = 0;
            for (int step = 0; step < runnable; step++)
            {
                if (batchLogsWanted) foreach (var cb in all) cb.OnTrainBatchBegin(step, new Dictionary<string, double>());
                if (step > 0 && step % perPass == 0) x.OnEpochEnd(); // the next pass of repeated arrays: a new order
                var batch = x.GetBatch(step % perPass);
                if (plan.ClassWeight != null) batch = plan.ClassWeight.Apply(batch);
                double loss = TrainStep(batch);
                running ??= new RunningLogs(this, resetMetrics: false);
                running.Add(batch.X.BatchSize, _lastOutputLosses, _lastPenalty);
                seen = step + 1;
                var batchLogs = batchLogsWanted ? running.ToDictionary() : null;
                foreach (var cb in all)
                {
                    if (cb is ProgbarLogger p) p.OnTrainBatchEnd(step, running.ValuesSource);
                    else if (batchLogs != null) cb.OnTrainBatchEnd(step, batchLogs);
                }
                if (StopTraining) break; // TerminateOnNaN (or a user callback) ends the epoch here, as Keras does.
                if (!double.IsFinite(loss))
                    throw new NonFiniteLossException($"Training stopped: the loss became {loss} at epoch {epoch + 1}, batch {step + 1}. Lower the learning rate or check the data for NaN or infinite values (or pass a TerminateOnNaN callback to stop quietly).");
            }
            bool ranOut = seen == runnable && runnable < steps;
            if (ranOut) WarnRanOut((long)Math.Max(1, epochs - plan.InitialEpoch) * steps);
            x.OnEpochEnd();
            var epochLogs = running?.ToDictionary() ?? new Dictionary<string, double>();
            if (plan.Validation != null && plan.ValidationFreq.ValidatesAfter(epoch))
            {
                var val = Evaluate(plan.Validation, verbose: 0, steps: plan.ValidationSteps);
                for (int i = 0; i < val.Length; i++) epochLogs["val_" + _logNames[i]] = val[i];
            }
            // The ProgbarLogger finalises the bar at the steps actually run, with the validation values appended.
            foreach (var cb in all) cb.OnEpochEnd(epoch, epochLogs);
            if (ranOut) break; // tf.keras 2.4's DataHandler: no epoch starts once the data ran out
        }
        foreach (var cb in all) cb.OnTrainEnd(new Dictionary<string, double>());
        return history;
    }

    /// <summary>The epoch a callback asks Fit to start at, set during OnTrainBegin (see BackupAndRestore).</summary>
    internal int? ResumeEpoch { get; set; }

    /// <summary>tf.keras 2.4's warning (data_adapter.catch_stop_iteration) when steps_per_epoch asks for more batches than the data has.</summary>
    private static void WarnRanOut(long batches) =>
        Keras.Warn("Your input ran out of data; interrupting training. Make sure that your dataset or generator can generate at least " +
            $"`steps_per_epoch * epochs` batches (in this case, {batches} batches). You may need to use the repeat() function when building your dataset.");

    private double[] _lastOutputLosses = [];
    private double _lastPenalty; // the regularization loss of the last step (Keras's model.losses, summed)
    private FunctionalGraph? _checkedForTraining;

    /// <summary>
    /// Refuses training that would silently differ from Keras: a weight whose initializer KerasNet lacks and that was
    /// never loaded, or a regularizer/constraint KerasNet cannot apply (an unknown class from a config). Once per graph.
    /// </summary>
    private void CheckTrainable(FunctionalGraph g)
    {
        Initializer.CheckTrainable(Weights);
        KernelLayer.CheckTrainable(LeafLayers(this));
        _checkedForTraining = g;
    }

    private static IEnumerable<Layer> LeafLayers(Model m) =>
        m.Layers.SelectMany(l => l is Model inner ? LeafLayers(inner) : [l]);

    /// <summary>
    /// One optimisation step on a batch (Keras's <c>train_on_batch</c>); returns the total loss (the regularization
    /// losses included, as Keras's). Concurrent Predict
    /// and Evaluate calls wait for the step, and the step waits for them, so none sees half-updated weights.
    /// </summary>
    /// <param name="batch">The batch: inputs and targets (and sample weights).</param>
    /// <returns>The total loss of the batch, regularization included.</returns>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public double TrainStep(Batch batch)
    {
        EnsureCompiled("training");
        if (batch.Y is null && batch.Ys is null) throw new KerasNetException("Training needs targets, but the batch has none (class_mode=None?).");
        Tensor x = null!, y = null!;
        var inputs = batch.Inputs(ref x);
        var targets = batch.Targets(ref y);
        EnsureBuiltFor(inputs);
        var g = _graph!;
        if (_checkedForTraining != g) CheckTrainable(g);
        bool claimed = ClaimTraining();
        try
        {
            _stepLock.EnterWriteLock();
            try { return Step(g, inputs, targets, batch.SampleWeight); }
            finally { _stepLock.ExitWriteLock(); }
        }
        finally { ReleaseTraining(claimed); }
    }

    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private double Step(FunctionalGraph g, ReadOnlySpan<Tensor> inputs, ReadOnlySpan<Tensor> targets, Tensor? sampleWeight)
    {
        Resolve(g, targets); // before the forward pass, so a fused output layer records its logits on step one
        var ctx = _trainContext ??= g.CreateContext();
        ctx.SetLossFusion(_fusedNodes);
        g.Forward(ctx, inputs, training: true);
        int n = g.Outputs.Length;
        if (_lossGrads.Length != n) _lossGrads = new Tensor[n];
        if (_lastOutputLosses.Length != n) _lastOutputLosses = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            var yPred = ctx.Output(i);
            var grad = _lossGrads[i] = Tensor.Ensure(_lossGrads[i], (ReadOnlySpan<int>)yPred.Shape);
            var logits = _fusedNodes[i] >= 0 ? ctx.Nodes[_fusedNodes[i]].Logits : null;
            double li = OutputLoss(ctx, i, yPred, targets[i], grad, logits, sampleWeight);
            if (_lossWeights[i] != 1) System.Numerics.Tensors.TensorPrimitives.Multiply(grad.Span, (float)_lossWeights[i], grad.Span);
            _lastOutputLosses[i] = li;
            total += _lossWeights[i] * li;
            var (mp, mt) = MaskedRowsOf(ctx, i, yPred, targets[i]);
            UpdateOutputMetrics(_outputMetrics[i], i, mt, mp, sampleWeight, masked: !ReferenceEquals(mp, yPred));
        }
        var trainable = RefreshTrainable();
        var optimizer = Optimizer!;
        optimizer.BeginApply(trainable);
        // Element-wise optimizers let kernels update a weight while its gradient is formed; the sink allows it only
        // for this step's trainable variables that a single call uses and that have no regularizer.
        _sink.BeginStep(trainable, g.SharedVariables, optimizer.IsElementWise ? optimizer : null);
        g.Backward(ctx, _lossGrads, needInputGrads: false, _sink);
        // tf.keras 2.4's train_step: loss = compiled loss + sum(model.losses), at the weights before the update.
        _lastPenalty = RegularizationLoss(ctx, _sink);
        optimizer.UpdateVariables(trainable, _sink);
        ApplyConstraints(trainable, _sink);
        return total + _lastPenalty;
    }

    /// <summary>The trainable weights in Keras order, rebuilt only when trainability changed (no per-step allocation).</summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private List<Variable> RefreshTrainable()
    {
        _trainableScratch.Clear();
        CollectTrainable(_trainableScratch);
        bool same = _trainableScratch.Count == _trainable.Count;
        for (int i = 0; same && i < _trainable.Count; i++) same = ReferenceEquals(_trainable[i], _trainableScratch[i]);
        if (!same)
        {
            _trainable.Clear();
            _trainable.AddRange(_trainableScratch);
        }
        return _trainable;
    }

    private void EnsureBuiltFor(ReadOnlySpan<Tensor> inputs)
    {
        if (_graph is null && this is Sequential s && inputs.Length == 1) s.Build(inputs[0].Shape[1..]);
        CheckBatch(RequireGraph("run"), inputs);
    }

    /// <summary>
    /// Runs a forward pass in inference mode under the read lock and returns its context; the caller reads the
    /// outputs and must call <see cref="EndInfer"/>.
    /// </summary>
    private protected GraphContext BeginInfer(ReadOnlySpan<Tensor> inputs, bool fuseLoss)
    {
        EnsureBuiltFor(inputs);
        var g = _graph!;
        Interlocked.Increment(ref _inferencePasses);
        _stepLock.EnterReadLock();
        var ctx = RentContext(g);
        try
        {
            ctx.SetLossFusion(fuseLoss ? _fusedNodes : null);
            g.Forward(ctx, inputs, training: false);
            // Only Evaluate asks for the loss's fusion: tf.keras 2.4's test_step adds model.losses to its loss too.
            // The value goes to the evaluation's RunningLogs.Add on this thread.
            if (fuseLoss) t_evaluationPenalty = RegularizationLoss(ctx, null);
            return ctx;
        }
        catch
        {
            EndInfer(ctx);
            throw;
        }
    }

    private protected void EndInfer(GraphContext ctx)
    {
        ReturnContext(ctx);
        _stepLock.ExitReadLock();
    }

    /// <summary>
    /// Sample-weighted running means of the losses, and the compiled metrics' running results, over an epoch. The
    /// metrics keep their own state (AUC's counts, a mean's sums): a value logged at a step is the metric over every
    /// batch of the epoch so far, as Keras's progress bar shows it. The total loss includes the regularization
    /// losses, as tf.keras 2.4's loss metric (the per-output losses do not).
    /// </summary>
    private sealed class RunningLogs
    {
        private readonly Model _model;
        private readonly Metrics.Metric[][] _metrics;
        private readonly double[] _lossSums;
        private double _penaltySum;
        private long _count;

        public RunningLogs(Model model, Metrics.Metric[][]? metrics = null, bool resetMetrics = true)
        {
            _model = model;
            _metrics = metrics ?? model._outputMetrics;
            _lossSums = new double[model._losses.Length];
            if (resetMetrics) foreach (var ms in _metrics) foreach (var m in ms) m.Reset();
        }

        public double[] Results() => Values().Select(p => p.Value).ToArray();

        /// <summary>A training batch: its per-output losses and its regularization loss.</summary>
        // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void Add(int samples, double[] outputLosses, double penalty)
        {
            for (int i = 0; i < _lossSums.Length; i++) _lossSums[i] += outputLosses[i] * samples;
            _penaltySum += penalty * samples;
            _count += samples;
        }

        /// <summary>An evaluation batch: its regularization loss is the one its forward pass left on this thread (BeginInfer).</summary>
        // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void Add(int samples, double[] outputLosses)
        {
            Add(samples, outputLosses, t_evaluationPenalty);
            t_evaluationPenalty = 0;
        }

        // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void UpdateMetrics(int output, Tensor yPred, Tensor yTrue, Tensor? sampleWeight, bool masked) =>
            _model.UpdateOutputMetrics(_metrics[output], output, yTrue, yPred, sampleWeight, masked);

        private double Mean(int i) => _count == 0 ? 0 : _lossSums[i] / _count;

        // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public List<KeyValuePair<string, double>> Values()
        {
            var names = _model._logNames;
            double total = _count == 0 ? 0 : _penaltySum / _count;
            for (int i = 0; i < _lossSums.Length; i++) total += _model._lossWeights[i] * Mean(i);
            var v = new List<KeyValuePair<string, double>> { new(names[0], total) };
            int k = 1;
            if (_lossSums.Length > 1) for (int i = 0; i < _lossSums.Length; i++) v.Add(new(names[k++], Mean(i)));
            foreach (var (_, m, _) in _model.MetricsInLogOrder(_metrics)) v.Add(new(names[k++], m.Result()));
            return v;
        }

        // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public Dictionary<string, double> ToDictionary() => Values().ToDictionary(p => p.Key, p => p.Value);

        /// <summary><see cref="Values"/> as a delegate made once, so a progress bar that does not draw costs no allocation.</summary>
        public Func<IReadOnlyList<KeyValuePair<string, double>>> ValuesSource => _valuesSource ??= Values;
        private Func<IReadOnlyList<KeyValuePair<string, double>>>? _valuesSource;
    }
}
