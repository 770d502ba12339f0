#nullable enable
using KerasNet.Data;
using KerasNet.Engine;
using NumSharp;

namespace KerasNet.Models;

public partial class Model
{
    // The running values of TrainOnBatch / TestOnBatch with resetMetrics: false, until a reset (Keras's reset_metrics).
    private RunningLogs? _onBatchLogs;
    private RunningLogs? _testOnBatchLogs;
    private readonly Lock _testOnBatchLock = new();

    /// <summary>
    /// Keras's <c>reset_metrics</c>: the running loss and metric values of <see cref="TrainOnBatch(Batch, bool)"/> and
    /// <see cref="TestOnBatch(Batch, bool)"/> start again from nothing (Fit and Evaluate reset their own).
    /// </summary>
    public void ResetMetrics()
    {
        _onBatchLogs = null;
        lock (_testOnBatchLock) _testOnBatchLogs = null;
    }

    /// <summary>
    /// One optimisation step (Keras's <c>train_on_batch</c>): returns Keras's value, the scalar loss when the model logs
    /// the loss alone (<c>double loss = model.TrainOnBatch(...)</c>), else the loss and metrics in
    /// <see cref="MetricsNames"/> order (<c>double[] logs = ...</c>); see <see cref="BatchValues"/>.
    /// </summary>
    /// <param name="batch">The inputs and targets.</param>
    /// <param name="resetMetrics">True (Keras's default): the values are this batch's alone. False: they are the
    /// running values (weighted by batch size) over every TrainOnBatch since the last reset, as Keras's.</param>
    /// <returns>Keras's value: the scalar loss when the model logs the loss alone, else the loss and the metrics in
    /// <see cref="KerasNet.Models.Model.MetricsNames"/> order (the values before the update, as Keras reports
    /// them).</returns>
    public BatchValues TrainOnBatch(Batch batch, bool resetMetrics = true)
    {
        bool claimed = ClaimTraining(); // the running values are the trainer's: one thread at a time, as TrainStep
        try { return new BatchValues(TrainOnBatchHeld(batch, resetMetrics)); }
        finally { ReleaseTraining(claimed); }
    }

    private double[] TrainOnBatchHeld(Batch batch, bool resetMetrics)
    {
        // Keras's metrics accumulate across calls until a reset; a Fit in between resets them (it clears _onBatchLogs).
        if (_onBatchLogs is null) foreach (var ms in _outputMetrics) foreach (var m in ms) m.Reset();
        TrainStep(batch);
        // The running losses, made after the first step (which resolves the losses); the compiled metrics, which the
        // steps update, are read as they are.
        _onBatchLogs ??= new RunningLogs(this, _outputMetrics.Select(_ => Array.Empty<Metrics.Metric>()).ToArray());
        _onBatchLogs.Add(batch.X.BatchSize, _lastOutputLosses, _lastPenalty);
        var values = _onBatchLogs.Results().Concat(MetricsInLogOrder(_outputMetrics).Select(p => p.Metric.Result())).ToArray();
        if (resetMetrics) _onBatchLogs = null;
        return values;
    }

    /// <summary>Keras's <c>train_on_batch(x, y)</c> on arrays of a model with one input and one output.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <param name="resetMetrics">Whether the metrics start from this batch alone (Keras's <c>reset_metrics=True</c>,
    /// the default); false accumulates them over calls.</param>
    /// <returns>Keras's value: the scalar loss when the model logs the loss alone, else the loss and the metrics in
    /// <see cref="KerasNet.Models.Model.MetricsNames"/> order (the values before the update, as Keras reports
    /// them).</returns>
    public BatchValues TrainOnBatch(NDArray x, NDArray y, bool resetMetrics = true) =>
        TrainOnBatch(ArrayBatch([NDArrays.ToTensor(x)], [NDArrays.ToTensor(y)]), resetMetrics);

