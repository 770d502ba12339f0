#nullable enable
using System.Numerics.Tensors;
using M = KerasNet.Engine.Kernels.ActivationMath;

namespace KerasNet.Engine.Kernels;

/// <summary>
/// Element-wise activations and their derivatives. Most derivatives are written in terms of the activation's output
/// y (as TensorFlow's gradient kernels are); the few that y cannot give (gelu, swish, mish, hard swish, softplus:
/// <see cref="NeedsInput"/>) read the pre-activation x, which the caller keeps.
/// </summary>
internal static class ActivationKernels
{
    /// <summary>The last defined <see cref="ActivationKind"/> (for argument checks).</summary>
    public const ActivationKind LastKind = ActivationKind.LeakyRelu;

    // Stack buffer for the exponentials of log-softmax: 1 KiB, small enough for any stack, long enough for SIMD to pay.
    private const int Chunk = 256;

    /// <summary>Whether the derivative needs the pre-activation input (it cannot be recovered from the output).</summary>
    public static bool NeedsInput(ActivationKind kind) =>
        kind is ActivationKind.Softplus or ActivationKind.Swish or ActivationKind.Gelu or ActivationKind.GeluTanh
            or ActivationKind.Mish or ActivationKind.HardSwish;

    /// <summary>Whether the function mixes a row (softmax, log-softmax) rather than acting on each element alone.</summary>
    public static bool IsRowwise(ActivationKind kind) => kind is ActivationKind.Softmax or ActivationKind.LogSoftmax;

    /// <summary>x = f(x) in place; softmax is per row of <paramref name="cols"/> (a trailing partial row is left alone).</summary>
    public static void Forward(Span<float> x, int cols, ActivationKind kind) => Forward(x, x, cols, kind);

