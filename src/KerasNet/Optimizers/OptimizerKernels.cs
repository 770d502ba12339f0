#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Optimizers;

/// <summary>Fused single-pass update loops: each parameter, gradient and slot is read and written once.</summary>
internal static class OptimizerKernels
{
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
