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
    /// <summary>Bytes allocated by each part of a training step (all threads), to keep the steady state allocation-free.</summary>
    private static void Allocations(Models.Sequential model, Data.ArraySequence train)
    {
        var layers = model.Layers;
        var batch = train.GetBatch(0);
        var parts = new List<string>();
        long Mark() => GC.GetTotalAllocatedBytes(precise: true);
        for (int r = 0; r < 2; r++)
        {
            parts.Clear();
            long t = Mark();
            model.TrainStep(batch);
            parts.Add($"TrainStep={Mark() - t}");
            t = Mark();
            model.Call(batch.X, training: true);
            parts.Add($"model.Call={Mark() - t}");
            t = Mark();
            Tensor x = batch.X;
            foreach (var l in layers) { long a = Mark(); x = l.Call(x, training: true); long d = Mark() - a; if (d > 0) parts.Add($"{l.Name}.Call={d}"); }
            var grad = new Tensor(x.Shape);
            long b0 = Mark();
            model.Loss!.Compute(x, batch.Y!, grad, (layers[^1] as IActivatedLayer)?.Stage.Logits);
            parts.Add($"loss={Mark() - b0}");
            b0 = Mark();
            foreach (var m in model.Metrics) m.Update(x, batch.Y!);
            parts.Add($"metrics={Mark() - b0}");
            Tensor? g = grad;
            for (int i = layers.Count - 1; i >= 0 && g != null; i--) { long a = Mark(); g = layers[i].Backward(g, i > 0); long d = Mark() - a; if (d > 0) parts.Add($"{layers[i].Name}.Backward={d}"); }
            b0 = Mark();
            model.Optimizer!.Apply(model.TrainableWeights);
            parts.Add($"Apply(incl. TrainableWeights list)={Mark() - b0}");
        }
        Console.WriteLine("  allocated bytes: " + string.Join(" ", parts));

    }

    public static void Run(int steps = 20)
    {
        var model = Workload.BuildModel();
        var train = Workload.TrainSequence();
        var layers = model.Layers;
        int L = layers.Count;
        var fwd = new double[L][]; var bwd = new double[L][];
        for (int i = 0; i < L; i++) { fwd[i] = new double[steps]; bwd[i] = new double[steps]; }
        var opt = new double[steps]; var loss = new double[steps]; var step = new double[steps];
        var vars = model.TrainableWeights;
        var lossGrad = new Tensor(Workload.BatchSize, 2);
        // Warm-up through the real path so the loss/activation fusion is configured exactly as in Fit.
        for (int s = 0; s < 3; s++) model.TrainStep(train.GetBatch(s));
        var sw = new Stopwatch();
        for (int s = 0; s < steps; s++)
        {
            var batch = train.GetBatch(s % train.Count);
            long t0 = Stopwatch.GetTimestamp();
            Tensor x = batch.X;
            for (int i = 0; i < L; i++) { sw.Restart(); x = layers[i].Call(x, training: true); fwd[i][s] = sw.Elapsed.TotalMilliseconds; }
            sw.Restart();
            var logits = (layers[^1] as IActivatedLayer)?.Stage.Logits;
            model.Loss!.Compute(x, batch.Y!, lossGrad, logits);
            loss[s] = sw.Elapsed.TotalMilliseconds;
            // As TrainStep: dense kernels are updated inside their backward pass, the rest afterwards.
            var optimizer = model.Optimizer!;
            optimizer.BeginApply(vars);
            var done = new HashSet<Variable>();
            Tensor? g = lossGrad;
            for (int i = L - 1; i >= 0 && g != null; i--)
            {
                if (layers[i] is Dense d) d.FusedOptimizer = optimizer;
                sw.Restart();
                g = layers[i].Backward(g, needInputGrad: i > 0);
                bwd[i][s] = sw.Elapsed.TotalMilliseconds;
                if (layers[i] is Dense dd) { dd.FusedOptimizer = null; if (dd.KernelUpdatedInBackward) done.Add(dd.Kernel!); }
            }
            sw.Restart();
            optimizer.UpdateVariables(vars, done);
            opt[s] = sw.Elapsed.TotalMilliseconds;
            step[s] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }
        Console.WriteLine($"Training step at batch {Workload.BatchSize}, median of {steps} (ms):");
        Console.WriteLine($"  {"layer",-16} {"forward",9} {"backward",9}");
        double tf = 0, tb = 0;
        for (int i = 0; i < L; i++)
        {
            double f = Stats.Median(fwd[i]), b = Stats.Median(bwd[i]);
            tf += f; tb += b;
            Console.WriteLine($"  {layers[i].Name,-16} {f,9:F3} {b,9:F3}");
        }
        Console.WriteLine($"  {"sum",-16} {tf,9:F3} {tb,9:F3}");
        Console.WriteLine($"  loss {Stats.Median(loss):F3}   optimizer {Stats.Median(opt):F3}   whole step {Stats.Median(step):F3}");
        Allocations(model, train);

        var val = Workload.ValSequence();
        var one = new double[L][];
        for (int i = 0; i < L; i++) one[i] = new double[val.Count];
        for (int r = 0; r < 2; r++)
            for (int s = 0; s < val.Count; s++)
            {
                Tensor x = val.GetBatch(s).X;
                for (int i = 0; i < L; i++) { sw.Restart(); x = layers[i].Call(x); one[i][s] = sw.Elapsed.TotalMilliseconds; }
            }
        Console.Write("Batch-1 forward (ms):");
        double t1 = 0;
        for (int i = 0; i < L; i++) { double m = Stats.Median(one[i]); t1 += m; Console.Write($" {layers[i].Name}={m:F3}"); }
        Console.WriteLine($"  sum={t1:F3}");
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
