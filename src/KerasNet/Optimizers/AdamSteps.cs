#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Optimizers;

/// <summary>The arithmetic <see cref="Adam"/> and <see cref="AdamW"/> share (TensorFlow's ApplyAdam / ApplyAdamWithAmsgrad).</summary>
internal static class AdamSteps
{
    /// <summary>alpha = lr sqrt(1 - beta2^t) / (1 - beta1^t), in float32 with t the step number (iterations + 1).</summary>
    public static float Alpha(float lr, double beta1, double beta2, long t)
    {
        float ft = t;
        float b1p = MathF.Pow((float)beta1, ft), b2p = MathF.Pow((float)beta2, ft);
        return lr * MathF.Sqrt(1 - b2p) / (1 - b1p);
    }

    /// <summary>One range: the fused plain kernel, or the AMSGrad step (vhat = max(vhat, v) in the denominator).</summary>
    public static void Update(Span<float> w, ReadOnlySpan<float> g, float[][] slots, int offset, int length,
        float alpha, double beta1, double beta2, double epsilon, bool amsgrad)
    {
        if (!amsgrad)
        {
            OptimizerKernels.Adam(w, g, slots[0].AsSpan(offset, length), slots[1].AsSpan(offset, length), alpha, 1 - (float)beta1, 1 - (float)beta2, (float)epsilon);
            return;
        }
        LaneKernels.Run(new AmsStep(alpha, 1 - (float)beta1, 1 - (float)beta2, (float)epsilon), w, g,
            slots[0].AsSpan(offset, length), slots[1].AsSpan(offset, length), slots[2].AsSpan(offset, length));
    }

    private readonly unsafe struct AmsStep(float alpha, float a1, float a2, float eps) : ILaneStep
    {
        public TV Step<TS, TV>(TV w, TV g, float* m, float* v, float* vhat) where TS : struct, ISimd<TV> where TV : struct
        {
            var mv = TS.Load(m);
            var vv = TS.Load(v);
            mv = TS.Add(mv, TS.Mul(TS.Sub(g, mv), TS.Splat(a1)));
            vv = TS.Add(vv, TS.Mul(TS.Sub(TS.Mul(g, g), vv), TS.Splat(a2)));
            var vh = TS.Max(TS.Load(vhat), vv);
            TS.Store(mv, m); TS.Store(vv, v); TS.Store(vh, vhat);
            return TS.Sub(w, TS.Div(TS.Mul(mv, TS.Splat(alpha)), TS.Add(TS.Sqrt(vh), TS.Splat(eps))));
        }
    }
}
