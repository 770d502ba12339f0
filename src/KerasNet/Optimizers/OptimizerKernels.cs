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

    /// <summary>Keras 3's decoupled weight decay: w = w - (w * wd) * lr, element by element in that order.</summary>
    public static void WeightDecay(Span<float> w, float wd, float lr)
    {
        int i = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            var vwd = new System.Numerics.Vector<float>(wd);
            var vlr = new System.Numerics.Vector<float>(lr);
            var vw = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(w);
            for (int k = 0; k < vw.Length; k++) vw[k] -= vw[k] * vwd * vlr;
            i = vw.Length * System.Numerics.Vector<float>.Count;
        }
        for (; i < w.Length; i++) w[i] -= w[i] * wd * lr;
    }

    /// <summary>clip_ops.clip_by_value(g, -c, c): minimum with c, then maximum with -c.</summary>
    public static void ClipByValue(ReadOnlySpan<float> g, float c, Span<float> into)
    {
        System.Numerics.Tensors.TensorPrimitives.Min(g, c, into);
        System.Numerics.Tensors.TensorPrimitives.Max(into, -c, into);
    }

    /// <summary>The sum of squares accumulated in double (each float square is exact in double).</summary>
    public static double SumOfSquares(ReadOnlySpan<float> x)
    {
        var lo2 = System.Numerics.Vector<double>.Zero;
        var hi2 = System.Numerics.Vector<double>.Zero;
        var vx = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(x);
        foreach (var v in vx)
        {
            System.Numerics.Vector.Widen(v, out var lo, out var hi);
            lo2 += lo * lo;
            hi2 += hi * hi;
        }
        double s = System.Numerics.Vector.Sum(lo2 + hi2);
        for (int i = vx.Length * System.Numerics.Vector<float>.Count; i < x.Length; i++) s += (double)x[i] * x[i];
        return s;
    }
}
