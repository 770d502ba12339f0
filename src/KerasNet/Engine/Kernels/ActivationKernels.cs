#nullable enable
using System.Numerics.Tensors;

namespace KerasNet.Engine.Kernels;

/// <summary>Element-wise activations and their derivatives, written in terms of the activation's output.</summary>
internal static class ActivationKernels
{
    /// <summary>x = f(x) in place; softmax is per row of <paramref name="cols"/> (a trailing partial row is left alone).</summary>
    public static void Forward(Span<float> x, int cols, ActivationKind kind)
    {
        switch (kind)
        {
            case ActivationKind.Linear: break;
            case ActivationKind.Relu: TensorPrimitives.Max(x, 0f, x); break;
            case ActivationKind.Sigmoid: TensorPrimitives.Sigmoid(x, x); break;
            case ActivationKind.Tanh: TensorPrimitives.Tanh(x, x); break;
            case ActivationKind.Softmax:
                // cols > 0: a zero row length would never advance.
                for (int r = 0; cols > 0 && r + cols <= x.Length; r += cols) SoftmaxRow(x.Slice(r, cols));
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    /// <summary>Numerically stable softmax (max subtracted first, as TensorFlow does).</summary>
    public static void SoftmaxRow(Span<float> row)
    {
        float max = TensorPrimitives.Max(row);
        TensorPrimitives.Subtract(row, max, row);
        TensorPrimitives.Exp(row, row);
        float sum = TensorPrimitives.Sum(row);
        TensorPrimitives.Divide(row, sum, row);
    }

    /// <summary>grad ⊙= f'(.) through the output y (as long as grad at least: the ReLU mask reads it by pointer).</summary>
    public static void Backward(Span<float> grad, ReadOnlySpan<float> y, int cols, ActivationKind kind)
    {
        BufferCheck.Count(y.Length, grad.Length, nameof(y), "ActivationBackward");
        switch (kind)
        {
            case ActivationKind.Linear: break;
            case ActivationKind.Relu:
                unsafe
                {
                    fixed (float* pg = grad, py = y) RowOps.ReluBackward(pg, py, grad.Length);
                }
                break;
            case ActivationKind.Sigmoid:
                for (int i = 0; i < grad.Length; i++) grad[i] *= y[i] * (1f - y[i]);
                break;
            case ActivationKind.Tanh:
                for (int i = 0; i < grad.Length; i++) grad[i] *= 1f - y[i] * y[i];
                break;
            case ActivationKind.Softmax:
                for (int r = 0; cols > 0 && r + cols <= grad.Length; r += cols)
                {
                    var g = grad.Slice(r, cols);
                    var yr = y.Slice(r, cols);
                    float dot = TensorPrimitives.Dot(g, yr);
                    for (int j = 0; j < cols; j++) g[j] = yr[j] * (g[j] - dot);
                }
                break;
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }
}
