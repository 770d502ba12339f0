#nullable enable
using System.Runtime.Intrinsics;

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
        public Vector512<float> Step(Vector512<float> w, Vector512<float> g, float* m, float* v, float* vhat)
        {
            var mv = Vector512.Load(m);
            var vv = Vector512.Load(v);
            mv += (g - mv) * Vector512.Create(a1);
            vv += (g * g - vv) * Vector512.Create(a2);
            var vh = Vector512.Max(Vector512.Load(vhat), vv);
            mv.Store(m); vv.Store(v); vh.Store(vhat);
            return w - mv * Vector512.Create(alpha) / (Vector512.Sqrt(vh) + Vector512.Create(eps));
        }
    }
}
