#nullable enable
using KerasNet.Data;
using KerasNet.Engine;

namespace KerasNet.Models;

// Evaluate and Predict over a batch source stack consecutive small batches into one forward pass where every layer of
// the graph promises each sample the bits it has alone (Layer.InferenceInvariantSamples): a batch-1 validation set then
// reads the weights once per stack instead of once per image (the tutorial's 53 MB of dense kernels, 54 times an
// epoch). Each batch's loss and metrics are computed from its own rows, in order, so every value is bit for bit that of
// one pass per batch; a graph with masks, a layer that promises nothing, or batches that differ in shape run as given.
public partial class Model
{
    // Samples of one stacked pass at most: the weights' read, which stacking shares, is already under a twentieth of a
    // pass at 16 samples of the tutorial (its dense layers' few-row limit too), and the copies grow with the stack.
    private const int MaxStackSamples = 32;

    /// <inheritdoc/>
    internal override int InferenceInvariantSamples => _graph is { } g && !g.MayCreateMasks ? LayersInvariantSamples(g) : 1;

    /// <summary>Whether Evaluate and Predict stack small batches (on by default; the tests compare the two ways).</summary>
    internal bool StacksInferenceBatches { get; set; } = true;

    /// <summary>Forward passes of Evaluate, Predict and their single-batch forms so far (the tests count stacking by it).</summary>
    internal long InferencePasses => Interlocked.Read(ref _inferencePasses);

    private long _inferencePasses;
    private BatchStack? _spareStack;

    private static int LayersInvariantSamples(FunctionalGraph g)
    {
        int samples = int.MaxValue;
        foreach (var layer in g.Layers) samples = Math.Min(samples, layer.InferenceInvariantSamples);
        return samples;
    }

    /// <summary>Samples a stacked pass of this built model may hold: 1 when batches must run as given.</summary>
    private int StackSamples()
    {
        if (!StacksInferenceBatches || _graph is null) return 1;
        long samples = Math.Min(MaxStackSamples, InferenceInvariantSamples);
        // A stack never holds more activations than an inference call may keep (KerasLimits.MaxRetainedInferenceBytes).
        long perSample = Math.Max(1, SampleActivationBytes());
        samples = Math.Min(samples, KerasContext.Current.Limits.MaxRetainedInferenceBytes / perSample);
        return (int)Math.Max(1, samples);
    }

    /// <summary>
    /// This call's stack (the model's spare one when no other call holds it), empty, or null when this built model's
    /// batches run as given.
    /// </summary>
    private BatchStack? RentStack()
    {
        int limit = StackSamples();
        if (limit <= 1) return null;
        var s = Interlocked.Exchange(ref _spareStack, null) ?? new BatchStack();
        s.Clear(limit);
        return s;
    }

    private void ReturnStack(BatchStack? s)
    {
        if (s != null) Volatile.Write(ref _spareStack, s);
    }

    /// <summary>
    /// Evaluates the stacked batches (numbered from <paramref name="first"/>) in one pass: each batch's losses and
    /// metrics from its own rows into <paramref name="running"/>, in order, the bar moved after each. Returns the rows.
    /// </summary>
    private int EvaluateStack(BatchStack s, RunningLogs running, ref double[] losses, Progbar bar, int first, int runnable)
    {
        var inputs = s.StackedInputs();
        int outputs = s.TargetsOf(0)!.Length;
        if (losses.Length != outputs) losses = new double[outputs];
        BeforeInference(s.Rows);
        var ctx = BeginInfer(inputs, fuseLoss: true);
        try
        {
            // The regularization loss of the weights, the same for every batch of the stack (no layer here has an activity penalty).
            double penalty = t_evaluationPenalty;
            t_evaluationPenalty = 0;
            for (int j = 0, row = 0; j < s.Count; row += s.Size(j), j++)
            {
                int n = s.Size(j);
                var targets = s.TargetsOf(j)!;
                Resolve(_graph!, targets);
                for (int o = 0; o < outputs; o++)
                {
                    var yPred = s.OutputRows(0, o, ctx.Output(o), row, n);
                    var logits = _fusedNodes[o] >= 0 && ctx.Nodes[_fusedNodes[o]].Logits is { } l ? s.OutputRows(1, o, l, row, n) : null;
                    losses[o] = OutputLoss(ctx, o, yPred, targets[o], null, logits, s.WeightOf(j));
                    running.UpdateMetrics(o, yPred, targets[o], s.WeightOf(j), masked: false);
                }
                running.Add(n, losses, penalty);
                if (first + j + 1 < runnable) bar.Update(first + j + 1, running.ValuesSource);
            }
        }
        finally { EndInfer(ctx); }
        return s.Rows;
    }
}
