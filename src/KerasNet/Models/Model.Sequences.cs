#nullable enable
using KerasNet.Data;
using KerasNet.Engine;

namespace KerasNet.Models;

// Evaluate and Predict over a batch source: batch by batch, small batches stacked into one pass (Model.Stacking.cs).
public partial class Model
{
    /// <summary>Loss and metrics over a batch source, in <see cref="MetricsNames"/> order: [loss, ..., metric1, ...].</summary>
    /// <param name="x">The batches, with targets.</param>
    /// <param name="verbose">0: silent; 1: a progress bar; 2: one line at the end.</param>
    /// <param name="steps">Batches to evaluate (default: all). A source with fewer batches runs out: Keras's warning, and the values of the batches there were.</param>
    /// <returns>The loss and the metrics, in <see cref="KerasNet.Models.Model.MetricsNames"/> order.</returns>
    public double[] Evaluate(IDataSequence x, int verbose = 1, int? steps = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        EnsureCompiled("Evaluate");
        if (steps is <= 0) throw new KerasNetException($"steps must be positive, got {steps}.");
        int target = steps ?? x.Count, runnable = Math.Min(target, x.Count);
        if (runnable == 0) throw new KerasNetException("Evaluate: the data has no batches.");
        RunningLogs? running = null;
        var bar = new Progbar(target, verbose, ProgressOutput);
        int largest = 0;
        double[] losses = [];
        BatchStack? stack = null;
        try
        {
            for (int i = 0; i < runnable; i++)
            {
                var b = x.GetBatch(i);
                if (running is null)
                {
                    running = new RunningLogs(this, FreshMetricsFor(b));
                    stack = RentStack();
                }
                // Small batches join the stack (Model.Stacking.cs), which runs when the next one does not fit.
                if (stack != null)
                {
                    bool fits = stack.Fits(b);
                    if (!fits && stack.Count > 0)
                    {
                        largest = Math.Max(largest, EvaluateStack(stack, running, ref losses, bar, i - stack.Count, runnable));
                        stack.Clear();
                        fits = stack.Fits(b);
                    }
                    if (fits) { stack.Add(b); continue; }
                }
                largest = Math.Max(largest, EvaluateBatch(b, running, ref losses));
                if (i + 1 < runnable) bar.Update(i + 1, running.ValuesSource);
            }
            if (stack is { Count: > 0 }) largest = Math.Max(largest, EvaluateStack(stack, running!, ref losses, bar, runnable - stack.Count, runnable));
        }
        finally { ReturnStack(stack); }
        if (runnable < target) WarnRanOut(target);
        bar.Update(runnable, running!.Values(), finalize: true);
        ReleaseOversizedBuffers(largest);
        return running.Results();
    }

    /// <summary>Resolves the compiled losses and metrics on the first batch, then makes evaluation metrics of their own.</summary>
    private Metrics.Metric[][] FreshMetricsFor(Batch b)
    {
        var (inputs, targets) = EvaluationTensors(b, "Evaluate");
        EnsureBuiltFor(inputs);
        Resolve(_graph!, targets);
        return FreshMetrics();
    }

    private static (Tensor[] Inputs, Tensor[] Targets) EvaluationTensors(Batch b, string what)
    {
        if (b.Y is null && b.Ys is null) throw new KerasNetException($"{what} needs targets, but the data has none.");
        return (b.Xs ?? [b.X], b.Ys ?? [b.Y!]);
    }

    /// <summary>One evaluation batch into <paramref name="running"/>: its losses (in <paramref name="losses"/>, sized here) and metric updates. Returns its size.</summary>
    private int EvaluateBatch(Batch b, RunningLogs running, ref double[] losses)
    {
        if (b.Y is null && b.Ys is null) throw new KerasNetException("Evaluate needs targets, but the data has none.");
        Tensor bx = null!, by = null!;
        var inputs = b.Inputs(ref bx);
        var targets = b.Targets(ref by);
        EnsureBuiltFor(inputs);
        Resolve(_graph!, targets);
        if (losses.Length != targets.Length) losses = new double[targets.Length];
        BeforeInference(b.X.BatchSize);
        var ctx = BeginInfer(inputs, fuseLoss: true);
        try
        {
            for (int o = 0; o < targets.Length; o++)
            {
                var yPred = ctx.Output(o);
                var logits = _fusedNodes[o] >= 0 ? ctx.Nodes[_fusedNodes[o]].Logits : null;
                losses[o] = OutputLoss(ctx, o, yPred, targets[o], null, logits, b.SampleWeight);
                var (mp, mt) = MaskedRowsOf(ctx, o, yPred, targets[o]);
                running.UpdateMetrics(o, mp, mt, b.SampleWeight, masked: !ReferenceEquals(mp, yPred));
            }
        }
        finally { EndInfer(ctx); }
        running.Add(b.X.BatchSize, losses);
        return b.X.BatchSize;
    }