    /// <summary>y = f(x); y may be x. Softmax and log-softmax work per row of <paramref name="cols"/>.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int cols, ActivationKind kind)
    {
        BufferCheck.Count(y.Length, x.Length, nameof(y), "Activation");
        switch (kind)
        {
            case ActivationKind.Linear: if (!x.Overlaps(y)) x.CopyTo(y); break;
            case ActivationKind.Relu: TensorPrimitives.Max(x, 0f, y); break;
            case ActivationKind.Sigmoid: TensorPrimitives.Sigmoid(x, y); break;
            case ActivationKind.Tanh: TensorPrimitives.Tanh(x, y); break;
            case ActivationKind.Softmax:
            case ActivationKind.LogSoftmax:
                // cols > 0: a zero row length would never advance.
                for (int r = 0; cols > 0 && r + cols <= x.Length; r += cols)
                    SoftmaxRow(x.Slice(r, cols), y.Slice(r, cols), kind == ActivationKind.LogSoftmax);
                break;
            case ActivationKind.Relu6: VectorMap.Map<M.Relu6>(x, y); break;
            case ActivationKind.HardSigmoid: VectorMap.Map<M.HardSigmoid>(x, y); break;
            case ActivationKind.HardSigmoidKeras3: VectorMap.Map<M.HardSigmoidKeras3>(x, y); break;
            case ActivationKind.Elu: VectorMap.Map<M.Elu>(x, y); break;
            case ActivationKind.Selu: VectorMap.Map<M.Selu>(x, y); break;
            case ActivationKind.Softplus: VectorMap.Map<M.SoftplusOp>(x, y); break;
            case ActivationKind.Softsign: VectorMap.Map<M.Softsign>(x, y); break;
            case ActivationKind.Swish: VectorMap.Map<M.Swish>(x, y); break;
            case ActivationKind.Gelu: VectorMap.Map<M.Gelu>(x, y); break;
            case ActivationKind.GeluTanh: VectorMap.Map<M.GeluTanh>(x, y); break;
            case ActivationKind.Exponential: VectorMap.Map<M.Exponential>(x, y); break;
            case ActivationKind.Mish: VectorMap.Map<M.Mish>(x, y); break;
            case ActivationKind.HardSwish: VectorMap.Map<M.HardSwish>(x, y); break;
            case ActivationKind.LeakyRelu: VectorMap.Map<M.LeakyRelu>(x, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>Numerically stable softmax in place (max subtracted first, as TensorFlow does).</summary>
    public static void SoftmaxRow(Span<float> row) => SoftmaxRow(row, row, log: false);

    /// <summary>
    /// Softmax (or log-softmax) of one row: exp(x - max) / sum, or x - max - log(sum) as TensorFlow's LogSoftmax; y may be x.
    /// </summary>
    public static void SoftmaxRow(ReadOnlySpan<float> x, Span<float> y, bool log)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, y);
        if (log)
        {
            // exp(x - max) goes through a small stack buffer: y must keep x - max for the result.
            Span<float> e = stackalloc float[Chunk];
            float sumExp = 0;
            for (int k = 0; k < y.Length; k += Chunk)
            {
                var part = y.Slice(k, Math.Min(Chunk, y.Length - k));
                TensorPrimitives.Exp(part, e[..part.Length]);
                sumExp += TensorPrimitives.Sum(e[..part.Length]);
            }
            TensorPrimitives.Subtract(y, MathF.Log(sumExp), y);
            return;
        }
        TensorPrimitives.Exp(y, y);
        float sum = TensorPrimitives.Sum(y);
        TensorPrimitives.Divide(y, sum, y);
    }

    /// <summary>grad ⊙= f'(.) through the output y alone; refuses the activations that need the input (<see cref="NeedsInput"/>).</summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Backward(Span<float> grad, ReadOnlySpan<float> y, int cols, ActivationKind kind)
    {
        if (NeedsInput(kind))
            throw new ArgumentException($"ActivationBackward: the derivative of {kind} needs the pre-activation input, not only the output.", "x");
        Backward(grad, y, y, cols, kind);
    }

    /// <summary>
    /// grad ⊙= f'(.) given the output y and the pre-activation x (x is read only by the <see cref="NeedsInput"/>
    /// activations; pass y for it otherwise). y and x at least as long as grad.
    /// </summary>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Backward(Span<float> grad, ReadOnlySpan<float> y, ReadOnlySpan<float> x, int cols, ActivationKind kind)
    {
        BufferCheck.Count(y.Length, grad.Length, nameof(y), "ActivationBackward");
        BufferCheck.Count(x.Length, grad.Length, nameof(x), "ActivationBackward");
        switch (kind)
        {
            case ActivationKind.Linear: break;
            case ActivationKind.Relu:
                unsafe
                {
                    fixed (float* pg = grad, py = y) RowOps.ReluBackward(pg, py, grad.Length);
                }
                break;
            case ActivationKind.Sigmoid: VectorMap.Grad<M.SigmoidGrad>(grad, y, y); break;
            case ActivationKind.Tanh: VectorMap.Grad<M.TanhGrad>(grad, y, y); break;
            case ActivationKind.Softmax:
            case ActivationKind.LogSoftmax:
                for (int r = 0; cols > 0 && r + cols <= grad.Length; r += cols)
                    SoftmaxRowBackward(grad.Slice(r, cols), y.Slice(r, cols), kind == ActivationKind.LogSoftmax);
                break;
            case ActivationKind.Relu6: VectorMap.Grad<M.Relu6Grad>(grad, y, y); break;
            case ActivationKind.HardSigmoid: VectorMap.Grad<M.HardSigmoidGrad>(grad, y, y); break;
            case ActivationKind.HardSigmoidKeras3: VectorMap.Grad<M.HardSigmoidKeras3Grad>(grad, y, y); break;
            case ActivationKind.Elu: VectorMap.Grad<M.EluGrad>(grad, y, y); break;
            case ActivationKind.Selu: VectorMap.Grad<M.SeluGrad>(grad, y, y); break;
            case ActivationKind.Softsign: VectorMap.Grad<M.SoftsignGrad>(grad, y, y); break;
            case ActivationKind.Exponential: VectorMap.Grad<M.ExponentialGrad>(grad, y, y); break;
            case ActivationKind.LeakyRelu: VectorMap.Grad<M.LeakyReluGrad>(grad, y, y); break;
            case ActivationKind.Softplus: VectorMap.Grad<M.SoftplusGrad>(grad, y, x); break;
            case ActivationKind.Swish: VectorMap.Grad<M.SwishGrad>(grad, y, x); break;
            case ActivationKind.Gelu: VectorMap.Grad<M.GeluGrad>(grad, y, x); break;
            case ActivationKind.GeluTanh: VectorMap.Grad<M.GeluTanhGrad>(grad, y, x); break;
            case ActivationKind.Mish: VectorMap.Grad<M.MishGrad>(grad, y, x); break;
            case ActivationKind.HardSwish: VectorMap.Grad<M.HardSwishGrad>(grad, y, x); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>Softmax: g = y (g - g·y). Log-softmax: g = g - softmax · sum(g), with softmax = exp(y).</summary>
    public static void SoftmaxRowBackward(Span<float> g, ReadOnlySpan<float> y, bool log)
    {
        if (log)
        {
            float sum = TensorPrimitives.Sum(g);
            Span<float> e = stackalloc float[Chunk];
            for (int k = 0; k < g.Length; k += Chunk)
            {
                int n = Math.Min(Chunk, g.Length - k);
                TensorPrimitives.Exp(y.Slice(k, n), e[..n]);
                TensorPrimitives.MultiplyAdd(e[..n], -sum, g.Slice(k, n), g.Slice(k, n));
            }
            return;
        }
        float dot = TensorPrimitives.Dot(g, y);
        TensorPrimitives.Subtract(g, dot, g);
        TensorPrimitives.Multiply(g, y, g);
    }
}
