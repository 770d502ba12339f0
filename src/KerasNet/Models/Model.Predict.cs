#nullable enable
using KerasNet.Data;
using KerasNet.Engine;
using NumSharp;

namespace KerasNet.Models;

public partial class Model
{
    /// <summary>Loss and metrics over a batch source, in <see cref="MetricsNames"/> order: [loss, ..., metric1, ...].</summary>
    public double[] Evaluate(IDataSequence x, int verbose = 1)
    {
        ArgumentNullException.ThrowIfNull(x);
        EnsureCompiled("Evaluate");
        RunningLogs? running = null;
        var bar = new Progbar(x.Count, verbose, ProgressOutput);
        var losses = new double[0];
        for (int i = 0; i < x.Count; i++)
        {
            var b = x.GetBatch(i);
            if (b.Y is null && b.Ys is null) throw new KerasNetException("Evaluate needs targets, but the data has none.");
            Tensor bx = b.X, by = b.Y!;
            ReadOnlySpan<Tensor> inputs = b.Xs != null ? b.Xs : new ReadOnlySpan<Tensor>(ref bx);
            ReadOnlySpan<Tensor> targets = b.Ys != null ? b.Ys : new ReadOnlySpan<Tensor>(ref by);
            EnsureBuiltFor(inputs);
            Resolve(_graph!, targets);
            running ??= new RunningLogs(this, FreshMetrics());
            if (losses.Length != targets.Length) losses = new double[targets.Length];
            var ctx = BeginInfer(inputs, fuseLoss: true);
            try
            {
                for (int o = 0; o < targets.Length; o++)
                {
                    var yPred = ctx.Output(o);
                    var logits = _fusedNodes[o] >= 0 ? ctx.Nodes[_fusedNodes[o]].Logits : null;
                    losses[o] = OutputLoss(ctx, o, yPred, targets[o], null, logits);
                    var (mp, mt) = MaskedRowsOf(ctx, o, yPred, targets[o]);
                    running.UpdateMetrics(o, mp, mt);
                }
            }
            finally { EndInfer(ctx); }
            running.Add(b.X.BatchSize, losses);
            bar.Update(i + 1, running.Values());
        }
        return running!.Results();
    }

    /// <summary>Loss and metrics over arrays.</summary>
    public double[] Evaluate(NDArray x, NDArray y, int batchSize = 32, int verbose = 1) =>
        Evaluate(new ArraySequence(NDArrays.ToTensor(x), NDArrays.ToTensor(y), batchSize), verbose);

    /// <summary>Loss and metrics over arrays of a model with several inputs or outputs (in <see cref="Inputs"/>/<see cref="Outputs"/> order).</summary>
    public double[] Evaluate(IReadOnlyList<NDArray> x, IReadOnlyList<NDArray> y, int batchSize = 32, int verbose = 1) =>
        Evaluate(new ArraySequence(x.Select(NDArrays.ToTensor).ToArray(), y.Select(NDArrays.ToTensor).ToArray(), batchSize), verbose);

    /// <summary>Loss and metrics over arrays given by input and output name.</summary>
    public double[] Evaluate(IDictionary<string, NDArray> x, IDictionary<string, NDArray> y, int batchSize = 32, int verbose = 1) =>
        Evaluate(ByName(x, InputNames, "input"), ByName(y, OutputNames, "output"), batchSize, verbose);

    /// <summary>Loss and metrics of one batch (Keras's <c>test_on_batch</c>), without changing any weight.</summary>
    public double[] TestOnBatch(Batch batch) => Evaluate(new SingleBatch(batch), verbose: 0);

    /// <summary>Model outputs for every sample of a batch source, in its order (a model with one output).</summary>
    public NDArray Predict(IDataSequence x, int verbose = 0) => NDArrays.FromTensor(PredictTensor(x, verbose));

    /// <summary>Model outputs for arrays, batch by batch.</summary>
    public NDArray Predict(NDArray x, int batchSize = 32, int verbose = 0) =>
        NDArrays.FromTensor(PredictTensor(new ArraySequence(NDArrays.ToTensor(x), null, batchSize), verbose));

    /// <summary>Every output of a model with several inputs or outputs, for arrays in <see cref="Inputs"/> order.</summary>
    public NDArray[] Predict(IReadOnlyList<NDArray> x, int batchSize = 32, int verbose = 0) =>
        PredictTensors(new ArraySequence(x.Select(NDArrays.ToTensor).ToArray(), null, batchSize), verbose).Select(NDArrays.FromTensor).ToArray();

    /// <summary>Every output, for arrays given by input name.</summary>
    public NDArray[] Predict(IDictionary<string, NDArray> x, int batchSize = 32, int verbose = 0) =>
        Predict(ByName(x, InputNames, "input"), batchSize, verbose);

