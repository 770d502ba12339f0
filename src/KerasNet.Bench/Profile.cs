#nullable enable
using System.Diagnostics;
using KerasNet.Engine;
using KerasNet.Layers;
using KerasNet.Models;

namespace KerasNet.Bench;

/// <summary>
/// Per-layer timing of one training step (forward, backward, optimizer) and of a batch-1 forward pass,
/// by driving the layers directly with a stopwatch around each call. Medians over many steps.
/// </summary>
internal static class Profile
{
    /// <summary>Bytes allocated by a training step and a predict step (all threads), to keep the steady state allocation-free.</summary>
    private static void Allocations(Models.Sequential model, Data.ArraySequence train)
    {
        var batch = train.GetBatch(0);
        long Mark() => GC.GetTotalAllocatedBytes(precise: true);
        long step = 0, predict = 0;
        for (int r = 0; r < 3; r++)
        {
            long t = Mark();
            model.TrainStep(batch);
            step = Mark() - t;
            t = Mark();
            model.PredictOnBatch(batch.X);
            predict = Mark() - t;
        }
        Console.WriteLine($"  allocated bytes: TrainStep={step} PredictOnBatch(incl. the returned copy)={predict}");
    }

    /// <summary>Runs the chain's nodes on x, recording each node's time in times[node][step]; returns the output.</summary>
    private static Tensor TimedForward(IReadOnlyList<Node> nodes, GraphContext ctx, Tensor x, bool training, double[][] times, int step, Stopwatch sw)
    {
        for (int i = 0; i < nodes.Count; i++)
        {
            var c = ctx.Nodes[i];
            c.Training = training;
            c.Inputs[0] = x;
            sw.Restart();
            nodes[i].Layer.ForwardNode(c);
            times[i][step] = sw.Elapsed.TotalMilliseconds;
            x = c.Outputs[0];
        }
        return x;
    }

    /// <summary>
    /// Times each node of the model's graph the way TrainStep runs it (the same context, loss fusion and fused
    /// optimizer requests), forward and backward separately.
    /// </summary>
    public static void Run(int steps = 20) => Run(Workload.BuildModel(), Workload.TrainSequence(), Workload.BatchSize, steps);

    /// <summary>The same per-node timing for the training bench's networks ("mnist" or "tutorial") at a batch size.</summary>
    public static void RunTrainCase(string net, int batch, int steps = 20) =>
        Run(TrainBench.Build(net), TrainBench.Data(net, batch * 4, batch), batch, steps, validation: false);

    private static void Run(Sequential model, Data.ArraySequence train, int batchSize, int steps, bool validation = true)
    {
        for (int s = 0; s < 3; s++) model.TrainStep(train.GetBatch(s));
        var graph = model.Graph!;
        var nodes = graph.Nodes;
        int L = nodes.Count;
        var ctx = graph.CreateContext();
        int fused = graph.SoleProducerOfOutput(0);
        ctx.SetLossFusion([fused]);
        var fwd = new double[L][]; var bwd = new double[L][];
        for (int i = 0; i < L; i++) { fwd[i] = new double[steps]; bwd[i] = new double[steps]; }
        var opt = new double[steps]; var loss = new double[steps]; var step = new double[steps];
        var vars = model.TrainableWeights;
        var lossGrad = new Tensor([batchSize, .. model.OutputShape!]);
        var sink = new GradientSink();
        var sw = new Stopwatch();
        for (int s = 0; s < steps; s++)
        {
            var batch = train.GetBatch(s % train.Count);
            long t0 = Stopwatch.GetTimestamp();
            Tensor x = TimedForward(nodes, ctx, batch.X, training: true, fwd, s, sw);
            sw.Restart();
            model.Loss!.Compute(x, batch.Y!, lossGrad, ctx.Nodes[fused].Logits);
            loss[s] = sw.Elapsed.TotalMilliseconds;
            var optimizer = model.Optimizer!;
            optimizer.BeginApply(vars);
            sink.BeginStep(vars, graph.SharedVariables, optimizer);
            Tensor? g = lossGrad;
            for (int i = L - 1; i >= 0 && g != null; i--)
            {
                sw.Restart();
                nodes[i].Layer.BackwardNode(ctx.Nodes[i], [g], i > 0, sink);
                bwd[i][s] = sw.Elapsed.TotalMilliseconds;
                g = ctx.Nodes[i].InputGrads[0];
            }
            sw.Restart();
            optimizer.UpdateVariables(vars, sink);
            opt[s] = sw.Elapsed.TotalMilliseconds;
            step[s] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        Console.WriteLine($"Training step at batch {batchSize}, median of {steps} (ms):");
        Console.WriteLine($"  {"layer",-16} {"forward",9} {"backward",9}");
        double tf = 0, tb = 0;
        for (int i = 0; i < L; i++)
        {
            double f = Stats.Median(fwd[i]), b = Stats.Median(bwd[i]);
            tf += f; tb += b;
            Console.WriteLine($"  {nodes[i].Layer.Name,-16} {f,9:F3} {b,9:F3}");
        }
        Console.WriteLine($"  {"sum",-16} {tf,9:F3} {tb,9:F3}");
        Console.WriteLine($"  loss {Stats.Median(loss):F3}   optimizer {Stats.Median(opt):F3}   whole step {Stats.Median(step):F3}");
        Allocations(model, train);
        if (!validation) return;

        var val = Workload.ValSequence();
        var one = new double[L][];
        for (int i = 0; i < L; i++) one[i] = new double[val.Count];
        ctx.SetLossFusion(null);
        for (int r = 0; r < 2; r++)
            for (int s = 0; s < val.Count; s++)
            {
                TimedForward(nodes, ctx, val.GetBatch(s).X, training: false, one, s, sw);
            }
        Console.Write("Batch-1 forward (ms):");
        double t1 = 0;
        for (int i = 0; i < L; i++) { double m = Stats.Median(one[i]); t1 += m; Console.Write($" {nodes[i].Layer.Name}={m:F3}"); }
        Console.WriteLine($"  sum={t1:F3}");
        // The same images through the model's own Predict path (graph context, read lock, inference fusion): what the
        // layers' sum leaves out.
        var x1 = val.GetBatch(0).X;
        var y1 = model.Predict(x1);
        var whole = new double[3 * val.Count];
        for (int r = 0; r < whole.Length; r++)
        {
            var xs = val.GetBatch(r % val.Count).X;
            long t0 = Stopwatch.GetTimestamp();
            model.PredictInto(xs, y1);
            whole[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        Console.WriteLine($"Batch-1 PredictInto (ms): {Stats.Median(whole):F3}");
        // Fit's validation pass is an Evaluate over the same images (loss and metrics on top of the forward).
        model.Evaluate(val, verbose: 0);
        var eval = new double[3];
        for (int r = 0; r < eval.Length; r++)
        {
            long t0 = Stopwatch.GetTimestamp();
            model.Evaluate(val, verbose: 0);
            eval[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds / val.Count;
        }
        Console.WriteLine($"Batch-1 Evaluate (ms per batch): {Stats.Median(eval):F3}");
    }
}

internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var a = values.OrderBy(v => v).ToArray();
        return a.Length == 0 ? double.NaN : a.Length % 2 == 1 ? a[a.Length / 2] : (a[a.Length / 2 - 1] + a[a.Length / 2]) / 2;
    }
}