    /// <summary>Keras's <c>train_on_batch</c> on arrays of every input and output (in <see cref="Inputs"/>/<see cref="Outputs"/> order).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <param name="resetMetrics">Whether the metrics start from this batch alone (Keras's <c>reset_metrics=True</c>,
    /// the default); false accumulates them over calls.</param>
    /// <returns>Keras's value: the scalar loss when the model logs the loss alone, else the loss and the metrics in
    /// <see cref="KerasNet.Models.Model.MetricsNames"/> order (the values before the update, as Keras reports
    /// them).</returns>
    public BatchValues TrainOnBatch(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, bool resetMetrics = true) =>
        TrainOnBatch(ArrayBatch(x.Select(NDArrays.ToTensor).ToArray(), y.Select(NDArrays.ToTensor).ToArray()), resetMetrics);

    /// <summary>Keras's <c>train_on_batch</c> on arrays given by input and output name.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <param name="resetMetrics">Whether the metrics start from this batch alone (Keras's <c>reset_metrics=True</c>,
    /// the default); false accumulates them over calls.</param>
    /// <returns>Keras's value: the scalar loss when the model logs the loss alone, else the loss and the metrics in
    /// <see cref="KerasNet.Models.Model.MetricsNames"/> order (the values before the update, as Keras reports
    /// them).</returns>
    public BatchValues TrainOnBatch(IDictionary<string, NDArray> x, IDictionary<string, NDArray> y, bool resetMetrics = true) =>
        TrainOnBatch(ByName(x, InputNames, "input"), ByName(y, OutputNames, "output"), resetMetrics);

    /// <summary>Keras's <c>train_on_batch(..., return_dict=True)</c>: the values keyed by <see cref="MetricsNames"/> (<paramref name="returnDict"/> must be true).</summary>
    /// <param name="batch">The batch: inputs and targets (and sample weights).</param>
    /// <param name="returnDict">Must be true (Keras's <c>return_dict=True</c>); the overloads without it return the
    /// list.</param>
    /// <param name="resetMetrics">Whether the metrics start from this batch alone (Keras's <c>reset_metrics=True</c>,
    /// the default); false accumulates them over calls.</param>
    /// <returns>The loss and metrics by name (<c>"loss"</c>, <c>"accuracy"</c>, ...).</returns>
    public Dictionary<string, double> TrainOnBatch(Batch batch, bool returnDict, bool resetMetrics = true) =>
        CheckDict(returnDict) ? LogsByName(TrainOnBatch(batch, resetMetrics), returnDict) : [];

    /// <summary>Keras's <c>train_on_batch(x, y, return_dict=True)</c> on arrays.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <param name="returnDict">Must be true (Keras's <c>return_dict=True</c>); the overloads without it return the
    /// list.</param>
    /// <param name="resetMetrics">Whether the metrics start from this batch alone (Keras's <c>reset_metrics=True</c>,
    /// the default); false accumulates them over calls.</param>
    /// <returns>The loss and metrics by name (<c>"loss"</c>, <c>"accuracy"</c>, ...).</returns>
    public Dictionary<string, double> TrainOnBatch(NDArray x, NDArray y, bool returnDict, bool resetMetrics = true) =>
        CheckDict(returnDict) ? LogsByName(TrainOnBatch(x, y, resetMetrics), returnDict) : [];

    /// <summary>Keras's <c>train_on_batch(return_dict=True)</c> on arrays of every input and output.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <param name="returnDict">Must be true (Keras's <c>return_dict=True</c>); the overloads without it return the
    /// list.</param>
    /// <param name="resetMetrics">Whether the metrics start from this batch alone (Keras's <c>reset_metrics=True</c>,
    /// the default); false accumulates them over calls.</param>
    /// <returns>The loss and metrics by name (<c>"loss"</c>, <c>"accuracy"</c>, ...).</returns>
    public Dictionary<string, double> TrainOnBatch(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, bool returnDict, bool resetMetrics = true) =>
        CheckDict(returnDict) ? LogsByName(TrainOnBatch(x, y, resetMetrics), returnDict) : [];