    /// <summary>Model outputs as a plain [samples, outputs] array.</summary>
    public float[,] PredictArray(IDataSequence x) => NDArrays.ToArray2D(PredictTensor(x, 0));

    /// <summary>Model outputs as a tensor (samples first), for a model with one output.</summary>
    public Tensor PredictTensor(IDataSequence x, int verbose = 0)
    {
        var all = PredictTensors(x, verbose);
        return all.Length == 1 ? all[0]
            : throw new KerasNetException($"Model '{Name}' has {all.Length} outputs: use PredictTensors or Predict with a list of inputs.");
    }

    /// <summary>Every output as a tensor (samples first), for every sample of a batch source.</summary>
    public Tensor[] PredictTensors(IDataSequence x, int verbose = 0)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Samples == 0) throw new KerasNetException("Predict: the data has no samples.");
        Tensor[]? result = null;
        int row = 0;
        var bar = new Progbar(x.Count, verbose, ProgressOutput);
        for (int i = 0; i < x.Count; i++)
        {
            var b = x.GetBatch(i);
            Tensor bx = b.X;
            ReadOnlySpan<Tensor> inputs = b.Xs != null ? b.Xs : new ReadOnlySpan<Tensor>(ref bx);
            var ctx = BeginInfer(inputs, fuseLoss: false);
            try
            {
                int outputs = ctx.Graph.Outputs.Length, n = bx.BatchSize;
                result ??= Enumerable.Range(0, outputs).Select(o => new Tensor(ShapeUtil.WithBatch(x.Samples, ctx.Graph.Outputs[o].Shape))).ToArray();
                if (row + n > x.Samples) throw new KerasNetException($"Predict: the data yielded more than its {x.Samples} samples.");
                for (int o = 0; o < outputs; o++)
                {
                    var y = ctx.Output(o);
                    y.Span.CopyTo(result[o].Buffer.AsSpan(row * y.SampleSize, y.Length));
                }
                row += n;
            }
            finally { EndInfer(ctx); }
            bar.Update(i + 1, []);
        }
        if (row != x.Samples) throw new KerasNetException($"Predict: the data yielded {row} samples, not its {x.Samples}.");
        return result!;
    }

    /// <summary>Model outputs for a batch tensor (a copy the caller owns), as <c>predict_on_batch</c>.</summary>
    public Tensor Predict(Tensor x) => PredictOnBatch(x)[0];

    /// <summary>Every output for one batch of each input (copies the caller owns), as Keras's <c>predict_on_batch</c>.</summary>
    public Tensor[] PredictOnBatch(params Tensor[] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var ctx = BeginInfer(x, fuseLoss: false);
        try { return Enumerable.Range(0, ctx.Graph.Outputs.Length).Select(o => ctx.Output(o).Clone()).ToArray(); }
        finally { EndInfer(ctx); }
    }

    /// <summary>
    /// The outputs for one batch written into tensors the caller owns and reuses (the single output of the model,
    /// shaped (batch, output shape...)): nothing is allocated once the model has run at this batch size.
    /// </summary>
    public void PredictInto(Tensor x, Tensor output)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(output);
        PredictInto(new ReadOnlySpan<Tensor>(ref x), new ReadOnlySpan<Tensor>(ref output));
    }

    /// <summary>As <see cref="PredictInto(Tensor, Tensor)"/> for every input and output (in <see cref="Inputs"/>/<see cref="Outputs"/> order).</summary>
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
        var ctx = BeginInfer(x, fuseLoss: false);
        try
        {
            for (int o = 0; o < outputs.Length; o++) ctx.Output(o).Span.CopyTo(outputs[o].Span);
        }
        finally { EndInfer(ctx); }
    }

    private FunctionalGraph RequireGraphFor(ReadOnlySpan<Tensor> x)
    {
        if (x.Length == 0) throw new KerasNetException($"Model '{Name}': no input tensors were given.");
        EnsureBuiltFor(x);
        return _graph!;
    }

    private static List<NDArray> ByName(IDictionary<string, NDArray> arrays, IReadOnlyList<string> names, string what)
    {
        ArgumentNullException.ThrowIfNull(arrays);
        foreach (var k in arrays.Keys)
            if (!names.Contains(k)) throw new KerasNetException($"No {what} named '{k}': the model's {what}s are [{string.Join(", ", names)}].");
        return names.Select(n => arrays.TryGetValue(n, out var a) ? a
            : throw new KerasNetException($"Missing data for {what} '{n}' (the model's {what}s are [{string.Join(", ", names)}]).")).ToList();
    }

    /// <summary>One batch as a source of one batch.</summary>
    private sealed class SingleBatch(Batch batch) : IDataSequence
    {
        public int Count => 1;
        public int Samples => batch.X.BatchSize;
        public Batch GetBatch(int index) => index == 0 ? batch : throw new ArgumentOutOfRangeException(nameof(index));
        public void OnEpochEnd() { }
    }
}
