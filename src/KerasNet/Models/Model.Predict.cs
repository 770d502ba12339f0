#nullable enable
using KerasNet.Data;
using KerasNet.Engine;
using NumSharp;

namespace KerasNet.Models;

public partial class Model
{
    /// <summary>
    /// Loss and metrics over arrays (<paramref name="batchSize"/> default 32, or ceil(samples / steps) when only
    /// <paramref name="steps"/> is given, as Keras); <paramref name="sampleWeight"/> (samples, or samples x timesteps)
    /// weighs the losses, as Keras's.
    /// </summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='sampleWeight']"/>
    /// <returns>The loss and the metrics, in <see cref="KerasNet.Models.Model.MetricsNames"/> order.</returns>
    public double[] Evaluate(NDArray x, NDArray y, int? batchSize = null, int verbose = 1, int? steps = null, NDArray? sampleWeight = null) =>
        Evaluate([NDArrays.ToTensor(x)], [NDArrays.ToTensor(y)], batchSize, verbose, steps, OptionalTensor(sampleWeight));

    /// <summary>Loss and metrics over arrays of a model with several inputs or outputs (in <see cref="Inputs"/>/<see cref="Outputs"/> order).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='sampleWeight']"/>
    /// <returns>The loss and the metrics, in <see cref="KerasNet.Models.Model.MetricsNames"/> order.</returns>
    public double[] Evaluate(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, int? batchSize = null, int verbose = 1, int? steps = null, NDArray? sampleWeight = null) =>
        Evaluate(x.Select(NDArrays.ToTensor).ToArray(), y.Select(NDArrays.ToTensor).ToArray(), batchSize, verbose, steps, OptionalTensor(sampleWeight));

    /// <summary>Loss and metrics over arrays given by input and output name.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='sampleWeight']"/>
    /// <returns>The loss and the metrics, in <see cref="KerasNet.Models.Model.MetricsNames"/> order.</returns>
    public double[] Evaluate(IDictionary<string, NDArray> x, IDictionary<string, NDArray> y, int? batchSize = null, int verbose = 1, int? steps = null, NDArray? sampleWeight = null) =>
        Evaluate(ByName(x, InputNames, "input"), ByName(y, OutputNames, "output"), batchSize, verbose, steps, sampleWeight);