    /// <summary>Loss and metrics of one batch (Keras's <c>test_on_batch</c>), without changing any weight.</summary>
    /// <param name="batch">The inputs and targets.</param>
    /// <param name="resetMetrics">True (Keras's default): the values are this batch's alone. False: they are the
    /// running values over every TestOnBatch since the last reset (<see cref="ResetMetrics"/>).</param>
    /// <remarks>The result reads as Keras's scalar or list (<see cref="BatchValues"/>).
    /// TestOnBatch keeps metrics of its own: Keras 2.4 shares them with train_on_batch, so a run mixing the two with
    /// resetMetrics: false reports differently there. Calls with resetMetrics: true share nothing and may run on many
    /// threads at once; a resetMetrics: false run is one running total, updated under a lock.</remarks>
    /// <returns>Keras's value: the scalar loss when the model logs the loss alone, else the loss and the metrics in
    /// <see cref="KerasNet.Models.Model.MetricsNames"/> order.</returns>
    public BatchValues TestOnBatch(Batch batch, bool resetMetrics = true)
    {
        double[] losses = [], values;
        if (resetMetrics && Volatile.Read(ref _testOnBatchLogs) is null)
        {
            // The usual call: nothing shared, so TestOnBatch runs on any number of threads at once, as Evaluate.
            var own = new RunningLogs(this, FreshMetricsFor(batch));
            EvaluateBatch(batch, own, ref losses);
            values = own.Results();
        }
        else
        {
            lock (_testOnBatchLock)
            {
                var running = _testOnBatchLogs ??= new RunningLogs(this, FreshMetricsFor(batch));
                EvaluateBatch(batch, running, ref losses);
                values = running.Results();
                if (resetMetrics) _testOnBatchLogs = null;
            }
        }
        ReleaseOversizedBuffers(batch.X.BatchSize);
        return new BatchValues(values);
    }

    /// <summary>Keras's <c>test_on_batch(x, y)</c> on arrays of a model with one input and one output.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <param name="resetMetrics">Whether the metrics start from this batch alone (Keras's <c>reset_metrics=True</c>,
    /// the default); false accumulates them over calls.</param>
    /// <returns>Keras's value: the scalar loss when the model logs the loss alone, else the loss and the metrics in
    /// <see cref="KerasNet.Models.Model.MetricsNames"/> order.</returns>
    public BatchValues TestOnBatch(NDArray x, NDArray y, bool resetMetrics = true) =>
        TestOnBatch(ArrayBatch([NDArrays.ToTensor(x)], [NDArrays.ToTensor(y)]), resetMetrics);

    /// <summary>Keras's <c>test_on_batch</c> on arrays of every input and output.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <param name="resetMetrics">Whether the metrics start from this batch alone (Keras's <c>reset_metrics=True</c>,
    /// the default); false accumulates them over calls.</param>
    /// <returns>Keras's value: the scalar loss when the model logs the loss alone, else the loss and the metrics in
    /// <see cref="KerasNet.Models.Model.MetricsNames"/> order.</returns>
    public BatchValues TestOnBatch(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, bool resetMetrics = true) =>
        TestOnBatch(ArrayBatch(x.Select(NDArrays.ToTensor).ToArray(), y.Select(NDArrays.ToTensor).ToArray()), resetMetrics);

    /// <summary>Keras's <c>test_on_batch</c> on arrays given by input and output name.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <param name="resetMetrics">Whether the metrics start from this batch alone (Keras's <c>reset_metrics=True</c>,
    /// the default); false accumulates them over calls.</param>
    /// <returns>Keras's value: the scalar loss when the model logs the loss alone, else the loss and the metrics in
    /// <see cref="KerasNet.Models.Model.MetricsNames"/> order.</returns>
    public BatchValues TestOnBatch(IDictionary<string, NDArray> x, IDictionary<string, NDArray> y, bool resetMetrics = true) =>
        TestOnBatch(ByName(x, InputNames, "input"), ByName(y, OutputNames, "output"), resetMetrics);

