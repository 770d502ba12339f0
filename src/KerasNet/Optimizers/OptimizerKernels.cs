#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using KerasNet.Engine;

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

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Adam(Span<float> w, ReadOnlySpan<float> g, Span<float> m, Span<float> v, float lrT, float oneMinusB1, float oneMinusB2, float eps)
    {
        int i = 0, n = w.Length;
        if (Vector512.IsHardwareAccelerated)
        {
            var a1 = Vector512.Create(oneMinusB1); var a2 = Vector512.Create(oneMinusB2);
            var lr = Vector512.Create(lrT); var e = Vector512.Create(eps);
            ref float wr = ref w[0]; ref readonly float gr = ref g[0]; ref float mr = ref m[0]; ref float vr = ref v[0];
            for (; i <= n - 16; i += 16)
            {
                var gv = Vector512.LoadUnsafe(in gr, (nuint)i);
                var mv = Vector512.LoadUnsafe(ref mr, (nuint)i);
                var vv = Vector512.LoadUnsafe(ref vr, (nuint)i);
                mv += (gv - mv) * a1;
                vv += (gv * gv - vv) * a2;
                var wv = Vector512.LoadUnsafe(ref wr, (nuint)i) - mv * lr / (Vector512.Sqrt(vv) + e);
                mv.StoreUnsafe(ref mr, (nuint)i);
                vv.StoreUnsafe(ref vr, (nuint)i);
                wv.StoreUnsafe(ref wr, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float gi = g[i];
            m[i] += (gi - m[i]) * oneMinusB1;
            v[i] += (gi * gi - v[i]) * oneMinusB2;
            w[i] -= m[i] * lrT / (MathF.Sqrt(v[i]) + eps);
        }
    }
}
