#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using KerasNet.Engine;
using KerasNet.Engine.Kernels;

namespace KerasNet.Optimizers;

/// <summary>Fused single-pass update loops: each parameter, gradient and slot is read and written once.</summary>
internal static class OptimizerKernels
{
    [ThreadStatic] private static AdamJob? t_adam;

    /// <summary><see cref="Adam"/> over whole arrays, split over the cores (used by the kernel benchmark).</summary>
    public static void AdamParallel(float[] w, float[] g, float[] m, float[] v, float lrT, float oneMinusB1, float oneMinusB2, float eps)
    {
        var job = t_adam ??= new AdamJob();
        (job.W, job.G, job.M, job.V, job.LrT, job.A1, job.A2, job.Eps) = (w, g, m, v, lrT, oneMinusB1, oneMinusB2, eps);
        Threads.For(w.Length, 8, job);
        job.W = job.G = job.M = job.V = null!;
    }

    private sealed class AdamJob : ParallelJob
    {
        public float[] W = null!, G = null!, M = null!, V = null!;
        public float LrT, A1, A2, Eps;

        public override void Execute(int part, int start, int end) =>
            Adam(W.AsSpan(start, end - start), G.AsSpan(start, end - start), M.AsSpan(start, end - start), V.AsSpan(start, end - start), LrT, A1, A2, Eps);
    }

    public static unsafe void Adam(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float lrT, float oneMinusB1, float oneMinusB2, float eps)
    {
        // The kernel reads every span over w.Length through raw pointers: a shorter one must throw, not overrun.
        Engine.BufferCheck.Count(g.Length, w.Length, "g", "Adam");
        Engine.BufferCheck.Count(m.Length, w.Length, "m", "Adam");
        Engine.BufferCheck.Count(v.Length, w.Length, "v", "Adam");
        fixed (float* pw = w, pg = g, pm = m, pv = v) new AdamMath(lrT, oneMinusB1, oneMinusB2, eps).Run(pw, pg, pm, pv, w.Length);
    }
}
