#nullable enable
using KerasNet.Engine.Kernels;

namespace KerasNet.Engine;

internal sealed partial class CpuBackend
{
    /// <inheritdoc/>
    public void Activation(float[] x, float[] y, int length, int cols, ActivationKind activation)
    {
        CheckRows(length, cols, activation, nameof(Activation));
        BufferCheck.Length(x, length, nameof(x), nameof(Activation));
        BufferCheck.Length(y, length, nameof(y), nameof(Activation));
        ActivationKernels.Forward(x.AsSpan(0, length), y.AsSpan(0, length), cols, activation);
    }

    /// <inheritdoc/>
    // Once per training step: optimized at its first call instead of recompiled through the tiers in the first epochs.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void ActivationBackward(float[] grad, float[] y, float[]? x, int length, int cols, ActivationKind activation)
    {
        CheckRows(length, cols, activation, nameof(ActivationBackward));
        BufferCheck.Length(grad, length, nameof(grad), nameof(ActivationBackward));
        BufferCheck.Length(y, length, nameof(y), nameof(ActivationBackward));
        if (x is null)
        {
            ActivationKernels.Backward(grad.AsSpan(0, length), y.AsSpan(0, length), cols, activation);
            return;
        }
        BufferCheck.Length(x, length, nameof(x), nameof(ActivationBackward));
        ActivationKernels.Backward(grad.AsSpan(0, length), y.AsSpan(0, length), x.AsSpan(0, length), cols, activation);
    }

    /// <inheritdoc/>
    public void Relu(float[] x, float[] y, int length, in ReluOptions options)
    {
        CheckElementwise(x, y, length, nameof(Relu));
        ParametricActivationKernels.Relu(x.AsSpan(0, length), y.AsSpan(0, length), options);
    }

    /// <inheritdoc/>
    public void ReluBackward(float[] x, float[] gradOut, float[] gradIn, int length, in ReluOptions options)
    {
        CheckElementwise(x, gradOut, length, nameof(ReluBackward));
        BufferCheck.Length(gradIn, length, nameof(gradIn), nameof(ReluBackward));
        ParametricActivationKernels.ReluBackward(x.AsSpan(0, length), gradOut.AsSpan(0, length), gradIn.AsSpan(0, length), options);
    }

    /// <inheritdoc/>
    public void Elu(float[] x, float[] y, int length, float alpha)
    {
        CheckElementwise(x, y, length, nameof(Elu));
        ParametricActivationKernels.Elu(x.AsSpan(0, length), y.AsSpan(0, length), alpha);
    }

    /// <inheritdoc/>
    public void EluBackward(float[] x, float[] gradOut, float[] gradIn, int length, float alpha)
    {
        CheckElementwise(x, gradOut, length, nameof(EluBackward));
        BufferCheck.Length(gradIn, length, nameof(gradIn), nameof(EluBackward));
        ParametricActivationKernels.EluBackward(x.AsSpan(0, length), gradOut.AsSpan(0, length), gradIn.AsSpan(0, length), alpha);
    }

    /// <inheritdoc/>
    public void PRelu(float[] x, float[] alpha, float[] y, int rows, int cols)
    {
        CheckPRelu(x, alpha, y, rows, cols, nameof(PRelu));
        ParametricActivationKernels.PRelu(x, alpha, y, rows, cols);
    }

    /// <inheritdoc/>
    public void PReluBackward(float[] x, float[] alpha, float[] gradOut, float[]? gradIn, float[]? gradAlpha, int rows, int cols)
    {
        CheckPRelu(x, alpha, gradOut, rows, cols, nameof(PReluBackward));
        if (gradIn != null) BufferCheck.Length(gradIn, (long)rows * cols, nameof(gradIn), nameof(PReluBackward));
        if (gradAlpha != null) BufferCheck.Length(gradAlpha, cols, nameof(gradAlpha), nameof(PReluBackward));
        ParametricActivationKernels.PReluBackward(x, alpha, gradOut, gradIn, gradAlpha, gradIn != null, gradAlpha != null, rows, cols);
    }

    /// <inheritdoc/>
    public void Softmax(float[] x, float[] y, int outer, int axis, int inner)
    {
        long n = CheckBlock(outer, axis, inner, nameof(Softmax));
        BufferCheck.Length(x, n, nameof(x), nameof(Softmax));
        BufferCheck.Length(y, n, nameof(y), nameof(Softmax));
        ParametricActivationKernels.Softmax(x, y, outer, axis, inner);
    }

    /// <inheritdoc/>
    public void SoftmaxBackward(float[] y, float[] gradOut, float[] gradIn, int outer, int axis, int inner)
    {
        long n = CheckBlock(outer, axis, inner, nameof(SoftmaxBackward));
        BufferCheck.Length(y, n, nameof(y), nameof(SoftmaxBackward));
        BufferCheck.Length(gradOut, n, nameof(gradOut), nameof(SoftmaxBackward));
        BufferCheck.Length(gradIn, n, nameof(gradIn), nameof(SoftmaxBackward));
        ParametricActivationKernels.SoftmaxBackward(y, gradOut, gradIn, outer, axis, inner);
    }

    private static void CheckElementwise(float[] x, float[] other, int length, string op)
    {
        BufferCheck.Dim(length, nameof(length), op);
        BufferCheck.Length(x, length, nameof(x), op);
        BufferCheck.Length(other, length, op.EndsWith("Backward", StringComparison.Ordinal) ? "gradOut" : "y", op);
    }

    private static void CheckPRelu(float[] x, float[] alpha, float[] other, int rows, int cols, string op)
    {
        BufferCheck.Dim(rows, nameof(rows), op);
        BufferCheck.Dim(cols, nameof(cols), op);
        BufferCheck.Length(x, (long)rows * cols, nameof(x), op);
        BufferCheck.Length(alpha, cols, nameof(alpha), op);
        BufferCheck.Length(other, (long)rows * cols, op.EndsWith("Backward", StringComparison.Ordinal) ? "gradOut" : "y", op);
    }

    private static long CheckBlock(int outer, int axis, int inner, string op)
    {
        BufferCheck.Dim(outer, nameof(outer), op);
        BufferCheck.Dim(axis, nameof(axis), op);
        BufferCheck.Dim(inner, nameof(inner), op);
        return (long)outer * axis * inner;
    }
}