    /// <summary>Every output as a tensor (samples first), for every sample of a batch source (or those of its first <paramref name="steps"/> batches).</summary>
    /// <param name="x">The batch source.</param>
    /// <param name="verbose">Progress output: 0 (the default) silent, 1 a bar, 2 one line.</param>
    /// <include file="../Docs/Params.xml" path="params/param[@name='steps']"/>
    /// <returns>Every output, samples first, in <see cref="KerasNet.Models.Model.Outputs"/> order.</returns>
    public Tensor[] PredictTensors(IDataSequence x, int verbose = 0, int? steps = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Samples == 0) throw new KerasNetException("Predict: the data has no samples.");
        if (steps is <= 0) throw new KerasNetException($"steps must be positive, got {steps}.");
        int target = steps ?? x.Count, runnable = Math.Min(target, x.Count);
        var pass = new PredictPass { Samples = x.Samples };
        var bar = new Progbar(target, verbose, ProgressOutput);
        BatchStack? stack = null;
        try
        {
            for (int i = 0; i < runnable; i++)
            {
                var b = x.GetBatch(i);
                Tensor bx = null!;
                var inputs = b.Inputs(ref bx);
                if (i == 0)
                {
                    // The model is built on its first batch; only then can it say whether its batches stack.
                    EnsureBuiltFor(inputs);
                    stack = RentStack();
                }
                // Small batches join the stack (Model.Stacking.cs), which runs when the next one does not fit.
                if (stack != null)
                {
                    bool fits = stack.Fits(b);
                    if (!fits && stack.Count > 0)
                    {
                        PredictStack(stack, ref pass, bar, i - stack.Count, runnable);
                        stack.Clear();
                        fits = stack.Fits(b);
                    }
                    if (fits) { stack.Add(b); continue; }
                }
                PredictRows(inputs, ref pass);
                if (i + 1 < runnable) bar.Update(i + 1, []);
            }
            if (stack is { Count: > 0 }) PredictStack(stack, ref pass, bar, runnable - stack.Count, runnable);
        }
        finally { ReturnStack(stack); }
        Tensor[]? result = pass.Result;
        int row = pass.Row, largest = pass.Largest;
        if (runnable < target) WarnRanOut(target);
        bar.Update(runnable, [], finalize: true);
        ReleaseOversizedBuffers(largest);
        if (runnable == x.Count && row != x.Samples) throw new KerasNetException($"Predict: the data yielded {row} samples, not its {x.Samples}.");
        return row == x.Samples ? result! : result!.Select(t => FirstRows(t, row)).ToArray();
    }

    // What PredictTensors has gathered so far: the outputs (made on the first pass), the rows written, the largest pass.
    private struct PredictPass
    {
        public int Samples, Row, Largest;
        public Tensor[]? Result;
    }

    /// <summary>One forward pass of Predict over <paramref name="inputs"/>, its outputs copied after the rows already written.</summary>
    private void PredictRows(ReadOnlySpan<Tensor> inputs, ref PredictPass pass)
    {
        int n = inputs[0].BatchSize;
        BeforeInference(n);
        var ctx = BeginInfer(inputs, fuseLoss: false);
        try
        {
            int outputs = ctx.Graph.Outputs.Length, samples = pass.Samples;
            pass.Result ??= Enumerable.Range(0, outputs).Select(o => new Tensor(ShapeUtil.WithBatch(samples, ctx.Graph.Outputs[o].Shape))).ToArray();
            if (pass.Row + n > samples) throw new KerasNetException($"Predict: the data yielded more than its {samples} samples.");
            for (int o = 0; o < outputs; o++)
            {
                var y = ctx.Output(o);
                y.Span.CopyTo(pass.Result[o].Buffer.AsSpan(pass.Row * y.SampleSize, y.Length));
            }
            pass.Row += n;
            pass.Largest = Math.Max(pass.Largest, n);
        }
        finally { EndInfer(ctx); }
    }

    /// <summary>The stacked batches (numbered from <paramref name="first"/>) in one pass, the bar moved past each of them.</summary>
    private void PredictStack(BatchStack s, ref PredictPass pass, Progbar bar, int first, int runnable)
    {
        PredictRows(s.StackedInputs(), ref pass);
        for (int j = first + 1; j <= first + s.Count && j < runnable; j++) bar.Update(j, []);
    }

    /// <summary>The first <paramref name="rows"/> samples of a tensor (a copy).</summary>
    private static Tensor FirstRows(Tensor t, int rows)
    {
        var shape = (int[])t.Shape.Clone();
        shape[0] = rows;
        var r = new Tensor(shape);
        t.Buffer.AsSpan(0, r.Length).CopyTo(r.Span);
        return r;
    }
}
