#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// The Adam update of tf.keras 2.4 (m += (g - m)(1 - b1); v += (g² - v)(1 - b2); w -= lr_t m / (sqrt(v) + eps)),
/// in one place for the optimizer's pass over stored gradients and for the fused dense backward passes, which apply
/// it while the gradient is still in registers. Vector (any width) and scalar forms do the same IEEE operations in the
/// same order (no fused multiply-add), so every width gives the same weights bit for bit.
/// </summary>
internal readonly unsafe struct AdamMath
{
    private readonly float _lr, _a1, _a2, _eps;

    public AdamMath(float lrT, float oneMinusB1, float oneMinusB2, float eps) => (_lr, _a1, _a2, _eps) = (lrT, oneMinusB1, oneMinusB2, eps);

    /// <summary>Updates one vector of elements: m and v in memory, returns the new w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TV Step<TS, TV>(TV w, TV g, float* m, float* v) where TS : struct, ISimd<TV> where TV : struct
    {
        var mv = TS.Load(m); var vv = TS.Load(v);
        mv = TS.Add(mv, TS.Mul(TS.Sub(g, mv), TS.Splat(_a1)));
        vv = TS.Add(vv, TS.Mul(TS.Sub(TS.Mul(g, g), vv), TS.Splat(_a2)));
        TS.Store(mv, m); TS.Store(vv, v);
        return TS.Sub(w, TS.Div(TS.Mul(mv, TS.Splat(_lr)), TS.Add(TS.Sqrt(vv), TS.Splat(_eps))));
    }

    /// <summary>Updates one element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Step(float w, float g, float* m, float* v)
    {
        *m += (g - *m) * _a1;
        *v += (g * g - *v) * _a2;
        return w - *m * _lr / (MathF.Sqrt(*v) + _eps);
    }

    /// <summary>Updates n elements from a stored gradient, at the GEMM's vector width.</summary>
    public void Run(float* w, float* g, float* m, float* v, int n)
    {
        switch (Gemm.Width)
        {
            case VectorWidth.W512: Run<V512, Vector512<float>>(w, g, m, v, n); break;
            case VectorWidth.W256: Run<V256, Vector256<float>>(w, g, m, v, n); break;
            default: Run<V128, Vector128<float>>(w, g, m, v, n); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Run<TS, TV>(float* w, float* g, float* m, float* v, int n) where TS : struct, ISimd<TV> where TV : struct
    {
        int i = 0;
        for (; i <= n - TS.Lanes; i += TS.Lanes) TS.Store(Step<TS, TV>(TS.Load(w + i), TS.Load(g + i), m + i, v + i), w + i);
        for (; i < n; i++) w[i] = Step(w[i], g[i], m + i, v + i);
    }
}