    /// <summary>Keras's <c>test_on_batch(..., return_dict=True)</c>: the values keyed by <see cref="MetricsNames"/>.</summary>
    /// <param name="batch">The batch: inputs and targets (and sample weights).</param>
    /// <param name="returnDict">Must be true (Keras's <c>return_dict=True</c>); the overloads without it return the
    /// list.</param>
    /// <param name="resetMetrics">Whether the metrics start from this batch alone (Keras's <c>reset_metrics=True</c>,
    /// the default); false accumulates them over calls.</param>
    /// <returns>The loss and metrics by name (<c>"loss"</c>, <c>"accuracy"</c>, ...).</returns>
    public Dictionary<string, double> TestOnBatch(Batch batch, bool returnDict, bool resetMetrics = true) =>
        CheckDict(returnDict) ? LogsByName(TestOnBatch(batch, resetMetrics), returnDict) : [];

    /// <summary>Keras's <c>test_on_batch(x, y, return_dict=True)</c> on arrays.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <param name="returnDict">Must be true (Keras's <c>return_dict=True</c>); the overloads without it return the
    /// list.</param>
    /// <param name="resetMetrics">Whether the metrics start from this batch alone (Keras's <c>reset_metrics=True</c>,
    /// the default); false accumulates them over calls.</param>
    /// <returns>The loss and metrics by name (<c>"loss"</c>, <c>"accuracy"</c>, ...).</returns>
    public Dictionary<string, double> TestOnBatch(NDArray x, NDArray y, bool returnDict, bool resetMetrics = true) =>
        CheckDict(returnDict) ? LogsByName(TestOnBatch(x, y, resetMetrics), returnDict) : [];

    /// <summary>Keras's <c>test_on_batch(return_dict=True)</c> on arrays of every input and output.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <param name="returnDict">Must be true (Keras's <c>return_dict=True</c>); the overloads without it return the
    /// list.</param>
    /// <param name="resetMetrics">Whether the metrics start from this batch alone (Keras's <c>reset_metrics=True</c>,
    /// the default); false accumulates them over calls.</param>
    /// <returns>The loss and metrics by name (<c>"loss"</c>, <c>"accuracy"</c>, ...).</returns>
    public Dictionary<string, double> TestOnBatch(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, bool returnDict, bool resetMetrics = true) =>
        CheckDict(returnDict) ? LogsByName(TestOnBatch(x, y, resetMetrics), returnDict) : [];

    /// <summary>Keras's <c>predict_on_batch(x)</c> on an array: the model's output for these samples (one output).</summary>
    /// <param name="x">The batch, samples first.</param>
    /// <returns>The output for these samples.</returns>
    public NDArray PredictOnBatch(NDArray x) => NDArrays.FromTensor(PredictOnBatch(NDArrays.ToTensor(x)) switch
    {
        [var only] => only,
        var all => throw new KerasNetException($"Model '{Name}' has {all.Length} outputs: use PredictOnBatch with a list of inputs."),
    });

    /// <summary>Keras's <c>predict_on_batch</c> on arrays of every input: every output.</summary>
    /// <param name="x">One array per input, in <see cref="KerasNet.Models.Model.Inputs"/> order.</param>
    /// <returns>Every output, in <see cref="KerasNet.Models.Model.Outputs"/> order.</returns>
    public NDArray[] PredictOnBatch(IReadOnlyList<NDArray> x) =>
        PredictOnBatch(x.Select(NDArrays.ToTensor).ToArray()).Select(NDArrays.FromTensor).ToArray();

    /// <summary>A returnDict of false is the overload without the argument; refused here so the call says what it gets.</summary>
    private static bool CheckDict(bool returnDict) => returnDict
        ? true : throw new KerasNetException("returnDict: false is the overload without it (it returns the values in MetricsNames order); pass returnDict: true for the dictionary.");

    private static Batch ArrayBatch(Tensor[] x, Tensor[] y)
    {
        if (x.Length == 0 || y.Length == 0) throw new KerasNetException("A batch needs at least one input array and one target array.");
        foreach (var t in x.Concat(y))
            if (t.BatchSize != x[0].BatchSize) throw new ShapeMismatchException($"x has {x[0].BatchSize} samples but an array has {t.BatchSize}.");
        return new Batch(x, y);
    }
}