    /// <summary>Loss and metrics over tensors of every input and output (samples first).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='sampleWeight']"/>
    /// <returns>The loss and the metrics, in <see cref="KerasNet.Models.Model.MetricsNames"/> order.</returns>
    public double[] Evaluate(Tensor[] x, Tensor[] y, int? batchSize = null, int verbose = 1, int? steps = null, Tensor? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Length == 0) throw new KerasNetException("Evaluate needs at least one input array.");
        return Evaluate(new ArraySequence(x, y, ArrayBatchSize(batchSize, steps, x[0].BatchSize), sampleWeight: sampleWeight), verbose, steps);
    }

    /// <summary>Loss and metrics over tensors (samples first), with optional sample weights.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='sampleWeight']"/>
    /// <returns>The loss and the metrics, in <see cref="KerasNet.Models.Model.MetricsNames"/> order.</returns>
    public double[] Evaluate(Tensor x, Tensor y, int? batchSize = null, int verbose = 1, int? steps = null, Tensor? sampleWeight = null) =>
        Evaluate([x], [y], batchSize, verbose, steps, sampleWeight);

    private static Tensor? OptionalTensor(NDArray? a) => a is null ? null : NDArrays.ToTensor(a);

    /// <summary>Keras's evaluate(return_dict=True): the values keyed by <see cref="MetricsNames"/>. <paramref name="returnDict"/> must be true (the other overloads return the list).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='returnDict']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <returns>The loss and metrics by name (<c>"loss"</c>, <c>"accuracy"</c>, ...).</returns>
    public Dictionary<string, double> Evaluate(IDataSequence x, bool returnDict, int verbose = 1, int? steps = null) =>
        LogsByName(Evaluate(x, verbose, steps), returnDict);

    /// <summary>Keras's evaluate(x, y, return_dict=True) on arrays: the values keyed by <see cref="MetricsNames"/>.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='returnDict']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <returns>The loss and metrics by name (<c>"loss"</c>, <c>"accuracy"</c>, ...).</returns>
    public Dictionary<string, double> Evaluate(NDArray x, NDArray y, bool returnDict, int? batchSize = null, int verbose = 1, int? steps = null) =>
        LogsByName(Evaluate(x, y, batchSize, verbose, steps), returnDict);

    /// <summary>Keras's evaluate(return_dict=True) on arrays of several inputs or outputs.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='returnDict']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <returns>The loss and metrics by name (<c>"loss"</c>, <c>"accuracy"</c>, ...).</returns>
    public Dictionary<string, double> Evaluate(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, bool returnDict, int? batchSize = null, int verbose = 1, int? steps = null) =>
        LogsByName(Evaluate(x, y, batchSize, verbose, steps), returnDict);

    /// <summary>Keras's evaluate(return_dict=True) on arrays given by input and output name.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='y']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='returnDict']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <returns>The loss and metrics by name (<c>"loss"</c>, <c>"accuracy"</c>, ...).</returns>
    public Dictionary<string, double> Evaluate(IDictionary<string, NDArray> x, IDictionary<string, NDArray> y, bool returnDict, int? batchSize = null, int verbose = 1, int? steps = null) =>
        LogsByName(Evaluate(x, y, batchSize, verbose, steps), returnDict);

    /// <summary>Values in <see cref="MetricsNames"/> order as Keras's logs dictionary (insertion-ordered as Keras's).</summary>
    private Dictionary<string, double> LogsByName(double[] values, bool returnDict)
    {
        if (!returnDict) throw new KerasNetException("returnDict: false is the overload without it (it returns the values in MetricsNames order); pass returnDict: true for the dictionary.");
        var names = MetricsNames;
        var d = new Dictionary<string, double>(values.Length);
        for (int i = 0; i < values.Length; i++) d[names[i]] = values[i];
        return d;
    }

    /// <summary>Keras's batch size for arrays: the one given, else ceil(samples / steps) when steps is given, else 32.</summary>
    private static int ArrayBatchSize(int? batchSize, int? steps, int samples)
    {
        if (batchSize is { } b) return b > 0 ? b : throw new KerasNetException($"batch_size must be positive, got {b}.");
        if (steps is > 0 && samples > 0) return (samples + steps.Value - 1) / steps.Value;
        return 32;
    }

    /// <summary>Model outputs for every sample of a batch source, in its order (a model with one output).</summary>
    /// <param name="x">The batches (targets, if any, are ignored).</param>
    /// <param name="verbose">0 (Keras's default for predict): silent; 1: a progress bar; 2: one line at the end.</param>
    /// <param name="steps">Batches to predict (default: all): the result holds the samples of those batches.</param>
    /// <returns>The output for every sample, samples first.</returns>
    public NDArray Predict(IDataSequence x, int verbose = 0, int? steps = null) => NDArrays.FromTensor(PredictTensor(x, verbose, steps));

    /// <summary>Model outputs for arrays, batch by batch (<paramref name="batchSize"/> default 32, or ceil(samples / steps) when only <paramref name="steps"/> is given).</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <returns>The output for every sample, samples first.</returns>
    public NDArray Predict(NDArray x, int? batchSize = null, int verbose = 0, int? steps = null) =>
        NDArrays.FromTensor(PredictTensor(ArraysToPredict([NDArrays.ToTensor(x)], batchSize, steps), verbose, steps));

    /// <summary>Every output of a model with several inputs or outputs, for arrays in <see cref="Inputs"/> order.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <returns>Every output, in <see cref="KerasNet.Models.Model.Outputs"/> order, samples first.</returns>
    public NDArray[] Predict(IReadOnlyList<NDArray> x, int? batchSize = null, int verbose = 0, int? steps = null) =>
        PredictTensors(ArraysToPredict(x.Select(NDArrays.ToTensor).ToArray(), batchSize, steps), verbose, steps).Select(NDArrays.FromTensor).ToArray();

    /// <summary>Every output, for arrays given by input name.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='batchSize']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='verbose']"/>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <returns>Every output, in <see cref="KerasNet.Models.Model.Outputs"/> order, samples first.</returns>
    public NDArray[] Predict(IDictionary<string, NDArray> x, int? batchSize = null, int verbose = 0, int? steps = null) =>
        Predict(ByName(x, InputNames, "input"), batchSize, verbose, steps);

    private static ArraySequence ArraysToPredict(Tensor[] x, int? batchSize, int? steps) =>
        new(x, null, ArrayBatchSize(batchSize, steps, x.Length > 0 ? x[0].BatchSize : 0));

    /// <summary>Model outputs as a plain [samples, outputs] array.</summary>
    /// <param name="x">The batch source.</param>
    /// <returns>A [samples, outputs] array (the output flattened per sample).</returns>
    public float[,] PredictArray(IDataSequence x) => NDArrays.ToArray2D(PredictTensor(x, 0));

    /// <summary>Model outputs as a tensor (samples first), for a model with one output.</summary>
    /// <param name="x">The batch source.</param>
    /// <param name="verbose">Progress output: 0 (the default) silent, 1 a bar, 2 one line.</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <returns>The output, samples first.</returns>
    public Tensor PredictTensor(IDataSequence x, int verbose = 0, int? steps = null)
    {
        var all = PredictTensors(x, verbose, steps);
        return all.Length == 1 ? all[0]
            : throw new KerasNetException($"Model '{Name}' has {all.Length} outputs: use PredictTensors or Predict with a list of inputs.");
    }

    /// <summary>Model outputs for a batch tensor (a copy the caller owns), as <c>predict_on_batch</c>.</summary>
    /// <include file="../Docs/Params.xml" path="params/param[@name='x']"/>
    /// <returns>The output, a new tensor.</returns>
    public Tensor Predict(Tensor x) => PredictOnBatch(x)[0];

    /// <summary>Every output for one batch of each input (copies the caller owns), as Keras's <c>predict_on_batch</c>.</summary>
    /// <param name="x">One batch per input, in <see cref="KerasNet.Models.Model.Inputs"/> order.</param>
    /// <returns>Every output, new tensors.</returns>
    public Tensor[] PredictOnBatch(params Tensor[] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Length > 0 && x[0] != null) BeforeInference(x[0].BatchSize);
        var ctx = BeginInfer(x, fuseLoss: false);
        try { return Enumerable.Range(0, ctx.Graph.Outputs.Length).Select(o => ctx.Output(o).Clone()).ToArray(); }
        finally
        {
            EndInfer(ctx);
            ReleaseOversizedBuffers(x[0].BatchSize);
        }
    }

    /// <summary>
    /// The outputs for one batch written into tensors the caller owns and reuses (the single output of the model,
    /// shaped (batch, output shape...)): nothing is allocated once the model has run at this batch size (unless its layer
    /// outputs exceed <see cref="KerasLimits.MaxRetainedInferenceBytes"/>: such buffers are released after each call).
    /// </summary>
    /// <param name="x">The batch.</param>
    /// <param name="output">The caller's tensor for the output, (batch, output shape...).</param>
    public void PredictInto(Tensor x, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(output);
        PredictInto(new ReadOnlySpan<Tensor>(ref x), new ReadOnlySpan<Tensor>(ref output));
    }

    /// <summary>As <see cref="PredictInto(Tensor, Tensor)"/> for every input and output (in <see cref="Inputs"/>/<see cref="Outputs"/> order).</summary>
    /// <param name="x">One batch per input.</param>
    /// <param name="outputs">The caller's tensors, one per output in order.</param>
    public void PredictInto(ReadOnlySpan<Tensor> x, ReadOnlySpan<Tensor> outputs)
    {
        var g = RequireGraphFor(x);
        if (outputs.Length != g.Outputs.Length)
            throw new KerasNetException($"Model '{Name}' has {g.Outputs.Length} output(s) but {outputs.Length} output tensor(s) were given.");
        int batch = x[0].BatchSize;
        for (int o = 0; o < outputs.Length; o++)
        {
            var t = outputs[o] ?? throw new ArgumentNullException(nameof(outputs), $"Output tensor {o} is null.");
            if (!t.HasBatchShape(batch, g.Outputs[o].Shape))
                throw new ShapeMismatchException($"Model '{Name}': output {o} ('{OutputNames[o]}') of a batch of {batch} has shape {ShapeUtil.Format(ShapeUtil.WithBatch(batch, g.Outputs[o].Shape))}, but the tensor given has shape {ShapeUtil.Format(t.Shape)}.");
        }
        BeforeInference(batch);
        var ctx = BeginInfer(x, fuseLoss: false);
        try
        {
            for (int o = 0; o < outputs.Length; o++) ctx.Output(o).Span.CopyTo(outputs[o].Span);
        }
        finally { EndInfer(ctx); }
        ReleaseOversizedBuffers(batch);
    }

    // ---- what an inference call leaves behind (KerasLimits.MaxRetainedInferenceBytes) ----

    private sealed record SampleBytes(FunctionalGraph Graph, long Bytes);
    private SampleBytes? _sampleBytes; // one reference, so concurrent callers read a consistent pair

    /// <summary>The bytes of every layer output of one sample (float32), cached per graph.</summary>
    internal long SampleActivationBytes()
    {
        var g = _graph;
        if (g == null) return 0;
        if (Volatile.Read(ref _sampleBytes) is { } cached && cached.Graph == g) return cached.Bytes;
        long bytes = Saving.MemoryBudget.Activations(this).Sum(a => a.Bytes);
        Volatile.Write(ref _sampleBytes, new SampleBytes(g, bytes));
        return bytes;
    }

    /// <summary>
    /// After an inference call whose largest batch had <paramref name="rows"/> samples: when that batch's layer outputs
    /// exceed <see cref="KerasLimits.MaxRetainedInferenceBytes"/>, the pooled evaluation contexts holding more than that
    /// (with their layers' scratch: the convolutions' unfolded inputs grow with them) and this thread's engine scratch
    /// beyond it are dropped, so one huge batch does not pin its memory for the life of the model. Smaller calls pass
    /// through without a lock or an allocation.
    /// </summary>
    private void ReleaseOversizedBuffers(int rows)
    {
        long bound = KerasContext.Current.Limits.MaxRetainedInferenceBytes;
        if ((long)rows * SampleActivationBytes() <= bound) return;
        // In a method of its own: its lambda's closure would otherwise be allocated on every call, small ones included.
        if (DropContextsAbove(bound) > 0) Volatile.Write(ref _collectBeforeLargeCall, true);
        Engine.Workspace.Trim(bound / sizeof(float));
    }

    private int DropContextsAbove(long bound)
    {
        lock (_pool)
        {
            var keep = _pool.Where(c => RetainedBytes(c) <= bound).Reverse().ToArray();
            int dropped = _pool.Count - keep.Length;
            _pool.Clear();
            foreach (var c in keep) _pool.Push(c);
            return dropped;
        }
    }

    // Set when large buffers were dropped: they are garbage now (nothing of the model holds them), but until a
    // collection runs, a second large call would allocate its buffers on top of them (measured: 5.5 GB instead of
    // 2.5 GB over repeated batch-1024 calls of the tutorial network).
    private bool _collectBeforeLargeCall;

    /// <summary>Before running a batch of <paramref name="rows"/>: one collection when an earlier large call left its buffers as garbage.</summary>
    private void BeforeInference(int rows)
    {
        if (!Volatile.Read(ref _collectBeforeLargeCall)) return;
        if ((long)rows * SampleActivationBytes() <= KerasContext.Current.Limits.MaxRetainedInferenceBytes) return;
        Volatile.Write(ref _collectBeforeLargeCall, false);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary>The capacity of the tensors an evaluation context keeps (its values, nested models' contexts included).</summary>
    internal static long RetainedBytes(GraphContext c)
    {
        var seen = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        return Retained(c, seen);
    }

    private static long Retained(GraphContext c, HashSet<float[]> seen)
    {
        long bytes = 0;
        foreach (var t in c.Values)
            if (t != null && seen.Add(t.Buffer)) bytes += (long)t.Buffer.Length * sizeof(float);
        foreach (var n in c.Nodes)
            if (n.State is GraphContext inner) bytes += Retained(inner, seen);
        return bytes;
    }

    /// <summary>
    /// Turns the inference folding of BatchNormalization into the layer before it (FunctionalGraph.Folding.cs) on or
    /// off for this model's graph and the graphs of models nested in it (on by default); the tests compare the two.
    /// </summary>
    internal void SetBatchNormalizationFolding(bool on)
    {
        if (_graph is not { } g) return;
        g.FoldsBatchNormalization = on;
        foreach (var layer in g.Layers) if (layer is Model inner && inner != this) inner.SetBatchNormalizationFolding(on);
    }

    private FunctionalGraph RequireGraphFor(ReadOnlySpan<Tensor> x)
    {
        if (x.Length == 0) throw new KerasNetException($"Model '{Name}': no input tensors were given.");
        EnsureBuiltFor(x);
        return _graph!;
    }

    internal static List<T> ByName<T>(IDictionary<string, T> arrays, IReadOnlyList<string> names, string what)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        foreach (var k in arrays.Keys)
            if (!names.Contains(k)) throw new KerasNetException($"No {what} named '{k}': the model's {what}s are [{string.Join(", ", names)}].");
        return names.Select(n => arrays.TryGetValue(n, out var a) ? a
            : throw new KerasNetException($"Missing data for {what} '{n}' (the model's {what}s are [{string.Join(", ", names)}]).")).ToList();
    }
}
