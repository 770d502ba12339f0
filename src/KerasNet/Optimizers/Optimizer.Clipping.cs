#nullable enable
using System.Numerics.Tensors;
using KerasNet.Layers;

namespace KerasNet.Optimizers;

public abstract partial class Optimizer
{
    // The sums of squares are taken in double and rounded once to float32: TensorFlow's float32 reduction order
    // (Eigen's tree) cannot be reproduced, and the correctly rounded sum is what it approximates; every other
    // operation is TensorFlow's float32 one.

    /// <summary>
    /// tf.keras 2.4's <c>_transform_gradients</c> on one stored gradient: clip_by_value, then clip_by_norm
    /// (<c>g * clipnorm / max(||g||, clipnorm)</c>), then the global norm's scale.
    /// </summary>
    private void ClipGradient(Span<float> g, float globalScale)
    {
        // With a global norm the values were already clipped while the norm was summed.
        if (_clipvalue is double cv && _globalClipnorm == null) OptimizerKernels.ClipByValue(g, (float)cv, g);
        if (_clipnorm is double cn)
        {
            float c = (float)cn;
            float sum = (float)OptimizerKernels.SumOfSquares(g);
            // clip_ops.clip_by_norm: the norm of an all-zero gradient is taken as 0 without a sqrt.
            float norm = sum > 0 ? MathF.Sqrt(sum) : sum;
            TensorPrimitives.Multiply(g, c, g);
            TensorPrimitives.Divide(g, MathF.Max(norm, c), g);
        }
        if (_globalClipnorm != null) TensorPrimitives.Multiply(g, globalScale, g);
    }

    /// <summary>
    /// clip_ops.clip_by_global_norm's scale over the step's gradients (after clip_by_value):
    /// <c>clipnorm * min(1 / norm, 1 / clipnorm)</c>, NaN when the norm is not finite; norm = sqrt(sum of squares).
    /// </summary>
    private float GlobalClipScale(IReadOnlyList<Variable> variables, GradientSink? sink, float clip)
    {
        double total = 0;
        foreach (var v in variables)
        {
            if (sink != null && !sink.Received(v)) continue;
            var g = v.Grad.Span;
            if (_clipvalue is double cv) OptimizerKernels.ClipByValue(g, (float)cv, g);
            total += OptimizerKernels.SumOfSquares(g);
        }
        float norm = MathF.Sqrt((float)total);
        return clip * MathF.Min(1f / norm, 1f / clip) + (norm - norm);
    }
}
