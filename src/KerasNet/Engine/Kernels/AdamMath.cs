#nullable enable
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// The Adam update of tf.keras 2.4 (m += (g - m)(1 - b1); v += (g² - v)(1 - b2); w -= lr_t m / (sqrt(v) + eps)),
/// in one place for the optimizer's pass over stored gradients and for the fused dense backward pass, which applies
/// it while the gradient is still in registers. Vector and scalar forms do the same operations in the same order.
/// </summary>
internal readonly unsafe struct AdamMath
{
    private readonly float _lr, _a1, _a2, _eps;
    private readonly Vector512<float> _vlr, _va1, _va2, _veps;

    public AdamMath(float lrT, float oneMinusB1, float oneMinusB2, float eps)
    {
        (_lr, _a1, _a2, _eps) = (lrT, oneMinusB1, oneMinusB2, eps);
        (_vlr, _va1, _va2, _veps) = (Vector512.Create(lrT), Vector512.Create(oneMinusB1), Vector512.Create(oneMinusB2), Vector512.Create(eps));
    }

    /// <summary>Updates 16 elements: m and v in memory, returns the new w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Step(Vector512<float> w, Vector512<float> g, float* m, float* v)
    {
        var mv = Vector512.Load(m); var vv = Vector512.Load(v);
        mv += (g - mv) * _va1;
        vv += (g * g - vv) * _va2;
        mv.Store(m); vv.Store(v);
        return w - mv * _vlr / (Vector512.Sqrt(vv) + _veps);
    }

    /// <summary>Updates one element.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Step(float w, float g, float* m, float* v)
    {
        *m += (g - *m) * _a1;
        *v += (g * g - *v) * _a2;
        return w - *m * _lr / (MathF.Sqrt(*v) + _eps);
    }

    /// <summary>Updates n elements from a stored gradient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Run(float* w, float* g, float* m, float* v, int n)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i <= n - 16; i += 16) Step(Vector512.Load(w + i), Vector512.Load(g + i), m + i, v + i).Store(w + i);
        for (; i < n; i++) w[i] = Step(w[i], g[i], m + i, v + i);
    }
}
